/**
 * @module message/lib/body/envelope
 * `verifyMessageEnvelope` (spec §5.1) with our stricter rules: `createdAt` a finite number and
 * `messageId` a non-empty string, both required (optional in SDK-compatible mode, as in the SDK);
 * `inReplyTo` a non-empty string and `references` an array of strings when present.
 */
import { describe, failWith, isPlainObject, type Obj } from './check.js'
import { checkDid } from './did.js'

const CODE = 'ERR_MESSAGE_INVALID'

function typeError(path: string, text: string, value: unknown): never {
  failWith(CODE, path, 'TypeError', `${text}, got ${describe(value)}`)
}

/** Requires a plain-object message. */
export function expectMessage(message: unknown): Obj {
  if (!isPlainObject(message)) typeError('message', 'expected an object', message)
  return message
}

/** Runs the envelope checks; see `verifyMessageEnvelope` in `message/verify`. */
export function verifyEnvelope(message: unknown, compat: boolean): void {
  const m = expectMessage(message)
  const { messageId, createdAt, receivedAt, sender, receiver, inReplyTo, references } = m
  if (messageId !== undefined || !compat) {
    if (typeof messageId !== 'string')
      typeError('messageId', 'Message id is expected to be a string', messageId)
    if (!compat && messageId.length === 0) failWith(CODE, 'messageId', 'TypeError', 'must not be empty')
  }
  if (createdAt !== undefined || !compat) {
    if (typeof createdAt !== 'number')
      typeError('createdAt', 'Created at is expected to be a number', createdAt)
    if (!compat && !Number.isFinite(createdAt)) failWith(CODE, 'createdAt', 'TypeError', 'must be finite')
  }
  if (receivedAt !== undefined) {
    if (typeof receivedAt !== 'number')
      typeError('receivedAt', 'Received at is expected to be a number', receivedAt)
    if (!compat && !Number.isFinite(receivedAt)) failWith(CODE, 'receivedAt', 'TypeError', 'must be finite')
  }
  checkDid(sender, 'sender', 'Did', CODE)
  checkDid(receiver, 'receiver', 'Did', CODE)
  if (compat ? Boolean(inReplyTo) : inReplyTo !== undefined) {
    if (typeof inReplyTo !== 'string' || (!compat && inReplyTo.length === 0))
      typeError('inReplyTo', 'In reply to is expected to be a non-empty string', inReplyTo)
  }
  if (references !== undefined && !compat) {
    if (!Array.isArray(references)) typeError('references', 'expected an array of message ids', references)
    references.forEach((r: unknown, i) => {
      if (typeof r !== 'string' || r.length === 0)
        typeError(`references[${i}]`, 'expected a non-empty string', r)
    })
  }
}
