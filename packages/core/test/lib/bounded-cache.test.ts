import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../src/lib/bounded-cache.js'

describe('BoundedCache (two-generation LRU)', () => {
  it('never exceeds its bound and answers only what was set last for a key', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 })), { maxLength: 300 }),
        (limit, ops) => {
          const cache = new BoundedCache<number>(limit)
          const latest = new Map<string, number>()
          ops.forEach(([isSet, k], i) => {
            const key = `k${k}`
            if (isSet) {
              cache.set(key, i)
              latest.set(key, i)
              expect(cache.get(key)).toBe(i)
            } else {
              const v = cache.get(key)
              if (v !== undefined) expect(v).toBe(latest.get(key))
            }
            expect(cache.size).toBeLessThanOrEqual(limit)
          })
        },
      ),
      { numRuns: 200 },
    )
  })

  it('always keeps the ⌈limit/2⌉ most recently set keys', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 200 }), (limit, n) => {
        const cache = new BoundedCache<number>(limit)
        for (let i = 0; i < n; i++) cache.set(`k${i}`, i)
        const keep = Math.min(n, Math.floor((limit + 1) / 2))
        for (let i = n - keep; i < n; i++) expect(cache.get(`k${i}`)).toBe(i)
      }),
      { numRuns: 200 },
    )
  })

  it('keeps an entry that is used while others pass through once', () => {
    const cache = new BoundedCache<number>(4)
    cache.set('hot', 0)
    for (let i = 0; i < 100; i++) {
      expect(cache.get('hot')).toBe(0)
      cache.set(`cold${i}`, i)
    }
    expect(cache.get('hot')).toBe(0)
    expect(cache.get('cold0')).toBeUndefined()
    expect(cache.get('cold99')).toBe(99)
    expect(cache.size).toBeLessThanOrEqual(4)
  })

  it('delete and clear forget entries; a bound below 1 is refused', () => {
    const cache = new BoundedCache<string>(6)
    cache.set('a', 'A')
    cache.set('b', 'B')
    cache.delete('a')
    expect(cache.get('a')).toBeUndefined()
    expect(cache.get('b')).toBe('B')
    cache.clear()
    expect(cache.size).toBe(0)
    expect(() => new BoundedCache(0)).toThrow(RangeError)
  })

  it('one key lives in a slot; a second builds the LRU; delete and clear work in both states', () => {
    for (const limit of [1, 2, 5]) {
      const cache = new BoundedCache<number>(limit)
      expect(cache.get('a')).toBeUndefined()
      cache.set('a', 1)
      cache.set('a', 2)
      expect(cache.get('a')).toBe(2)
      expect(cache.size).toBe(1)
      cache.delete('b')
      expect(cache.size).toBe(1)
      cache.delete('a')
      expect(cache.get('a')).toBeUndefined()
      expect(cache.size).toBe(0)
      cache.set('a', 3)
      cache.set('b', 4)
      expect(cache.get('b')).toBe(4)
      if (limit >= 3) expect(cache.get('a')).toBe(3)
      expect(cache.size).toBeLessThanOrEqual(limit)
      cache.clear()
      expect(cache.size).toBe(0)
      expect(cache.get('a')).toBeUndefined()
      expect(cache.get('b')).toBeUndefined()
      cache.set('c', 5)
      expect(cache.get('c')).toBe(5)
    }
  })
})
