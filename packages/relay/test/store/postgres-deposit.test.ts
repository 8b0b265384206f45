/**
 * @module test/store/postgres-deposit
 * The PostgreSQL store's deposit path: one statement in the common case, the transaction fallback
 * (new, full or behind-`last_id` mailboxes, mixed quotas), batches for disjoint mailboxes passing a
 * blocked one, and the bound on held deposits.
 */

import { isMessagingError } from '@kilt-messaging/core'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { newMessageId } from '../../src/store/ids.js'
import {
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_MAX_QUEUED_ITEMS,
  type PostgresMailboxStoreImpl,
  postgresStore,
} from '../../src/store/lib/postgres-store.js'
import { item } from './conformance.js'
import { dropSchema, PG_URL, pgAvailable, pgQuery, randomSchema } from './helpers.js'

const url = PG_URL ?? ''
const hasPg = pgAvailable('postgres-deposit.test.ts')
const T0 = 1_700_000_000_000
const BIG = { maxCount: 1_000_000, maxBytes: 1_000_000_000 }

const FIXED_ENVELOPE = '{"fixed":"size"}'
const FIXED_SIZE = FIXED_ENVELOPE.length
/** A deposit whose size does not depend on how many items were made before. */
function fixed(mailbox: string) {
  return item(mailbox, { envelope: FIXED_ENVELOPE })
}

function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Whether `p` settles within `ms`. */
function settles(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    tick(ms).then(() => false),
  ])
}

/**
 * Whether every promise of `ps` settles while only microtasks run: nothing that waits for I/O or a
 * timer (a query, a lock) can settle meanwhile, since those callbacks only run once the microtask
 * queue is empty. (The number of turns only needs to exceed the few promise hops between a rejected
 * promise and its handlers.)
 */
async function settledWithinMicrotasks(ps: Promise<unknown>[]): Promise<boolean> {
  let settled = 0
  for (const p of ps)
    p.then(
      () => settled++,
      () => settled++,
    )
  for (let turn = 0; turn < 100 && settled < ps.length; turn++) await Promise.resolve()
  return settled === ps.length
}

