/**
 * @module test/store/conformance
 * One conformance suite for every `MailboxStore`: call {@link describeStoreConformance} with a
 * harness factory and it registers the vitest tests.
 */

import { isMessagingError } from '@kilt-messaging/core'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isMessageId } from '../../src/store/ids.js'
import type { DepositInput, DepositResult, MailboxStore, Quota } from '../../src/store/types.js'

/** A backing database that stores can be opened on, several times and concurrently. */
export interface StoreHarness {
  /** A new, not yet initialised store instance on the same backing database. */
  open(): MailboxStore
  /** Removes the backing database; called after every opened store was closed. */
  destroy(): Promise<void>
}

const T0 = 1_700_000_000_000
const DAY = 86_400_000
const BIG: Quota = { maxCount: 1_000_000, maxBytes: 1_000_000_000 }
const MB_A = '4rrzTRmFCgYXhT8QZQuQ3ZbXiEmfbTbzhTxGp8zoXXd8eaNV'
const MB_B = '4siJtc4dYq2gPre8Xj6KJcSjVAdi1gmjctUzjf3AwrtNnhvy'

let seq = 0
/** Builds a deposit whose envelope is unique and whose size is its UTF-8 length. */
export function item(mailbox: string, over: Partial<DepositInput> & { pad?: number } = {}): DepositInput {
  seq++
  const body = { n: seq, s: 'quote " backslash \\ unicode ü ✓ 🚀', p: 'x'.repeat(over.pad ?? 0) }
  const envelope = over.envelope ?? JSON.stringify(body)
  return {
    mailbox,
    envelope,
    senderKeyUri: over.senderKeyUri ?? 'did:kilt:4sender#0xabc',
    size: Buffer.byteLength(envelope, 'utf8'),
    receivedAt: over.receivedAt ?? T0,
    expiresAt: over.expiresAt ?? T0 + 7 * DAY,
  }
}

function idOf(r: DepositResult | undefined): string {
  if (r === undefined || r.id === null) throw new Error('expected a stored id')
  return r.id
}

async function expectInvalid(p: Promise<unknown> | (() => unknown)): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    expect(isMessagingError(e, 'ERR_ARGUMENT_INVALID')).toBe(true)
    return
  }
  throw new Error('expected ERR_ARGUMENT_INVALID')
}

/**
 * Registers the conformance tests for one store implementation.
 *
 * @param name - Suite name.
 * @param createHarness - Makes a fresh backing database for each test.
 */
