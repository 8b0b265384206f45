/**
 * @module session/lib/session-start
 * Reads what an extension's `startSession` answered (Credential API 3.x `PubSubSession`, or 1.0
 * `PubSubSessionV1`): the session's key URI, the encrypted challenge and its nonce.
 */
import type { DidResourceUri } from '../../did/types.js'
import { isMessagingError, MessagingError } from '../../errors.js'
import { hexDecode } from '../../lib/hex.js'
import { type Parts, resourceParts } from '../../message/lib/did-checks.js'
import { MAX_CHALLENGE_BYTES } from './challenge-bytes.js'

/** A checked session start. */
export interface CheckedSessionStart {
  readonly keyUri: DidResourceUri
  readonly key: Parts
  /** tag16 || ciphertext */
  readonly box: Uint8Array
  readonly nonce: Uint8Array
}

function invalid(message: string, cause?: unknown): MessagingError {
  return cause === undefined
    ? new MessagingError('ERR_SESSION_INVALID', message)
    : new MessagingError('ERR_SESSION_INVALID', message, { cause })
}

function hexField(value: unknown, name: string, maxBytes: number): Uint8Array {
  if (typeof value !== 'string') throw invalid(`"${name}" must be a lowercase 0x hex string`)
  if (value.length > 2 + 2 * maxBytes) throw invalid(`"${name}" exceeds ${maxBytes} bytes`)
  const bytes = hexDecode(value)
  if (bytes === undefined) throw invalid(`"${name}" is not lowercase 0x hex`)
  return bytes
}

/**
 * Only the three fields are read, each once; other members (a `PubSubSession`'s `listen`, `send`,
 * `close`) are ignored.
 * @throws MessagingError ERR_SESSION_INVALID
 */
export function readSessionStart(input: unknown): CheckedSessionStart {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid('The session must be an object { encryptionKeyUri, encryptedChallenge, nonce }')
  let fields: { uri: unknown; id: unknown; encryptedChallenge: unknown; nonce: unknown }
  try {
    const r = input as Record<string, unknown>
    fields = {
      uri: r.encryptionKeyUri,
      id: r.encryptionKeyId,
      encryptedChallenge: r.encryptedChallenge,
      nonce: r.nonce,
    }
  } catch (cause) {
    throw invalid('The session cannot be read', cause)
  }
  if ((fields.uri === undefined) === (fields.id === undefined))
    throw invalid(
      'The session must have exactly one of "encryptionKeyUri" (spec 3.x) and "encryptionKeyId" (spec 1.0)',
    )
  const name = fields.uri === undefined ? 'encryptionKeyId' : 'encryptionKeyUri'
  const keyUri = fields.uri ?? fields.id
  let key: Parts
  try {
    key = resourceParts(keyUri)
  } catch (cause) {
    if (!isMessagingError(cause)) throw cause
    throw invalid(`"${name}" is not a KILT DID resource URI with a #fragment`, cause)
  }
  const nonce = hexField(fields.nonce, 'nonce', 24)
  if (nonce.length !== 24) throw invalid(`"nonce" expected 24 bytes, got ${nonce.length}`)
  const box = hexField(fields.encryptedChallenge, 'encryptedChallenge', MAX_CHALLENGE_BYTES + 16)
  if (box.length < 16) throw invalid('"encryptedChallenge" is shorter than a box (16 bytes)')
  return { keyUri: keyUri as DidResourceUri, key, box, nonce }
}
