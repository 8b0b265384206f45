import { describe, expect, it } from 'vitest'
import { didSubject } from '../../src/did/index.js'
import { MessagingError } from '../../src/errors.js'
import { createMemoryReplayStore } from '../../src/replay/create-memory-replay-store.js'
import { createReplayGuard } from '../../src/replay/create-replay-guard.js'
import { replayKey } from '../../src/replay/lib/guard.js'
import { loadVectors } from '../helpers/vectors.js'
import { codeOf } from '../message/helpers.js'

const v = loadVectors()
const alice: string = v.dids.alice.uri
const aliceShort: string = v.dids.alice.shortUri
const bob: string = v.dids.bob.uri
const T = 1_800_000_000_000

describe('createMemoryReplayStore', () => {
  it('marks once; expired entries can be marked again', () => {
    const s = createMemoryReplayStore({ maxEntries: 10 })
    expect(s.markIfNew('a', T + 10, T)).toBe(true)
    expect(s.markIfNew('a', T + 10, T + 9)).toBe(false)
    expect(s.markIfNew('a', T + 20, T + 10)).toBe(true)
    expect(s.size).toBe(1)
  })

  it('is bounded: purges expired entries when full, refuses new ids while all are live', () => {
    const s = createMemoryReplayStore({ maxEntries: 3 })
    for (const k of ['a', 'b', 'c']) expect(s.markIfNew(k, T + 100, T)).toBe(true)
    let err: unknown
    try {
      s.markIfNew('d', T + 100, T)
    } catch (e) {
      err = e
    }
    expect((err as MessagingError).code).toBe('ERR_REPLAY_STORE_UNAVAILABLE')
    expect(s.size).toBe(3)
    // the live ids are still known
    expect(s.markIfNew('a', T + 100, T + 1)).toBe(false)
    // once they expire, there is room again
    expect(s.markIfNew('d', T + 300, T + 100)).toBe(true)
    expect(s.size).toBe(1)
  })

  it('drops expired ids about once a second even when far from full, and keeps the live ones', () => {
    const s = createMemoryReplayStore({ maxEntries: 1_000_000 })
    for (let i = 0; i < 500; i++) expect(s.markIfNew(`old${i}`, T + 10 + i, T)).toBe(true)
    for (let i = 0; i < 5; i++) expect(s.markIfNew(`live${i}`, T + 60_000, T)).toBe(true)
    expect(s.size).toBe(505)
    // 2 s later every old id has expired: the next mark files the new id and drops them
    expect(s.markIfNew('new', T + 62_000, T + 2_000)).toBe(true)
    expect(s.size).toBe(6)
    for (let i = 0; i < 5; i++) expect(s.markIfNew(`live${i}`, T + 60_000, T + 2_001)).toBe(false)
    // an explicit purge is exact to the millisecond, also inside the current second
    s.purge(T + 60_000)
    expect(s.size).toBe(1)
    expect(s.markIfNew('new', T + 62_000, T + 60_001)).toBe(false)
  })

  it('never exceeds maxEntries under churn', () => {
    const s = createMemoryReplayStore({ maxEntries: 100 })
    let t = T
    for (let i = 0; i < 10_000; i++) {
      t += 1
      s.markIfNew(`k${i}`, t + 50, t)
      expect(s.size).toBeLessThanOrEqual(100)
    }
    s.purge(t + 1000)
    expect(s.size).toBe(0)
  })

  it('rejects bad options', () => {
    for (const o of [null, 5, { maxEntries: 0 }, { maxEntries: 1.5 }, { maxEntries: '10' }])
      expect(() => createMemoryReplayStore(o as unknown as undefined)).toThrow(MessagingError)
  })
})

