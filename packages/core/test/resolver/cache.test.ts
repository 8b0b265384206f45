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

  it('insertion cost does not grow with the bound (no O(n) eviction)', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `did:kilt:${i}`)
    /** The best of five runs: ms to insert `count` keys into a cache of `maxEntries`. */
    function insertMs(count: number, maxEntries: number): number {
      let best = Number.POSITIVE_INFINITY
      for (let run = 0; run < 5; run++) {
        const { cache } = cacheOnClock({ ttlMs: 60_000, maxEntries })
        const t = performance.now()
        for (let i = 0; i < count; i++) cache.set(keys[i]!, positive)
        best = Math.min(best, performance.now() - t)
        expect(cache.size).toBeLessThanOrEqual(maxEntries)
      }
      return best
    }
    insertMs(50_000, 10_000) // warm-up
    // Ten times the insertions into a cache ten times larger: ~10× the time when each insertion is
    // O(1); an eviction that walks the table (O(bound)) makes it ~100×.
    // Up to three attempts: a loaded machine can slow one measurement, never an O(bound) eviction's
    // ~100× in all three.
    const ratios: number[] = []
    for (let attempt = 0; attempt < 3 && !(ratios.at(-1)! < 40); attempt++) {
      const small = insertMs(5_000, 1_000)
      const large = insertMs(50_000, 10_000)
      ratios.push(large / Math.max(small, 0.5))
    }
    expect(Math.min(...ratios)).toBeLessThan(40)
  })
})
