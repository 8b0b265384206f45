import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { newRetentionState, retentionExpiry } from '../../src/replay/retention.js'
import { thrownCode } from '../helpers/expect-error.js'

describe('retentionExpiry (stores shared by guards of different windows)', () => {
  it('one window: ids live exactly as long as the window accepts the message', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 1e7 }), (created, w) => {
        const state = newRetentionState()
        expect(retentionExpiry(state, created, created, w, 1000)).toBe(created + w + 1)
        // still inside the window: never refused
        expect(retentionExpiry(state, created, created + w, w, 1000)).toBe(created + w + 1)
      }),
    )
  })

  it('widened later: ids live for the widest window; a message the narrower one may have let go is stale', () => {
    const state = newRetentionState()
    const T = 1_000_000
    expect(retentionExpiry(state, T, T + 10, 60_000, 1_000)).toBe(T + 60_001)
    // 90 s later, a 10 min window: the 60 s record of a message created at T may be gone
    expect(thrownCode(() => retentionExpiry(state, T, T + 90_000, 600_000, 1_000))).toBe('ERR_MESSAGE_STALE')
    // a message created after the widening lives 10 min, even under the narrow window
    expect(retentionExpiry(state, T + 100_000, T + 100_500, 60_000, 1_000)).toBe(T + 100_000 + 600_001)
    expect(state.steps).toEqual([
      [T + 10, 60_000],
      [T + 90_000, 600_000],
    ])
  })

  it('refuses a malformed state or non-finite numbers with ERR_ARGUMENT_INVALID', () => {
    const ok = () => newRetentionState()
    for (const [state, args] of [
      [null, [0, 0, 1, 1]],
      [{ steps: 'x', maxFutureSkewMs: 0 }, [0, 0, 1, 1]],
      [
        {
          steps: [
            [0, 5],
            [1, 5],
          ],
          maxFutureSkewMs: 0,
        },
        [0, 0, 1, 1],
      ],
      [{ steps: [[0]], maxFutureSkewMs: 0 }, [0, 0, 1, 1]],
      [{ steps: [], maxFutureSkewMs: -1 }, [0, 0, 1, 1]],
      [ok(), [Number.NaN, 0, 1, 1]],
      [ok(), [0, Number.POSITIVE_INFINITY, 1, 1]],
      [ok(), [0, 0, -1, 1]],
      [ok(), [0, 0, 1, Number.NaN]],
    ] as const)
      expect(
        thrownCode(() => retentionExpiry(state as never, ...(args as [number, number, number, number]))),
      ).toBe('ERR_ARGUMENT_INVALID')
  })
})
