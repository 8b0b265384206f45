/**
 * @module message/lib/nonce
 * Fresh 24-byte nonces from the platform CSPRNG, drawn from a small pool so that one system call
 * serves many messages (nonces are public; only their uniqueness matters).
 */
import { randomBytes } from '../../crypto/index.js'

const POOL_BYTES = 24 * 256
let pool: Uint8Array = new Uint8Array(0)
let offset = 0

/** 24 fresh random bytes (a copy: the caller owns it). */
export function freshNonce(): Uint8Array {
  if (offset + 24 > pool.length) {
    pool = randomBytes(POOL_BYTES)
    offset = 0
  }
  const nonce = pool.slice(offset, offset + 24)
  pool.fill(0, offset, offset + 24)
  offset += 24
  return nonce
}
