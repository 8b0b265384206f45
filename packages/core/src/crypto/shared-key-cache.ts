/**
 * @module crypto/shared-key-cache
 * A bounded LRU of precomputed box keys (`crypto_box_beforenm`), keyed by (own key id, peer
 * public key hex). Secret bytes are never used as a map key; entries never exceed the bound.
 * The bound is kept by a two-generation LRU (lib/bounded-cache: O(1) insertion and eviction).
 */
import { MessagingError } from '../errors.js'
import { BoundedCache } from '../lib/bounded-cache.js'
import { toHex } from '../lib/bytes.js'
import { checkKey } from './lib/checks.js'
import type { BoxBackend, SharedKey, SharedKeyCache } from './types.js'

/** Default bound of {@link createSharedKeyCache}. */
export const DEFAULT_SHARED_KEY_CACHE_SIZE = 4096
const MAX_CACHE_SIZE = 1 << 24

/** Options of {@link createSharedKeyCache}. */
export interface SharedKeyCacheOptions {
  /** Most keys kept, least recently used dropped first (two generations: the newest ⌈maxEntries/2⌉ always stay). Integer 1…16777216, default 4096. */
  maxEntries?: number
}

class LruSharedKeyCache implements SharedKeyCache {
  readonly maxEntries: number
  readonly #keys: BoundedCache<SharedKey>
  // Computations in flight (asynchronous backends only; created on first use).
  #pending: Map<string, Promise<SharedKey>> | undefined
  #generation = 0
  // The map id of the last (own id, peer key) seen, for the warm path (the same key object on
  // every call): reused only while the key still holds the same bytes. Reusing the string object
  // also reuses its hash, so the hit costs one Map probe. The copy of the bytes is made when the
  // same key comes a second time (a cache used for one message, e.g. a new peer's, never needs it).
  #lastPeer: Uint8Array | undefined
  #lastBytes: Uint8Array | undefined
  #lastOwnId = ''
  #lastId = ''

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
    this.#keys = new BoundedCache(maxEntries)
  }

  get size(): number {
    return this.#keys.size
  }

  get(
    ownId: string,
    ownSecret: Uint8Array,
    peerPublicKey: Uint8Array,
    backend: BoxBackend,
  ): SharedKey | Promise<SharedKey> {
    if (typeof ownId !== 'string' || ownId.length === 0)
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"ownId" expected a non-empty string')
    checkKey(peerPublicKey, 'peerPublicKey')
    const id = this.#idOf(ownId, peerPublicKey)
    const hit = this.#keys.get(id)
    if (hit !== undefined) return hit
    const inFlight = this.#pending?.get(id)
    if (inFlight !== undefined) return inFlight
    if (typeof backend !== 'object' || backend === null || typeof backend.beforenm !== 'function')
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"backend" expected a BoxBackend')
    const key = backend.beforenm(peerPublicKey, ownSecret)
    if (!(key instanceof Promise)) {
      this.#insert(id, key)
      return key
    }
    const generation = this.#generation
    const p = key.then(
      (k) => {
        // A clear() while computing (e.g. a keyring being destroyed) must not be undone.
        if (generation === this.#generation) {
          this.#pending?.delete(id)
          this.#insert(id, k)
        }
        return k
      },
      (e: unknown) => {
        if (generation === this.#generation) this.#pending?.delete(id)
        throw e
      },
    )
    this.#pending ??= new Map()
    if (this.#pending.size < this.maxEntries) this.#pending.set(id, p)
    return p
  }

  #idOf(ownId: string, peer: Uint8Array): string {
    const repeated = peer === this.#lastPeer && ownId === this.#lastOwnId
    const last = this.#lastBytes
    if (repeated && last !== undefined) {
      let diff = 0
      for (let i = 0; i < 32; i++) diff |= peer[i]! ^ last[i]!
      if (diff === 0) return this.#lastId
    }
    // join, not a template: the id is kept as a Map key, and a concatenation would stay a tree
    const id = [ownId, '\u0000', toHex(peer)].join('')
    if (repeated && id === this.#lastId) {
      // the same key object with the same bytes a second time: keep a copy to check them cheaply
      if (last === undefined) this.#lastBytes = peer.slice()
      else last.set(peer)
      return this.#lastId
    }
    this.#lastPeer = peer
    this.#lastOwnId = ownId
    this.#lastId = id
    if (last !== undefined) last.set(peer)
    return id
  }

  clear(): void {
    this.#lastPeer = undefined
    this.#generation++
    this.#keys.clear()
    this.#pending = undefined
  }

  #insert(id: string, key: SharedKey): void {
    this.#keys.set(id, key)
  }

  toJSON(): { type: 'SharedKeyCache'; size: number; maxEntries: number } {
    return { type: 'SharedKeyCache', size: this.size, maxEntries: this.maxEntries }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SharedKeyCache { size: ${this.size}, maxEntries: ${this.maxEntries} }`
  }
}

/**
 * Creates a bounded LRU cache of precomputed box keys. Shared keys are 32 bytes; callers must not
 * modify the arrays it returns.
 *
 * @param options - `maxEntries` (default 4096)
 * @throws MessagingError ERR_ARGUMENT_INVALID for a bound that is not an integer in 1…2^24
 * @example
 * const cache = createSharedKeyCache({ maxEntries: 1000 })
 * const key = await cache.get('did:kilt:…#encryption', mySecret, peerPublicKey, await getBoxBackend())
 * const box = backend.sealAfternm(plaintext, nonce, key)
 */
export function createSharedKeyCache(options: SharedKeyCacheOptions = {}): SharedKeyCache {
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  return new LruSharedKeyCache(cacheSizeOption(options.maxEntries))
}

/**
 * The `maxEntries` option of {@link createSharedKeyCache} (default when undefined), checked.
 * @throws MessagingError ERR_ARGUMENT_INVALID
 */
export function cacheSizeOption(maxEntries: unknown): number {
  const max = maxEntries ?? DEFAULT_SHARED_KEY_CACHE_SIZE
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > MAX_CACHE_SIZE)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"maxEntries" expected an integer in 1…${MAX_CACHE_SIZE}`,
    )
  return max as number
}
