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
  // Created for a second key: an idle cache (e.g. of a keyring never used) costs no maps, and one
  // holding a single key (a keyring talking to one peer) keeps it in the slot below.
  #lru: QuickLRU<string, V> | undefined
  #onlyKey: string | undefined
  #onlyValue: V | undefined
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
    if (this.#lru !== undefined) return this.#lru.get(key)
    return key === this.#onlyKey ? this.#onlyValue : undefined
  }

  set(key: string, value: V): void {
    if (this.#lru === undefined) {
      if (this.#onlyKey === undefined || this.#onlyKey === key) {
        this.#onlyKey = key
        this.#onlyValue = value
        return
      }
      // quick-lru holds up to 2·maxSize − 1 entries across its two generations (≤ limit).
      this.#lru = new QuickLRU<string, V>({ maxSize: Math.floor((this.limit + 1) / 2) })
      this.#lru.set(this.#onlyKey, this.#onlyValue as V)
      this.#onlyKey = undefined
      this.#onlyValue = undefined
    }
    this.#lru.set(key, value)
  }

  delete(key: string): void {
    if (this.#lru !== undefined) this.#lru.delete(key)
    else if (key === this.#onlyKey) this.#onlyKey = this.#onlyValue = undefined
  }

  /** The exact number of entries held (counts them: for diagnostics and tests, not hot paths). */
  get size(): number {
    if (this.#lru === undefined) return this.#onlyKey === undefined ? 0 : 1
    let n = 0
    for (const _ of this.#lru.keys()) n++
    return n
  }

  clear(): void {
    this.#lru = undefined
    this.#onlyKey = this.#onlyValue = undefined
  }
}
