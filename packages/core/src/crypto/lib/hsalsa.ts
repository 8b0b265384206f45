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

// Word scratch for the input and output, with byte views on the same memory. (Taking `.buffer` of
// the caller's small arrays would make V8 move each of them off its heap: ~0.5 µs per call.)
const inWords = new Uint32Array(8)
const inBytes = new Uint8Array(inWords.buffer)
const outWords = new Uint32Array(8)
const outBytes = new Uint8Array(outWords.buffer)

/** Derives the 32-byte box key from a 32-byte X25519 shared secret. */
export function hsalsaKey(shared: Uint8Array): Uint8Array {
  inBytes.set(shared)
  hsalsa(SIGMA, inWords, ZERO_NONCE, outWords)
  const key = outBytes.slice()
  // the scratch held key material
  inWords.fill(0)
  outWords.fill(0)
  return key
}
