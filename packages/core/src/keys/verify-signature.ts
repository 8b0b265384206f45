/**
 * @module keys/verify-signature
 * Signature verification for DID signing keys: sr25519 (schnorrkel, `substrate` signing context, as
 * polkadot `sr25519Verify`) and ed25519 (RFC 8032 / ZIP-215 rules of `@noble/curves`).
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import * as sr25519 from '@scure/sr25519'
import { MessagingError } from '../errors.js'
import { assertBytes } from '../lib/bytes.js'
import { describe } from './lib/describe.js'
import type { SigningKeyType } from './types.js'

/** Input of {@link verifySignature}. */
export interface VerifySignatureInput {
  /** `'sr25519'` or `'ed25519'`. */
  readonly type: SigningKeyType
  /** 32 bytes. */
  readonly publicKey: Uint8Array
  /** The signed bytes (any length). */
  readonly message: Uint8Array
  /** 64 bytes; any other length simply does not verify. */
  readonly signature: Uint8Array
}

/**
 * Verifies a signature. A wrong, tampered, truncated or garbage signature, or a 32-byte public key
 * that is not a valid point, gives `false`; it never throws for those.
 * @param input - `{ type, publicKey (32 bytes), message, signature (64 bytes) }`
 * @returns true when the signature is valid for the message under the public key
 * @throws MessagingError ERR_ARGUMENT_INVALID when `input` is not an object or a field is not a
 *   Uint8Array; ERR_KEY_TYPE_UNSUPPORTED for a type other than sr25519/ed25519; ERR_KEY_INVALID when
 *   `publicKey` is not 32 bytes
 * @example
 * const pair = sr25519FromSeed(seed)
 * const message = utf8('hello')
 * verifySignature({ type: 'sr25519', publicKey: pair.publicKey, message, signature: pair.sign(message) }) // true
 */
export function verifySignature(input: VerifySignatureInput): boolean {
  if (typeof input !== 'object' || input === null)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"input" expected an object, got ${input === null ? 'null' : typeof input}`,
    )
  const { type, publicKey, message, signature } = input
  if (type !== 'sr25519' && type !== 'ed25519')
    throw new MessagingError(
      typeof type === 'string' ? 'ERR_KEY_TYPE_UNSUPPORTED' : 'ERR_ARGUMENT_INVALID',
      `"type" expected 'sr25519' or 'ed25519', got ${describe(type)}`,
    )
  assertBytes(publicKey, 'publicKey')
  assertBytes(publicKey, 'publicKey', 32, 'ERR_KEY_INVALID')
  assertBytes(message, 'message')
  assertBytes(signature, 'signature')
  if (signature.length !== 64) return false
  try {
    return type === 'sr25519'
      ? sr25519.verify(message, signature, publicKey)
      : ed25519.verify(signature, message, publicKey)
  } catch {
    // Undecodable R or public key, missing schnorrkel marker, s out of range: not a valid signature.
    return false
  }
}
