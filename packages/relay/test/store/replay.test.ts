import { join } from 'node:path'
import { isMessagingError } from '@kilt-messaging/core'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import type { ReplayStore } from '../../../core/src/replay/types.js'
import { createPostgresStore } from '../../src/store/postgres.js'
import { createReplayStorePostgres, createReplayStoreSqlite } from '../../src/store/replay.js'
import { createSqliteStore } from '../../src/store/sqlite.js'
import { dropSchema, PG_URL, pgAvailable, pgQuery, randomSchema, tempDir } from './helpers.js'

const url = PG_URL ?? ''
const T0 = 1_700_000_000_000

describe('SQLite replay store', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  function setup() {
    const tmp = tempDir()
    cleanups.push(tmp.remove)
    const file = join(tmp.dir, 'relay.db')
    const mailbox = createSqliteStore({ file })
    cleanups.push(() => mailbox.close())
    return { file, mailbox }
  }

  it('implements core ReplayStore on the mailbox store connection: new once, again after expiry', async () => {
    const { mailbox } = setup()
    await mailbox.init()
    const replay: ReplayStore = createReplayStoreSqlite(mailbox.database)
    expect(await replay.markIfNew('k', T0 + 100, T0)).toBe(true)
    expect(await replay.markIfNew('k', T0 + 200, T0 + 99)).toBe(false)
    expect(await replay.markIfNew('other', T0 + 100, T0)).toBe(true)
    // expired at now = expiresAt: new again, and recorded with the new expiry
    expect(await replay.markIfNew('k', T0 + 500, T0 + 100)).toBe(true)
    expect(await replay.markIfNew('k', T0 + 600, T0 + 499)).toBe(false)
    await replay.purge?.(T0 + 100)
    const rows = mailbox.database.prepare('SELECT key FROM replay_keys ORDER BY key').pluck().all()
    expect(rows).toEqual(['k'])
  })

  it('two connections on one file: of many marks of one key exactly one is new', async () => {
    const { file } = setup()
    const a = createReplayStoreSqlite(file)
    const b = createReplayStoreSqlite(file)
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => Promise.resolve((i % 2 ? a : b).markIfNew('same', T0 + 1000, T0))),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('group-commits marks (12k concurrent marks in a few transactions) and purges more than one chunk', async () => {
    const { file } = setup()
    // The store on a connection of ours whose transactions are counted (each runs the function
    // given to db.transaction once): group commit means a few transactions, not one per mark.
    const db = new Database(file)
    const transaction = db.transaction.bind(db)
    let transactions = 0
    db.transaction = ((fn: (...args: never[]) => unknown) =>
      transaction((...args: never[]) => {
        transactions++
        return fn(...args)
      })) as typeof db.transaction
    const r = createReplayStoreSqlite(db)
    cleanups.push(
      () => {
        db.close()
      },
      () => r.close(),
    )
    const fresh = await Promise.all(
      Array.from({ length: 12_000 }, (_, i) => r.markIfNew(`k${i % 11_000}`, T0 + (i < 11_000 ? 1 : 10), T0)),
    )
    expect(transactions).toBeGreaterThanOrEqual(1)
    expect(transactions).toBeLessThanOrEqual(10)
    expect(fresh.filter(Boolean)).toHaveLength(11_000)
    expect(fresh.slice(11_000).some(Boolean)).toBe(false)
    await r.purge(T0 + 1)
    const peek = new Database(file, { readonly: true })
    expect(peek.prepare('SELECT count(*) FROM replay_keys').pluck().get()).toBe(0)
    peek.close()
    const after = await Promise.all(
      Array.from({ length: 20 }, (_, i) => r.markIfNew(`k${10_990 + i}`, T0 + 10, T0 + 2)),
    )
    // all expired at T0 + 1 and purged (or expired anyway): new again
    expect(after.every(Boolean)).toBe(true)
    const { mailbox } = setup()
    await mailbox.init()
    const onMailboxDb = createReplayStoreSqlite(mailbox.database)
    expect(await onMailboxDb.markIfNew('x', T0 + 1, T0)).toBe(true)
  })

  it('rejects bad arguments', async () => {
    const { file } = setup()
    const r = createReplayStoreSqlite(file)
    cleanups.push(() => r.close())
    for (const call of [
      () => r.markIfNew('', 1, 0),
      () => r.markIfNew('k', Number.NaN, 0),
      () => r.markIfNew('k', 1, -1),
    ]) {
      await expect(call()).rejects.toSatisfy((e) => isMessagingError(e, 'ERR_ARGUMENT_INVALID'))
    }
    await expect(r.purge(1.5)).rejects.toSatisfy((e) => isMessagingError(e, 'ERR_ARGUMENT_INVALID'))
    for (const call of [
      () => createReplayStoreSqlite(42 as never),
      () => createReplayStoreSqlite(file, { maxWaitMs: -1 }),
      () => createReplayStoreSqlite(file, { maxWaitMs: 2 ** 31 }),
      () => createReplayStoreSqlite(file, null as never),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }))
    }
  })

  /** Another connection holding the file's write lock (as the mailbox store's writer thread does while it commits). */
  function holdWriteLock(file: string): { release: () => void } {
    const holder = new Database(file)
    holder.exec('BEGIN IMMEDIATE')
    cleanups.push(() => {
      if (holder.open) holder.close()
    })
    return {
      release: () => {
        holder.exec('COMMIT')
        holder.close()
      },
    }
  }

  /** Lets the event loop run `n` turns (no clock involved). */
  async function turns(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve))
  }

  it('waits for a write lock held elsewhere without blocking the event loop; of two marks of one key one is new', async () => {
    const { file, mailbox } = setup()
    await mailbox.init()
    const lock = holdWriteLock(file)
    // Even its table is created later, once the lock is free: creating the store does not wait.
    const replay = createReplayStoreSqlite(mailbox.database)
    const marks = [replay.markIfNew('k', T0 + 100, T0), replay.markIfNew('k', T0 + 100, T0)]
    const settled: unknown[] = []
    for (const m of marks)
      m.then(
        (v) => settled.push(v),
        (e) => settled.push(e),
      )
    // The marks have been tried (each turn runs the store's scheduled flush) but cannot commit.
    await turns(5)
    expect(settled).toEqual([])
    // Released by this very thread: the marks never held the event loop while they waited.
    lock.release()
    expect((await Promise.all(marks)).sort()).toEqual([false, true])
    expect(await replay.markIfNew('k', T0 + 100, T0 + 1)).toBe(false)
    // The mailbox store's connection keeps its own busy timeout.
    expect(mailbox.database.pragma('busy_timeout', { simple: true })).toBe(5000)
  })

  it('a closed store refuses marks and purges with ERR_REPLAY_STORE_UNAVAILABLE', async () => {
    const { file } = setup()
    const replay = createReplayStoreSqlite(file)
    expect(await replay.markIfNew('a', T0 + 10, T0)).toBe(true)
    await replay.close()
    for (const p of [replay.markIfNew('b', T0 + 10, T0), replay.purge(T0)])
      await expect(p).rejects.toSatisfy((e) => isMessagingError(e, 'ERR_REPLAY_STORE_UNAVAILABLE'))
  })

  it('fails with ERR_REPLAY_STORE_UNAVAILABLE after maxWaitMs, recording nothing; purge as well', async () => {
    const { file, mailbox } = setup()
    await mailbox.init()
    const replay = createReplayStoreSqlite(mailbox.database, { maxWaitMs: 30 })
    expect(await replay.markIfNew('old', T0 + 1, T0)).toBe(true)
    const lock = holdWriteLock(file)
    const [mark, purge] = await Promise.allSettled([
      replay.markIfNew('k', T0 + 100, T0),
      replay.purge(T0 + 1),
    ])
    for (const r of [mark, purge]) {
      expect(r.status).toBe('rejected')
      const e = (r as PromiseRejectedResult).reason
      expect(isMessagingError(e, 'ERR_REPLAY_STORE_UNAVAILABLE')).toBe(true)
      expect((e as Error).cause).toMatchObject({ code: 'SQLITE_BUSY' })
    }
    lock.release()
    // Nothing was recorded or purged: the key is new now, the expired one still there until purged.
    expect(await replay.markIfNew('k', T0 + 100, T0)).toBe(true)
    const keys = () => mailbox.database.prepare('SELECT key FROM replay_keys ORDER BY key').pluck().all()
    expect(keys()).toEqual(['k', 'old'])
    await replay.purge(T0 + 1)
    expect(keys()).toEqual(['k'])
  })
})