export function describeStoreConformance(name: string, createHarness: () => Promise<StoreHarness>): void {
  describe(`MailboxStore conformance: ${name}`, () => {
    let harness: StoreHarness
    let opened: MailboxStore[]
    let store: MailboxStore

    async function open(): Promise<MailboxStore> {
      const s = harness.open()
      opened.push(s)
      await s.init()
      return s
    }

    beforeEach(async () => {
      harness = await createHarness()
      opened = []
      store = await open()
    })

    afterEach(async () => {
      for (const s of opened) await s.close()
      await harness.destroy()
    })

    it('init is idempotent and ping reports liveness', async () => {
      await store.init()
      expect(await store.ping()).toBe(true)
      await store.close()
      expect(await store.ping()).toBe(false)
    })

    it('deposits return ids in input order and list returns them oldest first with all fields', async () => {
      const items = [
        item(MB_A),
        item(MB_A, { pad: 10 }),
        item(MB_A, { receivedAt: T0 + 5, expiresAt: T0 + DAY }),
      ]
      const results = await store.deposit(items, BIG)
      const ids = results.map(idOf)
      expect(ids.every(isMessageId)).toBe(true)
      expect([...ids].sort()).toEqual(ids)
      const listed = await store.list(MB_A, { limit: 10, now: T0 })
      expect(listed.map((m) => m.id)).toEqual(ids)
      for (let i = 0; i < items.length; i++) {
        const m = listed[i]!
        const it = items[i]!
        expect(m).toEqual({
          id: ids[i],
          mailbox: MB_A,
          envelope: it.envelope,
          size: it.size,
          receivedAt: it.receivedAt,
          expiresAt: it.expiresAt,
        })
      }
      expect(await store.list(MB_B, { limit: 10, now: T0 })).toEqual([])
    })

    it('list pages with a cursor and a limit; later deposits sort after earlier ones', async () => {
      const ids: string[] = []
      for (let i = 0; i < 7; i++) ids.push(idOf((await store.deposit([item(MB_A)], BIG))[0]))
      await store.deposit([item(MB_B)], BIG)
      expect([...ids].sort()).toEqual(ids)
      const page1 = await store.list(MB_A, { limit: 3, now: T0 })
      expect(page1.map((m) => m.id)).toEqual(ids.slice(0, 3))
      const page2 = await store.list(MB_A, { after: page1[2]!.id, limit: 3, now: T0 })
      expect(page2.map((m) => m.id)).toEqual(ids.slice(3, 6))
      const page3 = await store.list(MB_A, { after: page2[2]!.id, limit: 3, now: T0 })
      expect(page3.map((m) => m.id)).toEqual(ids.slice(6))
      expect(await store.list(MB_A, { after: ids[6]!, limit: 3, now: T0 })).toEqual([])
    })

    it('list with maxBytes stops before the budget is exceeded, always returns one, and pages on', async () => {
      // Sizes 1000, 3000, 500, 500, 2500 (bytes) plus an expired one and another mailbox's.
      const sizes = [1000, 3000, 500, 500, 2500]
      const ids: string[] = []
      for (const size of sizes) {
        const env = JSON.stringify({ p: 'x'.repeat(size - 8) })
        expect(Buffer.byteLength(env)).toBe(size)
        ids.push(idOf((await store.deposit([item(MB_A, { envelope: env })], BIG))[0]))
        await store.deposit([item(MB_A, { pad: 4000, expiresAt: T0 })], BIG)
        await store.deposit([item(MB_B, { pad: 10 })], BIG)
      }
      const pages: string[][] = []
      let after: string | undefined
      for (;;) {
        const page = await store.list(MB_A, {
          ...(after === undefined ? {} : { after }),
          limit: 10,
          now: T0,
          maxBytes: 2000,
        })
        if (page.length === 0) break
        expect(page.every((m) => m.mailbox === MB_A && m.envelope.length === m.size)).toBe(true)
        pages.push(page.map((m) => m.id))
        after = page[page.length - 1]!.id
      }
      // 1000 | 3000 (over the budget, alone) | 500 + 500 | 2500 (alone)
      expect(pages).toEqual([[ids[0]], [ids[1]], [ids[2], ids[3]], [ids[4]]])
      expect((await store.list(MB_A, { limit: 2, now: T0, maxBytes: 1_000_000 })).map((m) => m.id)).toEqual(
        ids.slice(0, 2),
      )
      await expectInvalid(store.list(MB_A, { limit: 2, now: T0, maxBytes: 0 }))
    })

    it('ack deletes only the given ids of that mailbox', async () => {
      const a = (await store.deposit([item(MB_A), item(MB_A), item(MB_A)], BIG)).map(idOf)
      const b = (await store.deposit([item(MB_B)], BIG)).map(idOf)
      expect(await store.ack(MB_A, [a[0]!, b[0]!, 'NOTANID', a[0]!])).toBe(1)
      expect((await store.list(MB_A, { limit: 10, now: T0 })).map((m) => m.id)).toEqual(a.slice(1))
      expect((await store.list(MB_B, { limit: 10, now: T0 })).map((m) => m.id)).toEqual(b)
      expect(await store.ack(MB_A, [a[0]!])).toBe(0)
      expect(await store.ack(MB_A, [])).toBe(0)
      expect(await store.ack(MB_B, b)).toBe(1)
      expect(await store.usage(MB_B, T0)).toEqual({ count: 0, bytes: 0 })
      expect(await store.depth()).toBe(2)
    })

    it('usage and depth count stored messages and bytes', async () => {
      const items = [item(MB_A, { pad: 100 }), item(MB_A, { pad: 3 }), item(MB_B)]
      await store.deposit(items, BIG)
      expect(await store.usage(MB_A, T0)).toEqual({ count: 2, bytes: items[0]!.size + items[1]!.size })
      expect(await store.usage(MB_B, T0)).toEqual({ count: 1, bytes: items[2]!.size })
      expect(await store.usage('nobody', T0)).toEqual({ count: 0, bytes: 0 })
      expect(await store.depth()).toBe(3)
    })

    it('quota by count is atomic: 50 concurrent deposits into room for 10 land exactly 10', async () => {
      const quota = { maxCount: 10, maxBytes: 1_000_000 }
      const results = await Promise.all(Array.from({ length: 50 }, () => store.deposit([item(MB_A)], quota)))
      const landed = results.filter((r) => r[0]!.id !== null)
      expect(landed).toHaveLength(10)
      for (const r of results) if (r[0]!.id === null) expect(r[0]).toEqual({ id: null, error: 'quota' })
      expect((await store.list(MB_A, { limit: 100, now: T0 })).length).toBe(10)
      expect((await store.usage(MB_A, T0)).count).toBe(10)
      // Another mailbox is not affected.
      expect((await store.deposit([item(MB_B)], quota))[0]!.id).not.toBeNull()
    })

    it('quota is atomic across two store instances on one database', async () => {
      const other = await open()
      const quota = { maxCount: 10, maxBytes: 1_000_000 }
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? store : other).deposit([item(MB_A)], quota)),
      )
      expect(results.filter((r) => r[0]!.id !== null)).toHaveLength(10)
      expect((await other.list(MB_A, { limit: 100, now: T0 })).length).toBe(10)
    })

    it('quota applies item by item inside one deposit, in input order', async () => {
      const quota = { maxCount: 3, maxBytes: 1_000_000 }
      const r = await store.deposit(
        [item(MB_A), item(MB_B), item(MB_A), item(MB_A), item(MB_A), item(MB_A)],
        quota,
      )
      expect(r.map((x) => x.id !== null)).toEqual([true, true, true, true, false, false])
      expect(r[4]).toEqual({ id: null, error: 'quota' })
    })

    it('quota by bytes', async () => {
      const one = item(MB_A, { pad: 300 })
      const quota = { maxCount: 100, maxBytes: one.size * 3 + 10 }
      const r = await store.deposit(
        Array.from({ length: 5 }, () => item(MB_A, { pad: 300 })),
        quota,
      )
      expect(r.map((x) => x.id !== null)).toEqual([true, true, true, false, false])
      const small = await store.deposit([item(MB_A, { envelope: '{}' })], quota)
      expect(small[0]!.id).not.toBeNull()
      expect(await store.deposit([item(MB_A)], { maxCount: 100, maxBytes: 0 })).toEqual([
        { id: null, error: 'quota' },
      ])
    })

    it('acked messages free their quota', async () => {
      const quota = { maxCount: 2, maxBytes: 1_000_000 }
      const ids = (await store.deposit([item(MB_A), item(MB_A), item(MB_A)], quota)).map((r) => r.id)
      expect(ids[2]).toBeNull()
      expect(await store.ack(MB_A, [ids[0]!])).toBe(1)
      expect((await store.deposit([item(MB_A)], quota))[0]!.id).not.toBeNull()
      expect((await store.deposit([item(MB_A)], quota))[0]!.id).toBeNull()
    })

    it('expired messages are never listed or counted, and expire deletes them', async () => {
      const short = (await store.deposit([item(MB_A, { expiresAt: T0 + 100 })], BIG)).map(idOf)
      const long = (await store.deposit([item(MB_A, { expiresAt: T0 + 1000 })], BIG)).map(idOf)
      expect((await store.list(MB_A, { limit: 10, now: T0 + 99 })).map((m) => m.id)).toEqual([
        ...short,
        ...long,
      ])
      expect((await store.list(MB_A, { limit: 10, now: T0 + 100 })).map((m) => m.id)).toEqual(long)
      expect((await store.usage(MB_A, T0 + 100)).count).toBe(1)
      expect(await store.list(MB_A, { limit: 10, now: T0 + 1000 })).toEqual([])
      expect(await store.expire(T0 + 100)).toBe(1)
      expect(await store.expire(T0 + 100)).toBe(0)
      expect(await store.depth()).toBe(1)
      expect((await store.list(MB_A, { limit: 10, now: T0 })).map((m) => m.id)).toEqual(long)
      expect(await store.ack(MB_A, short)).toBe(0)
    })

    it('expire works through more rows than one chunk and keeps counters right', async () => {
      const n = 2500
      const batch = Array.from({ length: n }, (_, i) =>
        item(i % 2 === 0 ? MB_A : MB_B, { expiresAt: T0 + (i < 2300 ? 10 : DAY) }),
      )
      await store.deposit(batch, BIG)
      expect(await store.expire(T0 + 10)).toBe(2300)
      expect(await store.depth()).toBe(200)
      expect((await store.usage(MB_A, T0)).count + (await store.usage(MB_B, T0)).count).toBe(200)
      const quota = { maxCount: 101, maxBytes: 1_000_000_000 }
      // 100 left in each mailbox: exactly one more fits.
      const r = await store.deposit([item(MB_A), item(MB_A)], quota)
      expect(r.map((x) => x.id !== null)).toEqual([true, false])
    })

    it('a full mailbox holding expired messages accepts new deposits (expired room is reclaimed)', async () => {
      const quota = { maxCount: 2, maxBytes: 1_000_000 }
      await store.deposit([item(MB_A, { expiresAt: T0 + 10 }), item(MB_A, { expiresAt: T0 + 10 })], quota)
      const late = await store.deposit([item(MB_A, { receivedAt: T0 + 20, expiresAt: T0 + DAY })], quota)
      expect(late[0]!.id).not.toBeNull()
      expect((await store.usage(MB_A, T0 + 20)).count).toBe(1)
      expect(await store.depth()).toBe(1)
    })

    it('challenges are single use: of 20 concurrent takes exactly one wins', async () => {
      await store.putChallenge('challenge-1', 'did:kilt:4abc', T0 + 1000)
      const other = await open()
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).takeChallenge('challenge-1', T0)),
      )
      expect(results.filter((r) => r !== null)).toEqual([{ did: 'did:kilt:4abc' }])
      expect(await store.takeChallenge('challenge-1', T0)).toBeNull()
      expect(await store.takeChallenge('never-put', T0)).toBeNull()
    })

    it('challenges expire', async () => {
      await store.putChallenge('c-expired', 'did:kilt:4abc', T0 + 1000)
      expect(await store.takeChallenge('c-expired', T0 + 1000)).toBeNull()
      await store.putChallenge('c-purged', 'did:kilt:4abc', T0 + 1000)
      await store.putChallenge('c-kept', 'did:kilt:4def', T0 + 5000)
      await store.expire(T0 + 1000)
      expect(await store.takeChallenge('c-purged', T0)).toBeNull()
      expect(await store.takeChallenge('c-kept', T0)).toEqual({ did: 'did:kilt:4def' })
    })

    it('deploymentSecret is 32 bytes, stable, shared by instances and survives reopen', async () => {
      const other = harness.open()
      opened.push(other)
      await other.init()
      const [a, b] = await Promise.all([store.deploymentSecret(), other.deploymentSecret()])
      expect(a).toBeInstanceOf(Uint8Array)
      expect(a.length).toBe(32)
      expect(b).toEqual(a)
      expect(a.some((x) => x !== 0)).toBe(true)
      a.fill(0) // the caller's copy, not the store's
      const again = await store.deploymentSecret()
      expect(again).toEqual(b)
      await store.close()
      await other.close()
      const reopened = await open()
      expect(await reopened.deploymentSecret()).toEqual(b)
    })

    it('onDeposit fires for each mailbox with a landed deposit, and stops after unsubscribe', async () => {
      const seen: string[] = []
      const off = store.onDeposit((m) => seen.push(m))
      store.onDeposit(() => {
        throw new Error('a broken listener does not break deposits')
      })
      await store.deposit([item(MB_A), item(MB_B), item(MB_A)], BIG)
      await new Promise((r) => setTimeout(r, 50))
      expect([...new Set(seen)].sort()).toEqual([MB_A, MB_B].sort())
      const before = seen.length
      await store.deposit([item(MB_A)], { maxCount: 0, maxBytes: 0 })
      await new Promise((r) => setTimeout(r, 50))
      expect(seen.length).toBe(before)
      off()
      await store.deposit([item(MB_A)], BIG)
      await new Promise((r) => setTimeout(r, 50))
      expect(seen.length).toBe(before)
    })

    it('deposits are durable across close and reopen', async () => {
      const ids = (await store.deposit([item(MB_A), item(MB_A)], BIG)).map(idOf)
      await store.putChallenge('durable', 'did:kilt:4abc', T0 + 1000)
      await store.close()
      const reopened = await open()
      expect((await reopened.list(MB_A, { limit: 10, now: T0 })).map((m) => m.id)).toEqual(ids)
      expect(await reopened.usage(MB_A, T0)).toMatchObject({ count: 2 })
      expect(await reopened.takeChallenge('durable', T0)).toEqual({ did: 'did:kilt:4abc' })
    })

    it('close waits for pending deposits', async () => {
      const pending = Array.from({ length: 20 }, () => store.deposit([item(MB_A)], BIG))
      await store.close()
      const ids = (await Promise.all(pending)).map((r) => idOf(r[0]))
      const reopened = await open()
      expect((await reopened.list(MB_A, { limit: 100, now: T0 })).map((m) => m.id)).toEqual(ids)
      await expectInvalid(store.deposit([item(MB_A)], BIG))
    })

    it('a 1000-message batch lands in order, and 1000 concurrent deposits all land', async () => {
      const batch = Array.from({ length: 1000 }, (_, i) => item(i % 2 ? MB_A : MB_B))
      const ids = (await store.deposit(batch, BIG)).map(idOf)
      expect(new Set(ids).size).toBe(1000)
      expect([...ids].sort()).toEqual(ids)
      const listed = await store.list(MB_B, { limit: 1000, now: T0 })
      expect(listed.map((m) => m.id)).toEqual(ids.filter((_, i) => i % 2 === 0))
      expect(listed.map((m) => m.envelope)).toEqual(
        batch.filter((_, i) => i % 2 === 0).map((b) => b.envelope),
      )
      const single = await Promise.all(Array.from({ length: 1000 }, () => store.deposit([item(MB_A)], BIG)))
      expect(single.every((r) => r[0]!.id !== null)).toBe(true)
      expect(await store.depth()).toBe(2000)
      expect((await store.usage(MB_A, T0)).count).toBe(1500)
    })

    it('matches a simple model under random deposits (quotas) and acks', async () => {
      type Op =
        | { kind: 'deposit'; boxes: number[]; pads: number[]; maxCount: number; maxBytes: number }
        | { kind: 'ack'; box: number; picks: number[] }
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({
          kind: fc.constant('deposit' as const),
          boxes: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
          pads: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 6, maxLength: 6 }),
          maxCount: fc.integer({ min: 0, max: 6 }),
          maxBytes: fc.integer({ min: 50, max: 700 }),
        }),
        fc.record({
          kind: fc.constant('ack' as const),
          box: fc.integer({ min: 0, max: 2 }),
          picks: fc.array(fc.nat(), { maxLength: 4 }),
        }),
      )
      let run = 0
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
          run++
          const names = [0, 1, 2].map((b) => `model-${run}-${b}`)
          const model = names.map(() => [] as Array<{ id: string; size: number }>)
          const everId: string[] = []
          for (const o of ops) {
            if (o.kind === 'deposit') {
              const items = o.boxes.map((b, i) => item(names[b]!, { pad: o.pads[i]! }))
              const res = await store.deposit(items, { maxCount: o.maxCount, maxBytes: o.maxBytes })
              for (let i = 0; i < items.length; i++) {
                const box = model[o.boxes[i]!]!
                const bytes = box.reduce((n, m) => n + m.size, 0)
                const fits = box.length + 1 <= o.maxCount && bytes + items[i]!.size <= o.maxBytes
                expect(res[i]!.id !== null).toBe(fits)
                if (fits) {
                  box.push({ id: res[i]!.id!, size: items[i]!.size })
                  everId.push(res[i]!.id!)
                }
              }
            } else if (everId.length > 0) {
              const ids = o.picks.map((p) => everId[p % everId.length]!)
              const box = model[o.box]!
              const expected = new Set(ids.filter((id) => box.some((m) => m.id === id))).size
              expect(await store.ack(names[o.box]!, ids)).toBe(expected)
              model[o.box] = box.filter((m) => !ids.includes(m.id))
            }
            for (let b = 0; b < 3; b++) {
              const listed = await store.list(names[b]!, { limit: 100, now: T0 })
              expect(listed.map((m) => m.id)).toEqual(model[b]!.map((m) => m.id))
              expect(await store.usage(names[b]!, T0)).toEqual({
                count: model[b]!.length,
                bytes: model[b]!.reduce((n, m) => n + m.size, 0),
              })
            }
          }
        }),
        { numRuns: 15 },
      )
    })

    it('rejects malformed arguments with ERR_ARGUMENT_INVALID', async () => {
      const good = item(MB_A)
      await expectInvalid(store.deposit([{ ...good, size: good.size + 1 }], BIG))
      await expectInvalid(store.deposit([{ ...good, mailbox: '' }], BIG))
      await expectInvalid(store.deposit([{ ...good, expiresAt: -1 }], BIG))
      await expectInvalid(store.deposit('nope' as unknown as DepositInput[], BIG))
      await expectInvalid(store.deposit([good], { maxCount: -1, maxBytes: 1 }))
      await expectInvalid(store.list(MB_A, { limit: 0, now: T0 }))
      await expectInvalid(store.list(MB_A, { limit: 1.5, now: T0 }))
      await expectInvalid(store.list('', { limit: 1, now: T0 }))
      await expectInvalid(store.ack(MB_A, 'x' as unknown as string[]))
      await expectInvalid(store.ack(MB_A, [5 as unknown as string]))
      await expectInvalid(store.expire(Number.NaN))
      await expectInvalid(store.takeChallenge('', T0))
      await expectInvalid(store.putChallenge('c', 'did', Number.POSITIVE_INFINITY))
      await expectInvalid(() => store.onDeposit('x' as unknown as () => void))
      expect(await store.depth()).toBe(0)
    })
  })
}
