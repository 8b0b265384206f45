import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../src/did/lib/bounded-cache.js'

describe('BoundedCache (second chance)', () => {
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
    expect(cache.size).toBe(4)
  })

  it('evicts in insertion order when nothing is used; re-setting a key refreshes it', () => {
    const cache = new BoundedCache<string>(2)
    cache.set('a', 'A')
    cache.set('b', 'B')
    cache.set('a', 'A2')
    cache.set('c', 'C')
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBe('A2')
    expect(cache.get('c')).toBe('C')
    cache.clear()
    expect(cache.size).toBe(0)
  })
})
