/**
 * @module lib/envelope
 * Strict, cheap shape check of a deposited envelope (KILT `IEncryptedMessage`). Length and
 * alphabet loops instead of regular expressions over long hex (relay-ceiling.md: regex schema
 * validation of the ciphertext costs ~18 % of throughput). The relay never decrypts.
 */
import { didSubject, validateDidUri } from '@kilt-messaging/core'
import { MAX_KEY_LENGTH } from '../store/lib/validate.js'
import { RelayError } from './errors.js'
import { hasControlCharacter } from './options.js'

/** Longest DID resource URI accepted (a light DID with services can be long): what the store takes. */
export const MAX_KEY_URI_LENGTH = MAX_KEY_LENGTH
/** NaCl box tag length: a ciphertext is at least this many bytes. */
export const MIN_CIPHERTEXT_BYTES = 16
const NONCE_HEX_LENGTH = 2 + 24 * 2
const ALLOWED_KEYS = new Set(['ciphertext', 'nonce', 'senderKeyUri', 'receiverKeyUri', 'receivedAt'])

/** An envelope that passed the shape check, ready for the store. */
export interface CheckedEnvelope {
  /** Mailbox key: the receiver DID's subject. */
  readonly mailbox: string
  readonly senderKeyUri: string
  /** True when `receiverKeyUri` names a full DID (`did:kilt:<address>`), false for a light DID. */
  readonly receiverFullDid: boolean
  /** The envelope JSON as stored, with the relay's `receivedAt`. */
  readonly json: string
  /** UTF-8 byte length of `json`. */
  readonly size: number
}

/** True when `s[from..]` is lowercase hex digits only. */
export function isLowerHexFrom(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

function invalid(message: string): RelayError {
  return new RelayError('ERR_ENVELOPE_INVALID', message)
}

function checkHexField(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalid(`"${name}" must be a string`)
  if (value.length < 2 || value.charCodeAt(0) !== 48 || value.charCodeAt(1) !== 120)
    throw invalid(`"${name}" must start with 0x`)
  if (value.length % 2 !== 0) throw invalid(`"${name}" must have an even number of hex digits`)
  if (!isLowerHexFrom(value, 2)) throw invalid(`"${name}" must be lowercase hex`)
  return value
}

/**
 * A DID (`'Did'`) or DID resource URI (`'ResourceUri'`) from a request, as the store keeps it: a
 * string of at most {@link MAX_KEY_URI_LENGTH} characters without control characters, in the KILT
 * grammar. (The grammar lets a fragment hold any character but '#' and a line feed; a NUL or another
 * control character names no real key, and PostgreSQL refuses a NUL in text outright.)
 * @throws RelayError `code` (400)
 */
export function checkDidText(
  value: unknown,
  name: string,
  expect: 'Did' | 'ResourceUri',
  code: 'ERR_ENVELOPE_INVALID' | 'ERR_REQUEST_INVALID',
): string {
  const what = expect === 'Did' ? 'KILT DID' : 'KILT DID resource URI'
  if (typeof value !== 'string') throw new RelayError(code, `"${name}" must be a string`)
  if (value.length > MAX_KEY_URI_LENGTH) throw new RelayError(code, `"${name}" is too long`)
  if (hasControlCharacter(value)) throw new RelayError(code, `"${name}" must not contain control characters`)
  try {
    validateDidUri(value, expect)
  } catch (e) {
    throw new RelayError(code, `"${name}" is not a ${what}`, { cause: e })
  }
  return value
}

function checkKeyUri(value: unknown, name: string): string {
  return checkDidText(value, name, 'ResourceUri', 'ERR_ENVELOPE_INVALID')
}

/**
 * Checks one deposited envelope and serialises it with the relay's `receivedAt`.
 * A numeric `receivedAt` sent by the client is ignored (overwritten); any other type is refused.
 * @param input - the parsed JSON item
 * @param receivedAt - the relay's time of receipt (ms)
 * @param maxBytes - largest stored envelope in bytes
 * @throws RelayError ERR_ENVELOPE_INVALID (400), ERR_MESSAGE_TOO_LARGE (413)
 * @example
 * const { mailbox, json } = checkEnvelope(body, Date.now(), 256 * 1024)
 */
export function checkEnvelope(input: unknown, receivedAt: number, maxBytes: number): CheckedEnvelope {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid('an envelope must be a JSON object')
  const obj = input as Record<string, unknown>
  for (const key of Object.keys(obj))
    if (!ALLOWED_KEYS.has(key)) throw invalid(`unknown field "${key.slice(0, 40)}"`)
  const { ciphertext, nonce, receivedAt: clientReceivedAt } = obj
  if (clientReceivedAt !== undefined && typeof clientReceivedAt !== 'number')
    throw invalid('"receivedAt" is set by the relay')
  // Length first: an oversized ciphertext is refused before any character is scanned.
  if (typeof ciphertext === 'string' && ciphertext.length > maxBytes)
    throw new RelayError('ERR_MESSAGE_TOO_LARGE', `envelope exceeds ${maxBytes} bytes`)
  checkHexField(ciphertext, 'ciphertext')
  if ((ciphertext as string).length < 2 + MIN_CIPHERTEXT_BYTES * 2)
    throw invalid(`"ciphertext" must be at least ${MIN_CIPHERTEXT_BYTES} bytes`)
  if (typeof nonce !== 'string' || nonce.length !== NONCE_HEX_LENGTH)
    throw invalid('"nonce" must be 24 bytes')
  checkHexField(nonce, 'nonce')
  const senderKeyUri = checkKeyUri(obj.senderKeyUri, 'senderKeyUri')
  const receiverKeyUri = checkKeyUri(obj.receiverKeyUri, 'receiverKeyUri')
  let mailbox: string
  try {
    mailbox = didSubject(receiverKeyUri)
  } catch (e) {
    throw new RelayError('ERR_ENVELOPE_INVALID', '"receiverKeyUri" has no DID subject', { cause: e })
  }
  const json = JSON.stringify({ ciphertext, nonce, senderKeyUri, receiverKeyUri, receivedAt })
  const size = Buffer.byteLength(json, 'utf8')
  if (size > maxBytes) throw new RelayError('ERR_MESSAGE_TOO_LARGE', `envelope exceeds ${maxBytes} bytes`)
  const receiverFullDid = !receiverKeyUri.startsWith('did:kilt:light:')
  return { mailbox, senderKeyUri, receiverFullDid, json, size }
}
