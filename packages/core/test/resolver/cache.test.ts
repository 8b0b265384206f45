import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeCache, type ResultCache } from '../../src/resolver/lib/cache.js'
import { deactivated, failure, found } from '../../src/resolver/lib/results.js'
import type { DidResolutionResult, ResolverCacheOptions } from '../../src/resolver/types.js'
import { thrownCode } from '../helpers/expect-error.js'
import { manualClock, syntheticFullDocument } from './fixtures.js'

const positive = found(syntheticFullDocument(1))

/** The cache of `options` on a manual clock. */
function cacheOnClock(options: ResolverCacheOptions) {
  const clock = manualClock()
  const cache = makeCache(options, false, clock.now) as ResultCache
  expect(cache).toBeDefined()
  return { clock, cache }
}

describe('ResultCache', () => {
  it('keeps positive answers for ttlMs, negative ones for negativeTtlMs, failures never', () => {
    const { clock, cache } = cacheOnClock({ ttlMs: 1000, negativeTtlMs: 100, maxEntries: 10 })
    const notFound = failure('notFound', 'no')
    const gone = deactivated()
    cache.set('p', positive)
    cache.set('n', notFound)
    cache.set('d', gone)
    cache.set('f', failure('internalError', 'down'))
    expect(cache.get('f')).toBeUndefined()
    expect(cache.size).toBe(3)
    clock.advance(99)
    expect([cache.get('p'), cache.get('n'), cache.get('d')]).toEqual([positive, notFound, gone])
    clock.advance(1)
    expect([cache.get('p'), cache.get('n'), cache.get('d')]).toEqual([positive, undefined, undefined])
    clock.advance(899)
    expect(cache.get('p')).toBe(positive)
    clock.advance(1)
    expect(cache.get('p')).toBeUndefined()
    // An expired entry is dropped when looked up.
    expect(cache.size).toBe(0)
  })

  it('a TTL of 0 stores nothing; delete forgets a key; the newest answer for a key wins', () => {
    const { cache } = cacheOnClock({ ttlMs: 1000, negativeTtlMs: 0, maxEntries: 10 })
    cache.set('n', failure('notFound', 'no'))
    expect(cache.get('n')).toBeUndefined()
    cache.set('p', positive)
    const other = found(syntheticFullDocument(2))
    cache.set('p', other)
    expect(cache.get('p')).toBe(other)
    cache.delete('p')
    expect(cache.get('p')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('makeCache checks its options (ERR_ARGUMENT_INVALID) and `false` means no cache', () => {
    const now = () => 0
    expect(makeCache(false, { ttlMs: 1, maxEntries: 1 }, now)).toBeUndefined()
    expect(makeCache(undefined, false, now)).toBeUndefined()
    const bad: unknown[] = [
      null,
      42,
      { ttlMs: -1, maxEntries: 1 },
      { ttlMs: Number.POSITIVE_INFINITY, maxEntries: 1 },
      { ttlMs: 1, maxEntries: 0 },
      { ttlMs: 1, maxEntries: 2.5 },
      { ttlMs: 1, maxEntries: Number.MAX_VALUE },
      { ttlMs: 1, maxEntries: 1, negativeTtlMs: -1 },
      { ttlMs: 1, maxEntries: 1, negativeTtlMs: '5' },
    ]
    for (const options of bad)
      expect(
        thrownCode(() => makeCache(options as ResolverCacheOptions, false, now)),
        JSON.stringify(options),
      ).toBe('ERR_ARGUMENT_INVALID')
  })

  it('never holds more than maxEntries and never returns an expired or superseded answer', () => {
    const answers: readonly DidResolutionResult[] = [
      positive,
      found(syntheticFullDocument(2)),
      failure('notFound', 'no'),
      deactivated(),
      failure('internalError', 'down'),
      failure('invalidDid', 'bad'),
    ]
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(15), answer: fc.nat(answers.length - 1) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.nat(15) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(200) }),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.nat(150),
        fc.option(fc.nat(150), { nil: undefined }),
        fc.array(op, { maxLength: 300 }),
        (maxEntries, ttlMs, negativeTtlMs, ops) => {
          const { clock, cache } = cacheOnClock({ maxEntries, ttlMs, negativeTtlMs })
          const negativeTtl = negativeTtlMs ?? Math.min(ttlMs, 30_000)
          // The model: the last answer stored per key, and until when it is fresh.
          const stored = new Map<string, { value: DidResolutionResult; expires: number }>()
          for (const o of ops) {
            if (o.kind === 'advance') clock.advance(o.ms)
            else if (o.kind === 'set') {
              const key = `k${o.key}`
              const value = answers[o.answer]!
              cache.set(key, value)
              const transient = value.error !== undefined && value.error !== 'notFound'
              const negative = value.error === 'notFound' || value.metadata.deactivated === true
              const ttl = negative ? negativeTtl : ttlMs
              if (!transient && ttl > 0) {
                stored.set(key, { value, expires: clock.now() + ttl })
                expect(cache.get(key)).toBe(value)
              }
            } else {
              const key = `k${o.key}`
              const hit = cache.get(key)
              if (hit !== undefined) {
                const model = stored.get(key)
                expect(hit).toBe(model?.value)
                expect(clock.now()).toBeLessThan(model!.expires)
              }
            }
            expect(cache.size).toBeLessThanOrEqual(maxEntries)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('keeps the most recently used entries: a hit counts as a use', () => {
    const { cache } = cacheOnClock({ ttlMs: 10_000, maxEntries: 6 })
    cache.set('hot', positive)
    for (let i = 0; i < 100; i++) {
      expect(cache.get('hot')).toBe(positive)
      cache.set(`cold${i}`, positive)
      expect(cache.size).toBeLessThanOrEqual(6)
    }
    expect(cache.get('hot')).toBe(positive)
    expect(cache.get('cold99')).toBe(positive)
    expect(cache.get('cold0')).toBeUndefined()
  })

  it('insertion work does not grow with the bound (no O(n) eviction)', () => {
    /** Inserts `count` fresh keys into a cache of `maxEntries`; checks the work done per insertion. */
    function checkedWork(count: number, maxEntries: number) {
      let clockReads = 0
      const cache = makeCache({ ttlMs: 60_000, maxEntries }, false, () => {
        clockReads++
        return 1_000_000
      }) as ResultCache
      const keys = Array.from({ length: count }, (_, i) => `did:kilt:${i}`)
      const w = countMapWork(() => {
        for (let i = 0; i < count; i++) cache.set(keys[i]!, positive)
      })
      expect(cache.size).toBeLessThanOrEqual(maxEntries)
      // The clock is read at most once per insertion (its expiry), whatever the cache holds.
      expect(clockReads).toBeLessThanOrEqual(count)
      // Old entries go a whole generation at a time: none is deleted one by one (a Map emptied from the
      // front with `keys().next()` + `delete` is O(deleted slots) per call in V8, invisible to a call
      // count) and no table is walked (an eviction scanning for the oldest entry or for expired ones).
      expect(w.deletes).toBe(0)
      expect(w.walked).toBe(0)
      // A constant number of keyed Map operations per insertion (lookup and store) — and at least one:
      // the entries are held in Maps, so the counts above see the eviction's work.
      expect(w.keyed).toBeGreaterThanOrEqual(count)
      expect(w.keyed).toBeLessThanOrEqual(4 * count)
      return w
    }
    const small = checkedWork(5_000, 1_000)
    const large = checkedWork(50_000, 10_000)
    // Ten times the insertions into a cache ten times larger: ten times the work, not a hundred.
    expect(large.keyed / 50_000).toBeLessThanOrEqual(small.keyed / 5_000)
  })
})

/**
 * Runs `fn` with the Map primitives instrumented: `keyed` counts get/set/has calls, `deletes` the
 * entries deleted one by one (delete, clear's entries), `walked` the entries visited by any iteration
 * (iterator steps, forEach callbacks). `fn` must be synchronous: nothing else runs while it does.
 */
function countMapWork(fn: () => void): { keyed: number; deletes: number; walked: number } {
  const proto = Map.prototype
  const iterator = Object.getPrototypeOf(new Map().entries()) as { next: () => IteratorResult<unknown> }
  const saved = {
    get: proto.get,
    set: proto.set,
    has: proto.has,
    delete: proto.delete,
    clear: proto.clear,
    forEach: proto.forEach,
    next: iterator.next,
  }
  const count = { keyed: 0, deletes: 0, walked: 0 }
  proto.get = function (this: Map<unknown, unknown>, key: unknown) {
    count.keyed++
    return saved.get.call(this, key)
  }
  proto.set = function (this: Map<unknown, unknown>, key: unknown, value: unknown) {
    count.keyed++
    return saved.set.call(this, key, value)
  }
  proto.has = function (this: Map<unknown, unknown>, key: unknown) {
    count.keyed++
    return saved.has.call(this, key)
  }
  proto.delete = function (this: Map<unknown, unknown>, key: unknown) {
    count.deletes++
    return saved.delete.call(this, key)
  }
  proto.clear = function (this: Map<unknown, unknown>) {
    count.deletes += this.size
    saved.clear.call(this)
  }
  proto.forEach = function (
    this: Map<unknown, unknown>,
    ...args: Parameters<Map<unknown, unknown>['forEach']>
  ) {
    count.walked += this.size
    saved.forEach.apply(this, args)
  }
  iterator.next = function (this: Iterator<unknown>) {
    count.walked++
    return saved.next.call(this)
  }
  try {
    fn()
  } finally {
    Object.assign(proto, {
      get: saved.get,
      set: saved.set,
      has: saved.has,
      delete: saved.delete,
      clear: saved.clear,
      forEach: saved.forEach,
    })
    iterator.next = saved.next
  }
  return count
}
