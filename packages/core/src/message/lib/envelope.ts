/**
 * @module message/lib/envelope
 * Reads an untrusted envelope once into a checked snapshot (shape, size, hex, nonce, key URIs).
 */
import type { DidResourceUri } from '../../did/types.js'
import { isMessagingError, MessagingError } from '../../errors.js'
import { scratchBytes } from '../../lib/bytes.js'
import { hexDecode } from '../../lib/hex.js'
import { lastPair } from '../../lib/last-pair.js'
import { type Parts, resourceParts } from './did-checks.js'

/** A checked envelope. */
export interface CheckedEnvelope {
  /** An internal temporary (`lib/bytes` `scratchBytes`): copy it before handing it to application code. */
  readonly box: Uint8Array
  /** An internal temporary as well. */
  readonly nonce: Uint8Array
  readonly senderKeyUri: DidResourceUri
  readonly receiverKeyUri: DidResourceUri
  /** The DID and subject of `senderKeyUri`. */
  readonly sender: Parts
  /** The DID and subject of `receiverKeyUri`. */
  readonly receiver: Parts
  readonly receivedAt?: number
}

const KNOWN = new Set(['receivedAt', 'ciphertext', 'nonce', 'senderKeyUri', 'receiverKeyUri'])

function invalid(message: string, sdkError?: string, cause?: unknown): MessagingError {
  const opts: { sdkError?: string; cause?: unknown } = {}
  if (sdkError !== undefined) opts.sdkError = sdkError
  if (cause !== undefined) opts.cause = cause
  return new MessagingError('ERR_ENVELOPE_INVALID', message, opts)
}

/** The DID and subject of a key URI of the envelope. */
function keyUriParts(value: string, name: string): Parts {
  try {
    return resourceParts(value)
  } catch (cause) {
    const sdkError = isMessagingError(cause) ? cause.sdkError : 'TypeError'
    throw invalid(`"${name}" is not a KILT DID resource URI with a #fragment`, sdkError, cause)
  }
}

/** Both key URIs checked, with the DID and subject of each; remembered for the last pair (a conversation repeats it). */
const keyUris = lastPair((senderKeyUri: string, receiverKeyUri: string) => ({
  sender: keyUriParts(senderKeyUri, 'senderKeyUri'),
  receiver: keyUriParts(receiverKeyUri, 'receiverKeyUri'),
}))

function readFields(input: object): Record<string, unknown> {
  const proto = Object.getPrototypeOf(input)
  if (proto !== Object.prototype && proto !== null) throw invalid('The envelope must be a plain object')
  const keys = Object.keys(input)
  for (let i = 0; i < keys.length; i++)
    if (!KNOWN.has(keys[i]!)) throw invalid(`The envelope has an unknown key "${keys[i]!.slice(0, 40)}"`)
  const record = input as Record<string, unknown>
  // Read every field exactly once: later steps only see this snapshot.
  return {
    ciphertext: record.ciphertext,
    nonce: record.nonce,
    senderKeyUri: record.senderKeyUri,
    receiverKeyUri: record.receiverKeyUri,
    receivedAt: record.receivedAt,
  }
}

/**
 * @param maxBytes - upper bound on the summed length of the envelope's strings
 * @param lenientHex - accept upper case and a missing `0x` (SDK `hexToU8a`)
 * @throws MessagingError ERR_ENVELOPE_INVALID, ERR_MESSAGE_TOO_LARGE
 */
export function readEnvelope(input: unknown, maxBytes: number, lenientHex: boolean): CheckedEnvelope {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid('The envelope must be an object')
  let fields: Record<string, unknown>
  try {
    fields = readFields(input)
  } catch (cause) {
    if (isMessagingError(cause)) throw cause
    throw invalid('The envelope cannot be read', undefined, cause)
  }
  const { ciphertext, nonce, senderKeyUri, receiverKeyUri, receivedAt } = fields
  if (typeof ciphertext !== 'string') throw invalid('"ciphertext" must be a hex string')
  if (typeof nonce !== 'string') throw invalid('"nonce" must be a hex string')
  if (typeof senderKeyUri !== 'string') throw invalid('"senderKeyUri" must be a string', 'TypeError')
  if (typeof receiverKeyUri !== 'string') throw invalid('"receiverKeyUri" must be a string', 'TypeError')
  if (receivedAt !== undefined && (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt)))
    throw invalid('"receivedAt" must be a finite number')
  const size = ciphertext.length + nonce.length + senderKeyUri.length + receiverKeyUri.length
  if (size > maxBytes)
    throw new MessagingError('ERR_MESSAGE_TOO_LARGE', `The envelope exceeds ${maxBytes} bytes`)
  // an internal temporary, like the box (see freshNonce on why not an array of its own)
  const nonceBytes = hexDecode(nonce, lenientHex, scratchBytes)
  if (nonceBytes === undefined) throw invalid('"nonce" is not lowercase 0x hex')
  if (nonceBytes.length !== 24) throw invalid(`"nonce" expected 24 bytes, got ${nonceBytes.length}`)
  const parties = keyUris(senderKeyUri, receiverKeyUri)
  const box = hexDecode(ciphertext, lenientHex, scratchBytes)
  if (box === undefined) throw invalid('"ciphertext" is not lowercase 0x hex')
  const out: { -readonly [K in keyof CheckedEnvelope]: CheckedEnvelope[K] } = {
    box,
    nonce: nonceBytes,
    senderKeyUri: senderKeyUri as DidResourceUri,
    receiverKeyUri: receiverKeyUri as DidResourceUri,
    sender: parties.sender,
    receiver: parties.receiver,
  }
  if (receivedAt !== undefined) out.receivedAt = receivedAt as number
  return out
}
