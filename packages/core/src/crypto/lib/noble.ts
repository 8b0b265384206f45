/**
 * @module crypto/lib/noble
 * The pure-JS backend: `@noble/curves` X25519 and `@noble/ciphers` XSalsa20-Poly1305. Always
 * available, synchronous; also supplies the symmetric half of the node and WebCrypto backends.
 */

import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js'
import { x25519 } from '@noble/curves/ed25519.js'
import type { BoxBackend } from '../types.js'
import { defineBackend } from './checks.js'

/** `crypto_secretbox_easy` with noble. */
export function nobleSeal(plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return xsalsa20poly1305(key, nonce).encrypt(plaintext)
}

/** `crypto_secretbox_open_easy` with noble; null on authentication failure. */
export function nobleOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  try {
    return xsalsa20poly1305(key, nonce).decrypt(box)
  } catch {
    return null
  }
}

/** The noble backend. */
export const nobleImpl: BoxBackend = defineBackend({
  name: 'noble',
  publicKey: (secretKey) => x25519.getPublicKey(secretKey),
  sharedSecret: (peerPublicKey, secretKey) => x25519.getSharedSecret(secretKey, peerPublicKey),
  seal: nobleSeal,
  open: nobleOpen,
})
