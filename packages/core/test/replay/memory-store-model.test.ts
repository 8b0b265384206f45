import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isMessagingError } from '../../src/errors.js'
import { createMemoryReplayStore } from '../../src/replay/create-memory-replay-store.js'

const T = 1_800_000_000_000

/** One call of `markIfNew`: a key of a few scopes and ids, after `advance` ms, live for `ttl` ms. */
const step = fc.record({
  scope: fc.constantFrom('', 'a|', 'b|', 'a>b|', 'a#'),
  id: fc.constantFrom('1', '2', '3', 'h4'),
  advance: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1500 })),
  ttl: fc.integer({ min: 1, max: 4000 }),
})

describe('createMemoryReplayStore against a model', () => {
  // The model: key → expiresAt; a key is live while now < expiresAt; a new key is refused with
  // ERR_REPLAY_STORE_UNAVAILABLE exactly when `maxEntries` keys are live. Scopes holding one id and
  // scopes holding several (a record, then a map) must not differ.
  it('answers every call as the model does', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), fc.integer({ min: 1, max: 8 }), (steps, maxEntries) => {
        const store = createMemoryReplayStore({ maxEntries })
        const model = new Map<string, number>()
        let now = T
        for (const { scope, id, advance, ttl } of steps) {
          now += advance
          const key = scope + id
          const seen = model.get(key)
          if (seen !== undefined && seen > now) {
            expect(store.markIfNew(key, now + ttl, now)).toBe(false)
            continue
          }
          let live = 0
          for (const [k, e] of model) if (k !== key && e > now) live++
          if (live >= maxEntries) {
            let code: string | undefined
            try {
              store.markIfNew(key, now + ttl, now)
            } catch (e) {
              code = isMessagingError(e) ? e.code : String(e)
            }
            expect(code).toBe('ERR_REPLAY_STORE_UNAVAILABLE')
            continue
          }
          expect(store.markIfNew(key, now + ttl, now)).toBe(true)
          model.set(key, now + ttl)
          expect(store.size).toBeLessThanOrEqual(maxEntries)
        }
      }),
      { numRuns: 400 },
    )
  })
})
