/**
 * @module crypto/types
 * The NaCl box backend interface: x25519-xsalsa20-poly1305 (`crypto_box_easy` format: tag16 || ct).
 */

/** A precomputed box key (`crypto_box_beforenm` = HSalsa20(X25519(sk, pk), 0)). 32 bytes. */
export type SharedKey = Uint8Array

/** One implementation of the primitives (pure JS, node:crypto, WebCrypto, sodium-native). */
export interface BoxBackend {
  /** A short name for diagnostics and benchmarks, e.g. "noble", "node", "webcrypto", "sodium". */
  readonly name: string
  /** X25519 public key for a 32-byte secret. */
  publicKey(secretKey: Uint8Array): Uint8Array | Promise<Uint8Array>
  /** `crypto_box_beforenm(peerPublicKey, secretKey)`. Throws on a low-order peer key (all-zero shared secret). */
  beforenm(peerPublicKey: Uint8Array, secretKey: Uint8Array): SharedKey | Promise<SharedKey>
  /** `crypto_box_easy_afternm`: returns tag16 || ciphertext. */
  sealAfternm(plaintext: Uint8Array, nonce: Uint8Array, key: SharedKey): Uint8Array
  /** `crypto_box_open_easy_afternm`: returns the plaintext, or `null` on any authentication failure. */
  openAfternm(box: Uint8Array, nonce: Uint8Array, key: SharedKey): Uint8Array | null
}