describe.skipIf(!pgAvailable('replay.test.ts'))('PostgreSQL replay store', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it('concurrent markIfNew of one key from two instances: exactly one true', async () => {
    const schema = randomSchema()
    cleanups.push(() => dropSchema(url, schema))
    const a = createReplayStorePostgres(url, { schema })
    const b = createReplayStorePostgres(url, { schema })
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).markIfNew(`key-${round}`, T0 + 1000, T0)),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
    }
    // expired entries are new again, for exactly one caller
    const again = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).markIfNew('key-0', T0 + 5000, T0 + 1000)),
    )
    expect(again.filter(Boolean)).toHaveLength(1)
  })

  it('shares the mailbox store pool and schema, and purges', async () => {
    const schema = randomSchema()
    cleanups.push(() => dropSchema(url, schema))
    const mailbox = createPostgresStore({ connectionString: url, schema, poolSize: 2 })
    cleanups.push(() => mailbox.close())
    await mailbox.init()
    const replay: ReplayStore = createReplayStorePostgres(mailbox.pool, { schema: mailbox.schema })
    expect(await replay.markIfNew('a', T0 + 10, T0)).toBe(true)
    expect(await replay.markIfNew('b', T0 + 20, T0)).toBe(true)
    expect(await replay.markIfNew('a', T0 + 10, T0)).toBe(false)
    await replay.purge?.(T0 + 10)
    const rows = await pgQuery<{ key: string }>(url, `SELECT key FROM "${schema}".replay_keys ORDER BY key`)
    expect(rows).toEqual([{ key: 'b' }])
  })

  it('a database failure or a closed store is ERR_REPLAY_STORE_UNAVAILABLE, with the cause', async () => {
    const schema = randomSchema()
    cleanups.push(() => dropSchema(url, schema))
    const replay = createReplayStorePostgres(url, { schema })
    expect(await replay.markIfNew('a', T0 + 10, T0)).toBe(true)
    // the table disappears under the store (an operator's mistake, a failed restore)
    await pgQuery(url, `DROP TABLE "${schema}".replay_keys`)
    for (const p of [replay.markIfNew('b', T0 + 10, T0), replay.purge(T0)]) {
      const e = await p.then(
        () => undefined,
        (x: unknown) => x,
      )
      expect(isMessagingError(e, 'ERR_REPLAY_STORE_UNAVAILABLE')).toBe(true)
      expect((e as { cause?: { code?: string } }).cause?.code).toBe('42P01')
    }
    await replay.close()
    await expect(replay.markIfNew('c', T0 + 10, T0)).rejects.toSatisfy((e) =>
      isMessagingError(e, 'ERR_REPLAY_STORE_UNAVAILABLE'),
    )
    // an unreachable database as well
    const down = createReplayStorePostgres('postgres://kilt:kilt@127.0.0.1:1/none', { schema })
    cleanups.push(() => down.close())
    await expect(down.markIfNew('d', T0 + 10, T0)).rejects.toSatisfy((e) =>
      isMessagingError(e, 'ERR_REPLAY_STORE_UNAVAILABLE'),
    )
  })

  it('rejects bad arguments', async () => {
    await expect(createReplayStorePostgres(url).markIfNew('', 1, 0)).rejects.toSatisfy((e) =>
      isMessagingError(e, 'ERR_ARGUMENT_INVALID'),
    )
    expect(() => createReplayStorePostgres(url, { schema: 'A' })).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
    expect(() => createReplayStorePostgres({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
  })
})
