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

// A pool of random bytes for small draws on the message hot path (nonces, message ids): one CSPRNG
// call serves many messages. Every region is handed out once; a used-up pool is replaced, never
// refilled, so a view handed out keeps its bytes.
const POOL_BYTES = 8192
let pool: Uint8Array = new Uint8Array(0)
let poolOffset = 0

/**
 * `n` (≤ 8192) fresh random bytes as a view into a shared pool: an internal temporary, not for
 * application code (its `.buffer` holds other draws). A view on the pool's memory also reaches a
 * native backend as it is, where a small array of its own would first be moved off the V8 heap.
 */
export function pooledRandomBytes(n: number): Uint8Array {
  if (poolOffset + n > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, n))
    poolOffset = 0
  }
  const out = pool.subarray(poolOffset, poolOffset + n)
  poolOffset += n
  return out
}
