import nacl from 'tweetnacl'
import { describe, expect, it } from 'vitest'
import { createKeyring } from '../../src/keys/keyring.js'
import { createMessage } from '../../src/message/create-message.js'
import { decryptMessage } from '../../src/message/decrypt-message.js'
import { encryptMessage } from '../../src/message/encrypt-message.js'
import { replyTo } from '../../src/message/reply-to.js'
import { anchor, CTYPE_HASH, codeOf, freshIdentity, hex } from './helpers.js'

const body = { type: 'request-credential', content: { cTypes: [{ cTypeHash: CTYPE_HASH }] } } as const

describe('encryptMessage / decryptMessage round trip', () => {
  it('keyring → keyring: the receiver gets exactly what the sender said', async () => {
    const alice = anchor('alice')
    const bob = anchor('bob')
    const message = createMessage(body, { sender: alice.did, receiver: bob.did })
    const envelope = await encryptMessage(message, { keys: alice.keyring() })
    expect(Object.keys(envelope)).toEqual(['ciphertext', 'nonce', 'senderKeyUri', 'receiverKeyUri'])
    expect(envelope.senderKeyUri).toBe(alice.keyUri)
    expect(envelope.receiverKeyUri).toBe(bob.keyUri)
    expect(envelope.nonce).toMatch(/^0x[0-9a-f]{48}$/)
    expect(envelope.ciphertext).toMatch(/^0x[0-9a-f]+$/)
    const out = await decryptMessage(envelope, { keys: bob.keyring() })
    expect(out.message).toEqual(message)
    expect(Object.isFrozen(out.message)).toBe(true)
    expect(Object.isFrozen(out.message.body)).toBe(true)
    expect(out.receivedAt).toBeUndefined()
    expect(out.receiverKeyUri).toBe(bob.keyUri)
    expect(out.senderKey.id).toBe(alice.keyUri)
  })

  it('the box is plain NaCl box of the SDK plaintext (tweetnacl opens it)', async () => {
    const alice = anchor('alice')
    const bob = anchor('bob')
    const message = createMessage(body, { sender: alice.did, receiver: bob.did })
    const envelope = await encryptMessage(message, { keys: alice.keyring() })
    const opened = nacl.box.open(
      hex(envelope.ciphertext),
      hex(envelope.nonce),
      alice.publicKey,
      bob.secretKey,
    )
    expect(opened).not.toBeNull()
    const text = new TextDecoder().decode(opened!)
    expect(text).toBe(
      JSON.stringify({
        body: message.body,
        createdAt: message.createdAt,
        sender: message.sender,
        receiver: message.receiver,
        messageId: message.messageId,
      }),
    )
  })

  it('callbacks → callbacks (KILT EncryptCallback/DecryptCallback), senderKeyUri from the callback', async () => {
    const alice = freshIdentity('cb-a')
    const bob = freshIdentity('cb-b')
    const aliceRing = alice.keyring()
    const bobRing = bob.keyring()
    const message = createMessage(body, { sender: alice.did, receiver: bob.did })
    const envelope = await encryptMessage(message, { keys: { encrypt: (r) => aliceRing.encrypt(r) } })
    expect(envelope.senderKeyUri).toBe(alice.keyUri)
    const out = await decryptMessage(envelope, { keys: { decrypt: (r) => bobRing.decrypt(r) } })
    expect(out.message).toEqual(message)
  })

  it('receivedAt travels in the clear, apart from the message', async () => {
    const alice = anchor('alice')
    const bob = anchor('bob')
    const message = { ...createMessage(body, { sender: alice.did, receiver: bob.did }), receivedAt: 42 }
    const envelope = await encryptMessage(message, { keys: alice.keyring() })
    expect(Object.keys(envelope)).toEqual([
      'receivedAt',
      'ciphertext',
      'nonce',
      'senderKeyUri',
      'receiverKeyUri',
    ])
    const out = await decryptMessage({ ...envelope, receivedAt: 7 }, { keys: bob.keyring() })
    expect(out.receivedAt).toBe(7)
    expect('receivedAt' in out.message).toBe(false)
  })

  it('replyTo swaps the parties and threads the ids', async () => {
    const alice = anchor('alice')
    const bob = anchor('bob')
    const first = createMessage(body, { sender: alice.did, receiver: bob.did })
    const second = replyTo(first, { type: 'accept-credential', content: [CTYPE_HASH] })
    expect(second.sender).toBe(bob.did)
    expect(second.receiver).toBe(alice.did)
    expect(second.inReplyTo).toBe(first.messageId)
    expect(second.references).toBeUndefined()
    const third = replyTo(second, { type: 'accept-credential', content: [CTYPE_HASH] })
    expect(third.inReplyTo).toBe(second.messageId)
    expect(third.references).toEqual([first.messageId])
    const fourth = replyTo(third, { type: 'accept-credential', content: [CTYPE_HASH] })
    expect(fourth.references).toEqual([first.messageId, second.messageId])
    const envelope = await encryptMessage(fourth, { keys: bob.keyring() })
    const out = await decryptMessage(envelope, { keys: alice.keyring() })
    expect(out.message).toEqual(fourth)
  })

  it('a keyring with several identities picks the sender key by DID', async () => {
    const a = anchor('alice')
    const c = anchor('carol')
    const bob = anchor('bob')
    const ring = createKeyring([
      { keyUri: a.keyUri, secretKey: a.secretKey },
      { keyUri: c.keyUri, secretKey: c.secretKey },
    ])
    const m = createMessage(body, { sender: c.did, receiver: bob.did })
    const env = await encryptMessage(m, { keys: ring })
    expect(env.senderKeyUri).toBe(c.keyUri)
    expect((await decryptMessage(env, { keys: bob.keyring() })).message).toEqual(m)
  })

  it('encrypting to the first key agreement key when no receiverKeyUri is given', async () => {
    const alice = freshIdentity('f-a')
    const bob = freshIdentity('f-b')
    const m = createMessage(body, { sender: alice.did, receiver: bob.did })
    const env = await encryptMessage(m, { keys: alice.keyring() })
    expect(env.receiverKeyUri).toBe(bob.keyUri)
    expect(await codeOf(decryptMessage(env, { keys: bob.keyring() }))).toBeUndefined()
  })
})
