/**
 * @module crypto/random
 * Cryptographically secure random bytes from `globalThis.crypto.getRandomValues`.
 */
import { MessagingError } from '../errors.js'

/** `getRandomValues` fills at most 65536 bytes per call (WebCrypto quota). */
const CHUNK = 65536
/** Largest request accepted (1 GiB). */
export const MAX_RANDOM_BYTES = 2 ** 30

/**
 * Returns `n` cryptographically secure random bytes.
 *
 * @param n - number of bytes, an integer in 0…2^30
 * @throws MessagingError ERR_ARGUMENT_INVALID for a bad `n`, or when the runtime has no `crypto.getRandomValues`
 * @example
 * const nonce = randomBytes(24)
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > MAX_RANDOM_BYTES)
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"n" expected an integer in 0…${MAX_RANDOM_BYTES}`)
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto
  if (typeof c?.getRandomValues !== 'function')
    throw new MessagingError('ERR_ARGUMENT_INVALID', 'this runtime has no crypto.getRandomValues')
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += CHUNK) c.getRandomValues(out.subarray(i, Math.min(n, i + CHUNK)))
  return out
}
