/**
 * @module did/lib/bounded-cache
 * A size-bounded map with second-chance (CLOCK) eviction, for memoising pure functions of strings.
 */

interface Slot<V> {
  readonly value: V
  used: boolean
}

/**
 * A Map that holds at most `limit` entries. A hit only sets a flag (no Map re-insertion on the hot
 * path); inserting past the limit evicts the oldest entry not used since it was last passed over,
 * giving used ones a second chance at the young end — an approximation of LRU.
 */
export class BoundedCache<V> {
  readonly #map = new Map<string, Slot<V>>()
  readonly #limit: number

  constructor(limit: number) {
    this.#limit = limit
  }

  get(key: string): V | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    slot.used = true
    return slot.value
  }

  set(key: string, value: V): void {
    const existing = this.#map.get(key)
    if (existing !== undefined) this.#map.delete(key)
    else this.#evictFor(key)
    this.#map.set(key, { value, used: false })
  }

  get size(): number {
    return this.#map.size
  }

  clear(): void {
    this.#map.clear()
  }

  /** Makes room for one entry. Each pass clears a flag, so this ends within size + 1 steps. */
  #evictFor(key: string): void {
    while (this.#map.size >= this.#limit) {
      const oldest = this.#map.entries().next()
      if (oldest.done === true) return
      const [oldKey, slot] = oldest.value
      this.#map.delete(oldKey)
      if (!slot.used || oldKey === key) return
      slot.used = false
      this.#map.set(oldKey, slot)
    }
  }
}
