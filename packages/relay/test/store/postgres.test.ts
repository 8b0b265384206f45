import { isMessagingError } from '@kilt-messaging/core'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newMessageId } from '../../src/store/ids.js'
import { openStore } from '../../src/store/open.js'
import { createPostgresStore, type PostgresMailboxStore } from '../../src/store/postgres.js'
import { describeStoreConformance, item } from './conformance.js'
import { dropSchema, PG_URL, pgAvailable, pgQuery, randomSchema } from './helpers.js'

const url = PG_URL ?? ''
const hasPg = pgAvailable('postgres.test.ts')
const T0 = 1_700_000_000_000
const BIG = { maxCount: 1_000_000, maxBytes: 1_000_000_000 }

describe.runIf(hasPg)('PostgreSQL conformance', () => {
  describeStoreConformance('PostgreSQL (random schema)', async () => {
    const schema = randomSchema()
    return {
      open: () => createPostgresStore({ connectionString: url, schema, poolSize: 4 }),
      destroy: () => dropSchema(url, schema),
    }
  })
})

function waitFor<T>(register: (done: (v: T) => void) => void, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
    register((v) => {
      clearTimeout(t)
      resolve(v)
    })
  })
}

describe.skipIf(!hasPg)('PostgreSQL store: several instances on one database', () => {
  let schema: string
  let stores: PostgresMailboxStore[]

  function make(): PostgresMailboxStore {
    const s = createPostgresStore({ connectionString: url, schema, poolSize: 4 })
    stores.push(s)
    return s
  }

  beforeEach(() => {
    schema = randomSchema()
    stores = []
  })

  afterEach(async () => {
    for (const s of stores) await s.close()
    await dropSchema(url, schema)
  })

  it('concurrent init of 5 instances applies the migrations once', async () => {
    const all = Array.from({ length: 5 }, make)
    await Promise.all(all.map((s) => s.init()))
    const rows = await pgQuery<{ value: string }>(
      url,
      `SELECT value FROM "${schema}".meta WHERE key = 'schema_version'`,
    )
    expect(rows).toEqual([{ value: '1' }])
    expect(await all[4]!.ping()).toBe(true)
  })

  it('a deposit through A notifies a listener on B (once on A, no self echo)', async () => {
    const a = make()
    const b = make()
    await Promise.all([a.init(), b.init()])
    const onA: string[] = []
    a.onDeposit((m) => onA.push(m))
    const gotB = waitFor<string>((done) => b.onDeposit(done))
    await a.deposit([item('mailbox-x')], BIG)
    expect(await gotB).toBe('mailbox-x')
    await new Promise((r) => setTimeout(r, 200))
    expect(onA).toEqual(['mailbox-x'])
  })

  it("B's notification reaches A even from a backend A deposited through (pooler, reused pid)", async () => {
    const a = createPostgresStore({ connectionString: url, schema, poolSize: 1 })
    stores.push(a)
    const b = make()
    await Promise.all([a.init(), b.init()])
    // A deposits through its one pooled backend.
    await a.deposit([item('mailbox-a')], BIG)
    // Capture B's notification as sent, whatever its payload format.
    const spy = new pg.Client({ connectionString: url })
    await spy.connect()
    try {
      const sent = waitFor<string>((done) => spy.on('notification', (n) => done(n.payload ?? '')))
      await spy.query(`LISTEN "kilt_relay_${schema}"`)
      const direct = waitFor<string>((done) => a.onDeposit((m) => m === 'mailbox-b' && done(m)))
      await b.deposit([item('mailbox-b')], BIG)
      const payload = await sent
      expect(await direct).toBe('mailbox-b')
      // The same notification from that backend: a pgbouncer running B's statement on it, or B's
      // connection given the pid of one A's pool closed.
      const heard = waitFor<string>((done) => a.onDeposit(done))
      const c = await a.pool.connect()
      try {
        await c.query('SELECT pg_notify($1, $2)', [`kilt_relay_${schema}`, payload])
      } finally {
        c.release()
      }
      expect(await heard).toBe('mailbox-b')
      // A bare mailbox (an older relay during a rolling upgrade) is still a hint to look.
      const old = waitFor<string>((done) => a.onDeposit(done))
      await spy.query('SELECT pg_notify($1, $2)', [`kilt_relay_${schema}`, 'mailbox-old'])
      expect(await old).toBe('mailbox-old')
    } finally {
      await spy.end()
    }
  })

  it('the listener reconnects after its connection is killed', async () => {
    const a = make()
    const b = make()
    await Promise.all([a.init(), b.init()])
    const killed = await pgQuery<{ ok: boolean }>(
      url,
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
       WHERE application_name = 'kilt-relay-listener' AND query = $1`,
      [`LISTEN "kilt_relay_${schema}"`],
    )
    expect(killed.length).toBe(2)
    // Keep depositing until B hears one (the listener needs a moment to reconnect).
    const heard = waitFor<string>((done) => b.onDeposit(done), 10_000)
    let stop = false
    const pump = (async () => {
      while (!stop) {
        await a.deposit([item('mailbox-y')], BIG)
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    try {
      expect(await heard).toBe('mailbox-y')
    } finally {
      stop = true
      await pump
    }
  })

  it('concurrent acks from A and B of the same ids delete each once; nothing acked is listed', async () => {
    const a = make()
    const b = make()
    await Promise.all([a.init(), b.init()])
    const ids = (
      await a.deposit(
        Array.from({ length: 200 }, () => item('mb')),
        BIG,
      )
    ).map((r) => r.id!)
    const chunks = [ids.slice(0, 100), ids.slice(50, 150), ids.slice(100), ids]
    const counts = await Promise.all(chunks.map((c, i) => (i % 2 ? b : a).ack('mb', c)))
    expect(counts.reduce((x, y) => x + y, 0)).toBe(200)
    expect(await b.list('mb', { limit: 1000, now: T0 })).toEqual([])
    expect(await a.usage('mb', T0)).toEqual({ count: 0, bytes: 0 })
    expect(await a.depth()).toBe(0)
  })

  it('concurrent deposits, acks and expiry on two instances keep counters exact', async () => {
    const a = make()
    const b = make()
    await Promise.all([a.init(), b.init()])
    const mailboxes = ['m1', 'm2', 'm3']
    const early = await a.deposit(
      Array.from({ length: 300 }, (_, i) => item(mailboxes[i % 3]!, { expiresAt: T0 + 10 })),
      BIG,
    )
    const work: Promise<unknown>[] = []
    for (let i = 0; i < 30; i++) {
      const s = i % 2 ? a : b
      work.push(s.deposit([item(mailboxes[i % 3]!), item(mailboxes[(i + 1) % 3]!)], BIG))
    }
    work.push(a.expire(T0 + 10), b.expire(T0 + 10))
    work.push(
      b.ack(
        'm1',
        early.filter((_, i) => i % 3 === 0).map((r) => r.id!),
      ),
    )
    await Promise.all(work)
    await a.expire(T0 + 10)
    let total = 0
    for (const m of mailboxes) {
      const listed = await a.list(m, { limit: 1000, now: T0 })
      const usage = await b.usage(m, T0)
      expect(usage.count).toBe(listed.length)
      expect(usage.bytes).toBe(listed.reduce((n, x) => n + x.size, 0))
      total += listed.length
    }
    expect(total).toBe(60)
    expect(await a.depth()).toBe(60)
  })

  it('ids follow commit order per mailbox across instances, even with a clock behind and after acks', async () => {
    const a = make()
    const b = make()
    await Promise.all([a.init(), b.init()])
    const [first] = await a.deposit([item('m')], BIG)
    expect(await a.ack('m', [first!.id!])).toBe(1)
    // An instance whose clock runs a year ahead deposited; its message was acked since.
    const ahead = newMessageId(Date.now() + 365 * 86_400_000)
    await pgQuery(url, `UPDATE "${schema}".usage SET last_id = $1 WHERE mailbox = 'm'`, [ahead])
    const [next] = await b.deposit([item('m')], BIG)
    expect(next!.id! > ahead).toBe(true)
    // Interleaved concurrent deposits from both instances: list order is id order, cursors see all.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).deposit([item('m')], BIG)),
    )
    const listed = await a.list('m', { limit: 100, now: T0 })
    expect(listed.length).toBe(41)
    expect(new Set(listed.map((m) => m.id))).toEqual(new Set([next!.id!, ...results.map((r) => r[0]!.id!)]))
  })

  it('rejects bad options', () => {
    for (const bad of [
      { connectionString: '' },
      { connectionString: url, schema: 'Bad-Name' },
      { connectionString: url, schema: 'x'.repeat(49) },
      { connectionString: url, poolSize: 0 },
    ]) {
      expect(() => createPostgresStore(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
      )
    }
  })

  it('openStore picks PostgreSQL for a connection string', async () => {
    const s = openStore({ postgres: url, schema })
    stores.push(s as PostgresMailboxStore)
    await s.init()
    expect(await s.ping()).toBe(true)
  })

  it('init fails cleanly when the database is unreachable', async () => {
    const s = createPostgresStore({ connectionString: 'postgres://kilt:kilt@127.0.0.1:1/none', schema })
    await expect(s.init()).rejects.toBeInstanceOf(Error)
    await expect(s.deposit([item('m')], BIG)).rejects.toSatisfy((e) =>
      isMessagingError(e, 'ERR_ARGUMENT_INVALID'),
    )
    await s.close()
  })
})
