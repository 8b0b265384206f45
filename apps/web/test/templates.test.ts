/**
 * Every one of the 18 body types has a compose template that the library accepts: `createMessage`
 * validates it, and the receiver's strict `decryptMessage` (body + owner checks) accepts it.
 */
import {
  createMessage,
  decryptMessage,
  encryptMessage,
  MESSAGE_BODY_TYPES,
  type MessageBody,
  toHex,
} from '@kilt-messaging/core'
import { describe, expect, it } from 'vitest'
import { templateFor } from '../src/templates.js'
import { party } from './helpers/party.js'

describe('compose templates', () => {
  it('covers the 18 body types', () => {
    expect(MESSAGE_BODY_TYPES).toHaveLength(18)
  })

  const alice = party()
  const bob = party()
  it.each([...MESSAGE_BODY_TYPES])(
    '%s: template → createMessage → encrypt → strict decrypt',
    async (type) => {
      const content = templateFor(type, {
        me: alice.did,
        peer: bob.did,
        myKeyUri: `${alice.did}#authentication`,
        sign: (d) => toHex(alice.auth.sign(d)),
      })
      const body = JSON.parse(JSON.stringify({ type, content })) as MessageBody
      const message = createMessage(body, { sender: alice.did, receiver: bob.did })
      const envelope = await encryptMessage(message, { keys: alice.keys })
      const out = await decryptMessage(envelope, { keys: bob.keys })
      expect(out.message.body).toEqual(body)
    },
  )
})
