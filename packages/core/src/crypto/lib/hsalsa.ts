/**
 * @module crypto/lib/hsalsa
 * `crypto_box_beforenm`'s second step: HSalsa20(sharedSecret, 0^16) with the "expand 32-byte k"
 * constant (spec §3.1), via noble's `hsalsa`.
 */
import { hsalsa } from '@noble/ciphers/salsa.js'

// noble's hsalsa takes host-order word views of the byte strings on every host (it byte-swaps
// internally on big-endian ones), so plain Uint32Array views over aligned bytes are portable.
const SIGMA_BYTES = new Uint8Array(16)
SIGMA_BYTES.set([...'expand 32-byte k'].map((c) => c.charCodeAt(0)))
const SIGMA = new Uint32Array(SIGMA_BYTES.buffer)
const ZERO_NONCE = new Uint32Array(4)

/** Derives the 32-byte box key from a 32-byte X25519 shared secret. */
export function hsalsaKey(shared: Uint8Array): Uint8Array {
  const aligned = shared.byteOffset % 4 === 0 ? shared : shared.slice()
  const out = new Uint8Array(32)
  hsalsa(
    SIGMA,
    new Uint32Array(aligned.buffer, aligned.byteOffset, 8),
    ZERO_NONCE,
    new Uint32Array(out.buffer),
  )
  if (aligned !== shared) aligned.fill(0)
  return out
}
