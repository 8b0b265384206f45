/**
 * @module session/envelope-v1
 * The envelope of Credential API spec 1.0 and SDK 0.24–0.27: `senderKeyId`/`receiverKeyId` for what
 * later versions call `senderKeyUri`/`receiverKeyUri` (same values). Sporran still speaks it to dApps
 * that do not announce spec 3.x.
 */
import type { DidResourceUri } from '../did/types.js'
import { isMessagingError, MessagingError } from '../errors.js'
import { resourceUri } from '../message/lib/did-checks.js'
import type { EncryptedMessage } from '../message/types.js'

/** A spec-1.0 envelope. */
export interface EncryptedMessageV1 {
  readonly receivedAt?: number
  readonly ciphertext: string
  readonly nonce: string
  readonly senderKeyId: DidResourceUri
  readonly receiverKeyId: DidResourceUri
}

type Names = readonly [sender: string, receiver: string]
const V1: Names = ['senderKeyId', 'receiverKeyId']
const V3: Names = ['senderKeyUri', 'receiverKeyUri']

function invalid(message: string, cause?: unknown): MessagingError {
  return cause === undefined
    ? new MessagingError('ERR_ENVELOPE_INVALID', message)
    : new MessagingError('ERR_ENVELOPE_INVALID', message, { cause })
}

/** Reads an envelope with the key names `from`, checking what the renaming relies on; answers it with the names `to`. */
function rename(input: unknown, from: Names, to: Names): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid('The envelope must be an object')
  try {
    return renameFields(input, from, to)
  } catch (cause) {
    if (isMessagingError(cause)) throw cause
    // a proxy or a getter that throws
    throw invalid('The envelope cannot be read', cause)
  }
}

function renameFields(input: object, from: Names, to: Names): Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(input)
  if (proto !== Object.prototype && proto !== null) throw invalid('The envelope must be a plain object')
  const known = new Set(['receivedAt', 'ciphertext', 'nonce', ...from])
  const record = input as Record<string, unknown>
  for (const key of Object.keys(record))
    if (!known.has(key))
      throw invalid(
        to.includes(key)
          ? `The envelope already has "${key}"`
          : `The envelope has an unknown key "${key.slice(0, 40)}"`,
      )
  // every field read once
  const { receivedAt, ciphertext, nonce } = record
  const sender = record[from[0]]
  const receiver = record[from[1]]
  if (typeof ciphertext !== 'string') throw invalid('"ciphertext" must be a hex string')
  if (typeof nonce !== 'string') throw invalid('"nonce" must be a hex string')
  if (receivedAt !== undefined && (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt)))
    throw invalid('"receivedAt" must be a finite number')
  for (const [name, value] of [
    [from[0], sender],
    [from[1], receiver],
  ] as const) {
    try {
      resourceUri(value)
    } catch (cause) {
      if (!isMessagingError(cause)) throw cause
      throw invalid(`"${name}" is not a KILT DID resource URI with a #fragment`, cause)
    }
  }
  const out: Record<string, unknown> = {}
  if (receivedAt !== undefined) out.receivedAt = receivedAt
  out.ciphertext = ciphertext
  out.nonce = nonce
  out[to[0]] = sender
  out[to[1]] = receiver
  return Object.freeze(out)
}

/**
 * A spec-1.0 envelope as the current one (`senderKeyId` → `senderKeyUri`, `receiverKeyId` →
 * `receiverKeyUri`), for `decryptMessage`. Hex and sizes are left to `decryptMessage`.
 * @throws MessagingError ERR_ENVELOPE_INVALID (not an object of exactly the 1.0 keys, or a key id that
 *   is not a KILT DID resource URI)
 * @example const { message } = await decryptMessage(fromEnvelopeV1(v1), { keys })
 */
export function fromEnvelopeV1(envelope: unknown): EncryptedMessage {
  return rename(envelope, V1, V3) as unknown as EncryptedMessage
}

/**
 * The current envelope in the spec-1.0 form, for a dApp session that speaks it.
 * @throws MessagingError ERR_ENVELOPE_INVALID as {@link fromEnvelopeV1}
 * @example await session.send(toEnvelopeV1(await encryptMessage(message, { keys })))
 */
export function toEnvelopeV1(envelope: EncryptedMessage): EncryptedMessageV1 {
  return rename(envelope, V3, V1) as unknown as EncryptedMessageV1
}
