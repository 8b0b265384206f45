/**
 * @module lib/bounded-cache
 * A size-bounded map for the library's memos (parsed DIDs, decoded addresses and documents, resolved
 * keys, precomputed box keys): at most `limit` entries, the least recently used dropped first.
 *
 * Built on `quick-lru`'s two generations: a full young generation becomes the old one and the
 * previous old one is dropped whole, so insertion and eviction are O(1). (Evicting from the front
 * of a plain `Map` with `keys().next()` is not: V8 leaves deleted slots in place until the table
 * is rehashed and every call walks over them, ~10 µs per insertion at 10,000 entries.)
 */
import QuickLRU from 'quick-lru'

export class BoundedCache<V> {
  // Created on the first insertion: an idle cache (e.g. of a keyring never used) costs no maps.
  #lru: QuickLRU<string, V> | undefined
  /** The most entries ever held. */
  readonly limit: number

  /** @param limit - an integer ≥ 1 */
  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError('BoundedCache limit must be an integer >= 1')
    this.limit = limit
  }

  /** The cached value; a hit counts as a use. */
  get(key: string): V | undefined {
    return this.#lru?.get(key)
  }

  set(key: string, value: V): void {
    // quick-lru holds up to 2·maxSize − 1 entries across its two generations (≤ limit).
    this.#lru ??= new QuickLRU<string, V>({ maxSize: Math.floor((this.limit + 1) / 2) })
    this.#lru.set(key, value)
  }

  delete(key: string): void {
    this.#lru?.delete(key)
  }

  /** The exact number of entries held (counts them: for diagnostics and tests, not hot paths). */
  get size(): number {
    let n = 0
    if (this.#lru !== undefined) for (const _ of this.#lru.keys()) n++
    return n
  }

  clear(): void {
    this.#lru = undefined
  }
}
