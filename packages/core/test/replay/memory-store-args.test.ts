import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMemoryReplayStore } from '../../src/replay/create-memory-replay-store.js'
import { thrownCode } from '../helpers/expect-error.js'

const T = 1_800_000_000_000

describe('createMemoryReplayStore: arguments of markIfNew and purge', () => {
  const badKeys: unknown[] = [undefined, null, '', 42, 0n, true, Symbol('k'), {}, ['a|1'], () => 'a|1']
  const badTimes: unknown[] = [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    undefined,
    null,
    '1800000000000',
    1n,
    Symbol('t'),
    {},
    new Date(T),
  ]

  it('markIfNew refuses a key that is not a non-empty string, and stores nothing', () => {
    const s = createMemoryReplayStore()
    for (const key of badKeys) {
      const label = typeof key === 'symbol' ? 'symbol' : String(key)
      expect(
        thrownCode(() => s.markIfNew(key as string, T + 1000, T)),
        label,
      ).toBe('ERR_ARGUMENT_INVALID')
    }
    expect(s.size).toBe(0)
  })

  it('markIfNew refuses an expiresAt or now that is not a finite number, and stores nothing', () => {
    const s = createMemoryReplayStore()
    for (const t of badTimes) {
      const label = typeof t === 'symbol' ? 'symbol' : String(t)
      expect(
        thrownCode(() => s.markIfNew('k|id', t as number, T)),
        `expiresAt ${label}`,
      ).toBe('ERR_ARGUMENT_INVALID')
      expect(
        thrownCode(() => s.markIfNew('k|id', T + 1000, t as number)),
        `now ${label}`,
      ).toBe('ERR_ARGUMENT_INVALID')
    }
    expect(s.size).toBe(0)
    // the replay the NaN expiry let through
    expect(thrownCode(() => s.markIfNew('k|id', Number.NaN, T))).toBe('ERR_ARGUMENT_INVALID')
    expect(s.markIfNew('k|id', T + 1000, T)).toBe(true)
    expect(s.markIfNew('k|id', T + 1000, T)).toBe(false)
  })

  it('purge refuses a now that is not a finite number, and keeps working after', () => {
    const s = createMemoryReplayStore()
    expect(s.markIfNew('k|id', T + 1000, T)).toBe(true)
    for (const t of badTimes) {
      const label = typeof t === 'symbol' ? 'symbol' : String(t)
      expect(
        thrownCode(() => s.purge(t as number)),
        label,
      ).toBe('ERR_ARGUMENT_INVALID')
    }
    expect(s.size).toBe(1)
    s.purge(T + 999)
    expect(s.size).toBe(1)
    s.purge(T + 1000)
    expect(s.size).toBe(0)
  })

  it('any arguments: either a boolean answer or ERR_ARGUMENT_INVALID, and a refused call stores nothing', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (key, expiresAt, now) => {
        const s = createMemoryReplayStore()
        const valid =
          typeof key === 'string' &&
          key.length > 0 &&
          typeof expiresAt === 'number' &&
          Number.isFinite(expiresAt) &&
          typeof now === 'number' &&
          Number.isFinite(now)
        const code = thrownCode(() => s.markIfNew(key as string, expiresAt as number, now as number))
        expect(code).toBe(valid ? undefined : 'ERR_ARGUMENT_INVALID')
        if (!valid) expect(s.size).toBe(0)
        const purgeCode = thrownCode(() => s.purge(now as number))
        expect(purgeCode).toBe(
          typeof now === 'number' && Number.isFinite(now) ? undefined : 'ERR_ARGUMENT_INVALID',
        )
      }),
      { numRuns: 300 },
    )
  })
})
