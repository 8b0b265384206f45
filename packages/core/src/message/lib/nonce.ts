/**
 * @module message/lib/nonce
 * Fresh 24-byte nonces from the platform CSPRNG, drawn from a pool so that one system call serves
 * many messages (nonces are public; only their uniqueness matters). Every region of a pool is handed
 * out once; a used-up pool is replaced, never refilled.
 */
import { randomBytes } from '../../crypto/index.js'

const POOL_BYTES = 24 * 256
let pool: Uint8Array = new Uint8Array(0)
let offset = 0

/**
 * 24 fresh random bytes: a view into the pool (an internal temporary — copy it before handing it to
 * application code). A view on the pool's memory reaches a native box backend as it is; a small array
 * of its own would be moved off the V8 heap on every such call (~0.6 µs).
 */
export function freshNonce(): Uint8Array {
  if (offset + 24 > pool.length) {
    pool = randomBytes(POOL_BYTES)
    offset = 0
  }
  const nonce = pool.subarray(offset, offset + 24)
  offset += 24
  return nonce
}