describe.skipIf(!hasPg)('PostgreSQL store: deposit path', () => {
  let schema: string
  let stores: PostgresMailboxStoreImpl[]
  let lockers: pg.Client[]

  async function make(options: { maxQueuedItems?: number; maxQueuedBytes?: number } = {}) {
    const s = postgresStore({ connectionString: url, schema, poolSize: 6, ...options })
    stores.push(s)
    await s.init()
    return s
  }

  /** Holds the usage row of `mailbox` locked from another connection until the returned release. */
  async function lockMailbox(mailbox: string): Promise<() => Promise<void>> {
    const c = new pg.Client({ connectionString: url })
    lockers.push(c)
    await c.connect()
    await c.query('BEGIN')
    const { rows } = await c.query(`SELECT 1 FROM "${schema}".usage WHERE mailbox = $1 FOR UPDATE`, [mailbox])
    expect(rows.length).toBe(1)
    return async () => {
      await c.query('COMMIT')
    }
  }

  beforeEach(() => {
    schema = randomSchema()
    stores = []
    lockers = []
  })

  afterEach(async () => {
    for (const c of lockers) await c.end().catch(() => undefined)
    for (const s of stores) await s.close()
    await dropSchema(url, schema)
  })

  it('a deposit into a known mailbox that fits is one statement on the pool (no transaction); so is an ack', async () => {
    const s = await make()
    await s.deposit([item('m')], BIG)
    // Every statement a pooled client sends (BEGIN and COMMIT included) goes through Client#query.
    const sent = vi.spyOn(pg.Client.prototype, 'query')
    try {
      const [r] = await s.deposit([fixed('m'), fixed('m')], BIG)
      expect(sent).toHaveBeenCalledTimes(1)
      expect(await s.ack('m', [r!.id!])).toBe(1)
      expect(sent).toHaveBeenCalledTimes(2)
    } finally {
      sent.mockRestore()
    }
    const listed = await s.list('m', { limit: 10, now: T0 })
    expect(await s.usage('m', T0)).toEqual({ count: 2, bytes: listed[0]!.size + FIXED_SIZE })
  })

  it('a deposit the database refuses (a NUL in text) fails alone, not the deposits batched with it', async () => {
    const s = await make()
    await s.deposit([item('known')], BIG)
    // Same tick: one batch, one statement, in the fast path (known) and the fallback (new) alike.
    const settled = await Promise.allSettled([
      s.deposit([item('known')], BIG),
      s.deposit([item('new')], BIG),
      s.deposit([item('known', { senderKeyUri: 'did:kilt:4x#a\u0000b' })], BIG),
      s.deposit([item('known'), item('new')], BIG),
    ])
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    const refused = settled[2] as PromiseRejectedResult
    expect((refused.reason as { code?: string }).code).toBe('22021')
    expect((await s.list('known', { limit: 10, now: T0 })).length).toBe(3)
    expect((await s.list('new', { limit: 10, now: T0 })).length).toBe(2)
    expect(await s.usage('known', T0)).toMatchObject({ count: 3 })
    // The store keeps working afterwards.
    expect((await s.deposit([item('known')], BIG))[0]!.id).not.toBeNull()
  })

  it('a batch whose fallback transaction fails keeps and answers what the first statement committed', async () => {
    const s = await make()
    await s.deposit([item('known')], BIG)
    // New mailboxes go through the fallback transaction, whose usage insert fails for 'boom'.
    await pgQuery(
      url,
      `CREATE FUNCTION "${schema}".boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.mailbox = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`,
    )
    await pgQuery(
      url,
      `CREATE TRIGGER boom BEFORE INSERT ON "${schema}".usage FOR EACH ROW EXECUTE FUNCTION "${schema}".boom()`,
    )
    // Same tick: one batch; its first statement commits 'known', the fallback fails.
    const settled = await Promise.allSettled([
      s.deposit([item('known')], BIG),
      s.deposit([item('boom')], BIG),
      s.deposit([item('known'), item('boom'), item('known')], BIG),
    ])
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const [alone, , mixed] = settled as [
      PromiseFulfilledResult<Array<{ id: string | null }>>,
      PromiseRejectedResult,
      PromiseFulfilledResult<Array<{ id: string | null; error?: string }>>,
    ]
    expect(alone.value[0]!.id).toEqual(expect.any(String))
    expect(mixed.value[0]!.id).toEqual(expect.any(String))
    expect(mixed.value[1]).toEqual({ id: null, error: 'unavailable' })
    expect(mixed.value[2]!.id).toEqual(expect.any(String))
    // what was answered as stored is stored, nothing else
    const listed = await s.list('known', { limit: 10, now: T0 })
    expect(listed.map((m) => m.id).sort()).toEqual(
      [listed[0]!.id, alone.value[0]!.id, mixed.value[0]!.id, mixed.value[2]!.id].sort(),
    )
    expect(await s.list('boom', { limit: 10, now: T0 })).toEqual([])
  })

  it('one batch mixing a fitting, a full and a new mailbox: each gets the right answer and counters', async () => {
    const s = await make()
    const quota = { maxCount: 2, maxBytes: 1_000_000 }
    await s.deposit([item('fits'), item('full'), item('full')], quota)
    const r = await s.deposit([item('fits'), item('full'), item('new'), item('fits')], quota)
    expect(r[0]!.id).not.toBeNull()
    expect(r[1]).toEqual({ id: null, error: 'quota' })
    expect(r[2]!.id).not.toBeNull()
    expect(r[3]).toEqual({ id: null, error: 'quota' })
    for (const [m, n] of [
      ['fits', 2],
      ['full', 2],
      ['new', 1],
    ] as const) {
      const listed = await s.list(m, { limit: 10, now: T0 })
      expect(listed.length).toBe(n)
      expect(await s.usage(m, T0)).toEqual({ count: n, bytes: listed.reduce((x, y) => x + y.size, 0) })
      const row = await pgQuery<{ count: string; last_id: string }>(
        url,
        `SELECT count, last_id FROM "${schema}".usage WHERE mailbox = $1`,
        [m],
      )
      expect(row).toEqual([{ count: String(n), last_id: listed[n - 1]!.id }])
    }
  })

  it('deposits of one tick with different quotas are checked item by item against their own quota', async () => {
    const s = await make()
    await s.deposit([fixed('m')], BIG)
    // In order: 1 + 1 <= 3 fits; 2 + 1 <= 2 does not; 2 + 1 <= 5 fits; bytes: 3 items fit in 3 sizes.
    const size = FIXED_SIZE
    const [a, b, c] = await Promise.all([
      s.deposit([fixed('m')], { maxCount: 3, maxBytes: 1_000_000 }),
      s.deposit([fixed('m')], { maxCount: 2, maxBytes: 1_000_000 }),
      s.deposit([fixed('m')], { maxCount: 5, maxBytes: 3 * size }),
    ])
    expect(a![0]!.id).not.toBeNull()
    expect(b![0]).toEqual({ id: null, error: 'quota' })
    expect(c![0]!.id).not.toBeNull()
    expect(await s.usage('m', T0)).toEqual({ count: 3, bytes: 3 * size })
  })

  it('ids behind last_id (another instance clock ahead) fall back and still sort after it', async () => {
    const s = await make()
    await s.deposit([item('m')], BIG)
    const ahead = newMessageId(Date.now() + 86_400_000)
    await pgQuery(url, `UPDATE "${schema}".usage SET last_id = $1 WHERE mailbox = 'm'`, [ahead])
    const r = await s.deposit([item('m'), item('m')], BIG)
    expect(r[0]!.id! > ahead).toBe(true)
    expect(r[1]!.id! > r[0]!.id!).toBe(true)
    const [row] = await pgQuery<{ last_id: string }>(
      url,
      `SELECT last_id FROM "${schema}".usage WHERE mailbox = 'm'`,
    )
    expect(row!.last_id).toBe(r[1]!.id)
  })

  it('while two batches wait on a locked mailbox, a batch for another mailbox commits', async () => {
    const s = await make()
    await s.deposit([item('a'), item('b')], BIG)
    const release = await lockMailbox('a')
    const first = s.deposit([item('a')], BIG)
    await tick(20)
    const second = s.deposit([item('a')], BIG)
    await tick(20)
    const other = s.deposit([item('b')], BIG)
    expect(await settles(other, 2000)).toBe(true)
    expect(await settles(first, 0)).toBe(false)
    await release()
    const [[x], [y]] = await Promise.all([first, second])
    expect(x!.id! < y!.id!).toBe(true)
    expect((await s.list('a', { limit: 10, now: T0 })).length).toBe(3)
    expect((await s.list('b', { limit: 10, now: T0 })).length).toBe(2)
  })

  it('rejects deposits past the held-items bound at once with ERR_TRANSPORT, and accepts again once drained', async () => {
    const s = await make({ maxQueuedItems: 5 })
    await s.deposit([item('a')], BIG)
    const release = await lockMailbox('a')
    const held = s.deposit([item('a'), item('a'), item('a')], BIG)
    const more = s.deposit([item('a'), item('a')], BIG)
    // Refused before the event loop turns, so without a database round trip or any wait on the lock
    // held above; another mailbox's deposit too, as the bound counts what the instance holds.
    const refused = [s.deposit([item('a')], BIG), s.deposit([item('b')], BIG)]
    expect(await settledWithinMicrotasks(refused)).toBe(true)
    for (const p of refused) await expect(p).rejects.toSatisfy((e) => isMessagingError(e, 'ERR_TRANSPORT'))
    await release()
    expect((await held).every((r) => r.id !== null)).toBe(true)
    expect((await more).every((r) => r.id !== null)).toBe(true)
    expect((await s.deposit([item('a'), item('a'), item('a'), item('a'), item('a')], BIG)).length).toBe(5)
    // One deposit larger than the bound is admitted when nothing is held (it could never pass otherwise).
    expect(
      (
        await s.deposit(
          Array.from({ length: 7 }, () => item('b')),
          BIG,
        )
      ).length,
    ).toBe(7)
  })

  it('bounds held bytes too', async () => {
    const s = await make({ maxQueuedBytes: 2 * FIXED_SIZE })
    await s.deposit([fixed('a')], BIG)
    const release = await lockMailbox('a')
    const held = s.deposit([fixed('a'), fixed('a')], BIG)
    await expect(s.deposit([fixed('a')], BIG)).rejects.toSatisfy((e) => isMessagingError(e, 'ERR_TRANSPORT'))
    await release()
    expect((await held).length).toBe(2)
    expect((await s.deposit([item('a')], BIG))[0]!.id).not.toBeNull()
  })

  it('rejects bad bounds and has sane defaults', () => {
    expect(DEFAULT_MAX_QUEUED_ITEMS).toBe(10_000)
    expect(DEFAULT_MAX_QUEUED_BYTES).toBe(256 * 1024 * 1024)
    for (const bad of [{ maxQueuedItems: 0 }, { maxQueuedBytes: -1 }, { maxQueuedItems: 1.5 }]) {
      expect(() => postgresStore({ connectionString: url, schema, poolSize: 2, ...bad })).toThrow(
        expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
      )
    }
  })
})
