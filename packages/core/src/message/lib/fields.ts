/**
 * @module message/lib/fields
 * Checks of the message fields that the SDK's `verifyMessageEnvelope` leaves open.
 */
import { MessagingError } from '../../errors.js'

/** The plaintext keys of SDK 0.35.2 (`IEncryptedMessageContents`). */
export const PLAINTEXT_KEYS: ReadonlySet<string> = new Set([
  'body',
  'createdAt',
  'sender',
  'receiver',
  'messageId',
  'inReplyTo',
  'references',
])

/** Longest accepted `messageId` / `inReplyTo` / reference (SDK ids are 66 characters). */
export const MAX_ID_LENGTH = 1024
/** Most accepted `references`. */
export const MAX_REFERENCES = 1024

function invalid(message: string, sdkError = 'TypeError'): MessagingError {
  return new MessagingError('ERR_MESSAGE_INVALID', message, { sdkError })
}

/** `inReplyTo` and `references`, when present, are (bounded) strings. */
export function checkThreadFields(inReplyTo: unknown, references: unknown): void {
  if (inReplyTo !== undefined && (typeof inReplyTo !== 'string' || inReplyTo.length > MAX_ID_LENGTH))
    throw invalid('In reply to is expected to be a string')
  if (references === undefined) return
  if (!Array.isArray(references) || references.length > MAX_REFERENCES)
    throw invalid('References are expected to be an array of strings')
  for (let i = 0; i < references.length; i++) {
    const r: unknown = references[i]
    if (typeof r !== 'string' || r.length > MAX_ID_LENGTH)
      throw invalid('References are expected to be an array of strings')
  }
}

/** A body is an object with a string `type` (the content rules are `verifyMessageBody`'s). */
export function checkBodyShape(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MessagingError('ERR_BODY_TYPE_UNKNOWN', 'The message body is not an object', {
      sdkError: 'UnknownMessageBodyTypeError',
    })
  if (typeof (body as { type?: unknown }).type !== 'string')
    throw new MessagingError('ERR_BODY_TYPE_UNKNOWN', 'The message body has no type', {
      sdkError: 'UnknownMessageBodyTypeError',
    })
}
