/**
 * @module message/lib/nonce
 * Fresh 24-byte nonces from the platform CSPRNG, drawn from the random pool so that one system call
 * serves many messages (nonces are public; only their uniqueness matters).
 */
import { pooledRandomBytes } from '../../crypto/random.js'

/** 24 fresh random bytes: a view into the random pool (an internal temporary, see `pooledRandomBytes`). */
export function freshNonce(): Uint8Array {
  return pooledRandomBytes(24)
}
