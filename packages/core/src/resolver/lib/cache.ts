/**
 * @module resolver/lib/cache
 * A count-bounded LRU with per-entry expiry, for resolution results.
 */
import { MessagingError } from '../../errors.js'
import type { DidResolutionResult, ResolverCacheOptions } from '../types.js'
import { isNegative, isTransient } from './results.js'

interface Entry {
  readonly value: DidResolutionResult
  readonly expires: number
}

/** The cache used by the HTTP resolver and by `composeResolvers`. */
export class ResultCache {
  readonly #map = new Map<string, Entry>()
  readonly #ttl: number
  readonly #negativeTtl: number
  readonly #max: number
  readonly #now: () => number

  constructor(options: ResolverCacheOptions, now: () => number) {
    this.#ttl = options.ttlMs
    this.#negativeTtl = options.negativeTtlMs ?? Math.min(options.ttlMs, 30_000)
    this.#max = options.maxEntries
    this.#now = now
  }

  /** The cached result, if present and fresh. A hit becomes the most recently used. */
  get(key: string): DidResolutionResult | undefined {
    const entry = this.#map.get(key)
    if (entry === undefined) return undefined
    this.#map.delete(key)
    if (entry.expires <= this.#now()) return undefined
    this.#map.set(key, entry)
    return entry.value
  }

  /** Stores a result; transient failures are never stored. */
  set(key: string, value: DidResolutionResult): void {
    if (isTransient(value)) return
    const ttl = isNegative(value) ? this.#negativeTtl : this.#ttl
    if (ttl <= 0) return
    this.#map.delete(key)
    this.#map.set(key, { value, expires: this.#now() + ttl })
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next()
      if (oldest.done === true) break
      this.#map.delete(oldest.value)
    }
  }

  /** Forgets one key. */
  delete(key: string): void {
    this.#map.delete(key)
  }

  /** The number of entries (fresh or not yet evicted). */
  get size(): number {
    return this.#map.size
  }
}

/**
 * Checks cache options and builds the cache (`false` → none).
 * @throws MessagingError ERR_ARGUMENT_INVALID
 */
export function makeCache(
  options: ResolverCacheOptions | false | undefined,
  fallback: ResolverCacheOptions | false,
  now: () => number,
): ResultCache | undefined {
  const o = options === undefined ? fallback : options
  if (o === false) return undefined
  if (typeof o !== 'object' || o === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"cache" expected an object or false')
  const { ttlMs, maxEntries, negativeTtlMs } = o
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 0)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"cache.ttlMs" expected a finite number >= 0')
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"cache.maxEntries" expected an integer >= 1')
  if (
    negativeTtlMs !== undefined &&
    (typeof negativeTtlMs !== 'number' || !Number.isFinite(negativeTtlMs) || negativeTtlMs < 0)
  )
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"cache.negativeTtlMs" expected a finite number >= 0')
  return new ResultCache(o, now)
}

/**
 * Checks an injected clock option.
 * @throws MessagingError ERR_ARGUMENT_INVALID
 */
export function clockOption(now: unknown): () => number {
  if (now === undefined) return Date.now
  if (typeof now !== 'function') throw new MessagingError('ERR_ARGUMENT_INVALID', '"now" expected a function')
  return now as () => number
}

/** The default cache of resolvers that reach the network. */
export const DEFAULT_CACHE: ResolverCacheOptions = Object.freeze({ ttlMs: 60_000, maxEntries: 1_000 })
