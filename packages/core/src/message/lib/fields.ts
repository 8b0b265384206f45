/**
 * @module message/lib/fields
 * Checks of the message fields that the SDK's `verifyMessageEnvelope` leaves open.
 */
import { isMessagingError, MessagingError } from '../../errors.js'
import { plainDid } from './did-checks.js'

/** The plaintext keys of SDK 0.35.2 (`IEncryptedMessageContents`), in the order it writes them. */
export const PLAINTEXT_KEYS: readonly string[] = [
  'body',
  'createdAt',
  'sender',
  'receiver',
  'messageId',
  'inReplyTo',
  'references',
]

/** Longest accepted `messageId` / `inReplyTo` / reference (SDK ids are 66 characters). */
export const MAX_ID_LENGTH = 1024
/** Most accepted `references`. */
export const MAX_REFERENCES = 1024

function invalid(message: string, sdkError = 'TypeError'): MessagingError {
  return new MessagingError('ERR_MESSAGE_INVALID', message, { sdkError })
}

/** A message id as a thread field: a non-empty, bounded string (an empty one names no message). */
function isThreadId(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
}

/**
 * `inReplyTo` and `references`, when present, are non-empty (bounded) strings — the rule of the
 * strict `verifyMessageEnvelope`, so that a message this layer creates or decrypts also passes it.
 */
export function checkThreadFields(inReplyTo: unknown, references: unknown): void {
  if (inReplyTo !== undefined && !isThreadId(inReplyTo))
    throw invalid('In reply to is expected to be a non-empty string')
  if (references === undefined) return
  if (!Array.isArray(references) || references.length > MAX_REFERENCES)
    throw invalid('References are expected to be an array of non-empty strings')
  for (let i = 0; i < references.length; i++)
    if (!isThreadId(references[i]))
      throw invalid('References are expected to be an array of non-empty strings')
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

function fieldDid(value: unknown, name: string): void {
  try {
    plainDid(value)
  } catch (cause) {
    const sdkError = isMessagingError(cause) ? cause.sdkError : 'TypeError'
    throw new MessagingError('ERR_MESSAGE_INVALID', `"${name}" is not a KILT DID without fragment`, {
      cause,
      sdkError,
    })
  }
}

/**
 * The checks of SDK `verifyMessageEnvelope` (spec §5.1) on the cached DID parser, plus strict
 * thread fields: `messageId` a non-empty string and `createdAt` a finite number when present,
 * `sender`/`receiver` KILT DIDs without fragment, `inReplyTo`/`references` non-empty strings.
 * (`receivedAt` is not a plaintext field; the envelope reader checks it.)
 * @param knownSender - a valid DID without fragment (checked before): a `sender` equal to it passes
 * @param knownReceiver - the same for `receiver`
 * @throws MessagingError ERR_MESSAGE_INVALID (sdkError `TypeError` or the DID error's class)
 */
export function checkMessageFields(
  message: {
    readonly messageId?: unknown
    readonly createdAt?: unknown
    readonly sender?: unknown
    readonly receiver?: unknown
    readonly inReplyTo?: unknown
    readonly references?: unknown
  },
  knownSender?: string,
  knownReceiver?: string,
): void {
  const { messageId, createdAt } = message
  if (
    messageId !== undefined &&
    (typeof messageId !== 'string' || messageId.length === 0 || messageId.length > MAX_ID_LENGTH)
  )
    throw invalid('Message id is expected to be a string')
  if (createdAt !== undefined && (typeof createdAt !== 'number' || !Number.isFinite(createdAt)))
    throw invalid('Created at is expected to be a number')
  // A field equal to a DID already checked (the receiver's: the DIDs of the envelope's key URIs)
  // passes without another lookup.
  if (knownSender === undefined || message.sender !== knownSender) fieldDid(message.sender, 'sender')
  if (knownReceiver === undefined || message.receiver !== knownReceiver)
    fieldDid(message.receiver, 'receiver')
  checkThreadFields(message.inReplyTo, message.references)
}
