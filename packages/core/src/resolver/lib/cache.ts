/**
 * @module resolver/lib/cache
 * A count-bounded LRU with per-entry expiry, for resolution results.
 *
 * The bound is {@link BoundedCache} (`quick-lru`'s two generations: O(1) insertion and eviction;
 * at most `maxEntries` entries, the ⌈maxEntries/2⌉ most recently used always kept, older ones
 * dropped a generation at a time rather than strictly one by one). Expiry is kept here, against
 * the injected clock (`quick-lru`'s own `maxAge` reads `Date.now()`): an expired entry is never
 * returned, and is dropped when looked up or when its generation goes.
 */
import { MessagingError } from '../../errors.js'
import { BoundedCache } from '../../lib/bounded-cache.js'
import type { DidResolutionResult, ResolverCacheOptions } from '../types.js'
import { isNegative, isTransient } from './results.js'

interface Entry {
  readonly value: DidResolutionResult
  readonly expires: number
}

/** The cache used by the HTTP resolver and by `composeResolvers` (options checked by {@link makeCache}). */
export class ResultCache {
  readonly #entries: BoundedCache<Entry>
  readonly #ttl: number
  readonly #negativeTtl: number
  readonly #now: () => number

  constructor(options: ResolverCacheOptions, now: () => number) {
    this.#ttl = options.ttlMs
    this.#negativeTtl = options.negativeTtlMs ?? Math.min(options.ttlMs, 30_000)
    this.#entries = new BoundedCache(options.maxEntries)
    this.#now = now
  }

  /** The cached result, if present and fresh. A hit counts as a use; an expired entry is dropped. */
  get(key: string): DidResolutionResult | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  /** Stores a result; transient failures are never stored. */
  set(key: string, value: DidResolutionResult): void {
    if (isTransient(value)) return
    const ttl = isNegative(value) ? this.#negativeTtl : this.#ttl
    if (ttl <= 0) return
    this.#entries.set(key, { value, expires: this.#now() + ttl })
  }

  /** Forgets one key. */
  delete(key: string): void {
    this.#entries.delete(key)
  }

  /** The number of entries held, fresh or not yet dropped (counts them: for diagnostics and tests). */
  get size(): number {
    return this.#entries.size
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
