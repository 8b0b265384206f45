/**
 * @module did/lib/bounded-cache
 * A size-bounded map with least-recently-used eviction, for memoising pure functions of strings.
 */

/** A Map that holds at most `limit` entries; reading an entry refreshes it, inserting past the limit drops the oldest. */
export class BoundedCache<V> {
  readonly #map = new Map<string, V>()
  readonly #limit: number

  constructor(limit: number) {
    this.#limit = limit
  }

  get(key: string): V | undefined {
    const value = this.#map.get(key)
    if (value !== undefined) {
      // Re-insert so the entry becomes the most recently used one.
      this.#map.delete(key)
      this.#map.set(key, value)
    }
    return value
  }

  set(key: string, value: V): void {
    if (this.#map.has(key)) this.#map.delete(key)
    else if (this.#map.size >= this.#limit) {
      const oldest = this.#map.keys().next()
      if (!oldest.done) this.#map.delete(oldest.value)
    }
    this.#map.set(key, value)
  }

  get size(): number {
    return this.#map.size
  }

  clear(): void {
    this.#map.clear()
  }
}