describe('createReplayGuard', () => {
  it('accepts a message once, keyed by sender subject and messageId', async () => {
    const g = createReplayGuard({ now: () => T })
    const m = { sender: alice, messageId: '0x01', createdAt: T }
    expect(await codeOf(g.check(m))).toBeUndefined()
    expect(await codeOf(g.check(m))).toBe('ERR_MESSAGE_REPLAYED')
    // the short light DID is the same subject
    expect(await codeOf(g.check({ ...m, sender: aliceShort }))).toBe('ERR_MESSAGE_REPLAYED')
    // another sender may use the same id
    expect(await codeOf(g.check({ ...m, sender: bob }))).toBeUndefined()
  })

  it('the guard and the store agree on keys: an id marked by the guard is known under its full key', async () => {
    const store = createMemoryReplayStore()
    const g = createReplayGuard({ store, now: () => T })
    const m = { sender: alice, receiver: bob, messageId: '0x02', createdAt: T }
    expect(await codeOf(g.check(m))).toBeUndefined()
    expect(store.size).toBe(1)
    expect(store.markIfNew(replayKey(m, undefined), T + 60_001, T)).toBe(false)
    // and a key marked directly is seen by the guard
    const m2 = { ...m, messageId: '0x03' }
    expect(store.markIfNew(replayKey(m2, undefined), T + 60_001, T)).toBe(true)
    expect(await codeOf(g.check(m2))).toBe('ERR_MESSAGE_REPLAYED')
    expect(replayKey(m, undefined)).toMatch(/^4\w+>4\w+\|0x02$/)
  })

  it('freshness window: [now - 60 s, now + 1 s] by default, missing createdAt is stale', async () => {
    const g = createReplayGuard({ now: () => T })
    expect(await codeOf(g.check({ sender: alice, messageId: 'a', createdAt: T - 60_000 }))).toBeUndefined()
    expect(await codeOf(g.check({ sender: alice, messageId: 'b', createdAt: T - 60_001 }))).toBe(
      'ERR_MESSAGE_STALE',
    )
    expect(await codeOf(g.check({ sender: alice, messageId: 'c', createdAt: T + 1_000 }))).toBeUndefined()
    expect(await codeOf(g.check({ sender: alice, messageId: 'd', createdAt: T + 1_001 }))).toBe(
      'ERR_MESSAGE_FUTURE',
    )
    expect(await codeOf(g.check({ sender: alice, messageId: 'e' }))).toBe('ERR_MESSAGE_STALE')
  })

  it('an id is remembered exactly as long as the window accepts its createdAt', async () => {
    let now = T
    const store = createMemoryReplayStore()
    const g = createReplayGuard({ now: () => now, store })
    const m = { sender: alice, messageId: 'x', createdAt: T }
    await g.check(m)
    now = T + 60_000
    expect(await codeOf(g.check(m))).toBe('ERR_MESSAGE_REPLAYED')
    now = T + 60_001
    expect(await codeOf(g.check(m))).toBe('ERR_MESSAGE_STALE')
    store.purge(now)
    expect(store.size).toBe(0)
  })

  it('without messageId, the plaintext bytes are the key', async () => {
    const g = createReplayGuard({ now: () => T })
    const m = { sender: alice, createdAt: T }
    const a = new TextEncoder().encode('{"a":1}')
    const b = new TextEncoder().encode('{"a":2}')
    expect(await codeOf(g.check(m, { plaintext: a }))).toBeUndefined()
    expect(await codeOf(g.check(m, { plaintext: a }))).toBe('ERR_MESSAGE_REPLAYED')
    expect(await codeOf(g.check(m, { plaintext: b }))).toBeUndefined()
  })

  it('freshness: false remembers the id for a week (or maxAgeMs when longer) from now', async () => {
    const WEEK = 7 * 24 * 60 * 60 * 1000
    let now = T
    const g = createReplayGuard({ now: () => now, maxAgeMs: 1_000 })
    const m = { sender: alice, messageId: 'old' }
    expect(await codeOf(g.check(m, { freshness: false }))).toBeUndefined()
    now = T + 1_001
    expect(await codeOf(g.check(m, { freshness: false }))).toBe('ERR_MESSAGE_REPLAYED')
    now = T + WEEK
    expect(await codeOf(g.check(m, { freshness: false }))).toBe('ERR_MESSAGE_REPLAYED')
    now = T + WEEK + 1
    expect(await codeOf(g.check(m, { freshness: false }))).toBeUndefined()
  })

  it('a fractional createdAt is kept until the integer ms after its window', async () => {
    let now = T
    const g = createReplayGuard({ now: () => now, maxAgeMs: 1_000 })
    const m = { sender: alice, messageId: 'frac', createdAt: T - 0.5 }
    expect(await codeOf(g.check(m))).toBeUndefined()
    now = T + 0.2
    expect(await codeOf(g.check(m))).toBe('ERR_MESSAGE_REPLAYED')
  })

  it('one guard serves several receivers: the same message id to two receivers is not a replay', async () => {
    const g = createReplayGuard({ now: () => T })
    const bob = v.dids.bob.uri
    const carol = v.dids.carol.uri
    expect(
      await codeOf(g.check({ sender: alice, receiver: bob, messageId: 'm', createdAt: T })),
    ).toBeUndefined()
    expect(
      await codeOf(g.check({ sender: alice, receiver: carol, messageId: 'm', createdAt: T })),
    ).toBeUndefined()
    expect(await codeOf(g.check({ sender: alice, receiver: bob, messageId: 'm', createdAt: T }))).toBe(
      'ERR_MESSAGE_REPLAYED',
    )
  })

  it('keys stay exact when the (receiver, sender) pair changes from message to message', async () => {
    const g = createReplayGuard({ now: () => T })
    const parties = [v.dids.alice.uri, v.dids.bob.uri, v.dids.carol.uri, undefined]
    const seen = new Set<string>()
    // every ordered pair, interleaved, twice: the second round is all replays
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 40; i++) {
        const sender = parties[i % 3]!
        const receiver = parties[(i * 7 + 1) % 4]
        const m = { sender, receiver, messageId: `id${i % 5}`, createdAt: T }
        const key = replayKey(m, undefined)
        const scope = receiver === undefined ? '' : `${didSubject(receiver)}>`
        expect(key).toBe(`${scope}${didSubject(sender)}|id${i % 5}`)
        const expected = seen.has(key) ? 'ERR_MESSAGE_REPLAYED' : undefined
        seen.add(key)
        expect(await codeOf(g.check(m))).toBe(expected)
      }
  })

  it('long message ids are hashed into bounded keys', async () => {
    const g = createReplayGuard({ now: () => T })
    const long = 'x'.repeat(100_000)
    expect(await codeOf(g.check({ sender: alice, messageId: long, createdAt: T }))).toBeUndefined()
    expect(await codeOf(g.check({ sender: alice, messageId: long, createdAt: T }))).toBe(
      'ERR_MESSAGE_REPLAYED',
    )
    expect(await codeOf(g.check({ sender: alice, messageId: `${long}y`, createdAt: T }))).toBeUndefined()
  })

  it('concurrent checks of one message: exactly one succeeds (also with an async store)', async () => {
    for (const store of [
      createMemoryReplayStore(),
      (() => {
        const inner = createMemoryReplayStore()
        return { markIfNew: async (k: string, e: number, n: number) => inner.markIfNew(k, e, n) }
      })(),
    ]) {
      const g = createReplayGuard({ now: () => T, store })
      const m = { sender: alice, messageId: 'race', createdAt: T }
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => g.check(m)))
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    }
  })

  it('bad input and options → ERR_ARGUMENT_INVALID', async () => {
    const g = createReplayGuard({ now: () => T })
    expect(await codeOf(g.check({ sender: 'nope', messageId: 'a', createdAt: T }))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(await codeOf(g.check(null as unknown as { sender: string }))).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(g.check({ sender: alice, messageId: 'a', createdAt: T }, { now: Number.NaN }))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    for (const o of [
      null,
      { maxAgeMs: -1 },
      { maxFutureSkewMs: Number.POSITIVE_INFINITY },
      { now: 5 },
      { store: {} },
    ])
      expect(() => createReplayGuard(o as unknown as undefined)).toThrow(MessagingError)
    const broken = createReplayGuard({ now: () => Number.NaN })
    expect(await codeOf(broken.check({ sender: alice, messageId: 'a', createdAt: T }))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
  })
})
