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
  /**
   * `crypto_box_easy_afternm`: returns tag16 || ciphertext. `out`, when given, must have exactly
   * `plaintext.length + 16` bytes; a backend may write the result there (always use the result).
   */
  sealAfternm(plaintext: Uint8Array, nonce: Uint8Array, key: SharedKey, out?: Uint8Array): Uint8Array
  /**
   * `crypto_box_open_easy_afternm`: returns the plaintext, or `null` on any authentication failure.
   * `out`, when given, must have exactly `box.length - 16` bytes; as for `sealAfternm`.
   */
  openAfternm(box: Uint8Array, nonce: Uint8Array, key: SharedKey, out?: Uint8Array): Uint8Array | null
  /**
   * Optional: drops any state the backend derived from this secret-key array (e.g. an imported
   * private key object), so that wiping the array leaves no copy behind.
   */
  forgetSecret?(secretKey: Uint8Array): void
}

/** Names of the built-in backends, fastest first. */
export type BoxBackendName = 'sodium' | 'node' | 'webcrypto' | 'noble'

/** A bounded LRU of precomputed box keys, keyed by (own key id, peer public key). */
export interface SharedKeyCache {
  /** Number of cached keys (never above `maxEntries`). */
  readonly size: number
  /** The configured bound. */
  readonly maxEntries: number
  /**
   * The precomputed key for (`ownId`, `peerPublicKey`), computed with `backend.beforenm` on a miss.
   * Synchronous on a hit and with synchronous backends.
   */
  get(
    ownId: string,
    ownSecret: Uint8Array,
    peerPublicKey: Uint8Array,
    backend: BoxBackend,
  ): SharedKey | Promise<SharedKey>
  /** Drops every entry. */
  clear(): void
}
