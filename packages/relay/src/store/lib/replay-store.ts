/**
 * @module store/lib/replay-store
 * Replay-guard stores on the relay's databases, in their own table `replay_keys`. `markIfNew` is one
 * upsert whose update only fires when the recorded entry has expired, so it is atomic on both
 * backends (SQLite: one write transaction at a time; PostgreSQL: `ON CONFLICT` re-checks the
 * committed row under its lock), also across processes and instances.
 *
 * The SQLite store writes on the caller's thread, usually on the mailbox store's connection, while
 * the mailbox store's writer thread (or another process) may hold the file's write lock. It never
 * waits for that lock inside SQLite (a busy timeout would stop the event loop for as long): its
 * writes run with `busy_timeout = 0`, and one that finds the lock taken is tried again on a timer,
 * until `maxWaitMs` after the mark (or purge) was asked for; then it fails with
 * `ERR_REPLAY_STORE_UNAVAILABLE` having recorded nothing.
 */

import { MessagingError } from '@kilt-messaging/core'
import type Database from 'better-sqlite3'
import type pg from 'pg'
import { lockKey, quoteIdent } from './postgres-schema.js'
import { openSqliteDatabase } from './sqlite-store.js'

/** What both replay stores offer: core's `ReplayStore` plus `close`. */
export interface SqlReplayStoreImpl<R extends boolean | Promise<boolean>, P extends void | Promise<void>> {
  markIfNew(key: string, expiresAt: number, now: number): R
  purge(now: number): P
  close(): Promise<void>
}

const PURGE_CHUNK = 5000

/** Default of `maxWaitMs`: the busy timeout the store used to wait inside SQLite. */
export const DEFAULT_REPLAY_MAX_WAIT_MS = 5000
/** Longest pause between two tries for a write lock held elsewhere (ms). */
const MAX_RETRY_DELAY_MS = 25

/** The pause before try `tries + 1` for a held write lock: 2, 4, … ms up to 25, never past the deadline `leftMs`. */
function retryDelay(tries: number, leftMs: number): number {
  return Math.max(0, Math.min(2 ** Math.min(tries, 5), MAX_RETRY_DELAY_MS, Math.ceil(leftMs)))
}

interface PendingMark {
  readonly key: string
  readonly expiresAt: number
  readonly now: number
  /** `performance.now()` after which the mark fails rather than wait on. */
  readonly deadline: number
  readonly resolve: (fresh: boolean) => void
  readonly reject: (e: unknown) => void
}

const MAX_GROUP = 4096

const SQLITE_REPLAY_SCHEMA =
  'CREATE TABLE IF NOT EXISTS replay_keys (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;' +
  'CREATE INDEX IF NOT EXISTS replay_keys_expires_at ON replay_keys (expires_at);'

/** True for SQLite's "another connection holds the lock" (`SQLITE_BUSY` and its extended codes). */
function isBusy(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

function unavailable(message: string, cause?: unknown): MessagingError {
  return new MessagingError('ERR_REPLAY_STORE_UNAVAILABLE', message, cause === undefined ? {} : { cause })
}

/**
 * SQLite replay store on `db` (or on a file it opens and owns). Marks are group-committed like
 * deposits: those waiting while a commit runs go into the next IMMEDIATE transaction, where they run
 * one after another (so two marks of one key still see each other), and resolve after COMMIT. A
 * group that finds the write lock taken is retried whole, later (see the module notes).
 *
 * @param target - the connection to share, or a file path to open
 * @param maxWaitMs - how long a mark or a purge may wait for the write lock in total (ms)
 */
export function sqliteReplayStore(
  target: Database.Database | string,
  maxWaitMs: number = DEFAULT_REPLAY_MAX_WAIT_MS,
): SqlReplayStoreImpl<Promise<boolean>, Promise<void>> {
  const owned = typeof target === 'string'
  const db = owned ? openSqliteDatabase(target, 'FULL') : target

  /** Runs `fn` without SQLite's busy handler: it fails at once with SQLITE_BUSY instead of sleeping. */
  function noBusyWait<T>(fn: () => T): T {
    const previous = db.pragma('busy_timeout', { simple: true })
    if (previous === 0) return fn()
    db.pragma('busy_timeout = 0')
    try {
      return fn()
    } finally {
      db.pragma(`busy_timeout = ${Number(previous)}`)
    }
  }

  // Prepared once the table exists: creating it needs the write lock too, so it may have to wait
  // for the first mark or purge.
  let st:
    | {
        readonly mark: Database.Statement<[string, number, number]>
        readonly purge: Database.Statement<[number, number]>
        readonly markGroup: Database.Transaction<(group: readonly PendingMark[]) => boolean[]>
      }
    | undefined
  function statements(): NonNullable<typeof st> {
    if (st !== undefined) return st
    db.exec(SQLITE_REPLAY_SCHEMA)
    const mark = db.prepare<[string, number, number]>(
      'INSERT INTO replay_keys (key, expires_at) VALUES (?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_keys.expires_at <= ?',
    )
    st = {
      mark,
      purge: db.prepare<[number, number]>(
        'DELETE FROM replay_keys WHERE key IN (SELECT key FROM replay_keys WHERE expires_at <= ? LIMIT ?)',
      ),
      markGroup: db.transaction((group: readonly PendingMark[]) =>
        group.map((m) => mark.run(m.key, m.expiresAt, m.now).changes === 1),
      ),
    }
    return st
  }
  try {
    noBusyWait(statements)
  } catch (e) {
    if (!isBusy(e)) {
      if (owned) db.close()
      throw e
    }
  }

  let queue: PendingMark[] = []
  /** A flush is scheduled (by `setImmediate`, or by a timer after a busy try). */
  let scheduled = false
  let busyTries = 0
  let closed = false
  const idle: Array<() => void> = []

  function schedule(delayMs: number | undefined): void {
    if (scheduled) return
    scheduled = true
    if (delayMs === undefined) setImmediate(flush)
    else setTimeout(flush, delayMs)
  }

  /** Fails the marks that waited past their deadline; the pause before the next try, if any are left. */
  function afterBusy(cause: unknown): number | undefined {
    const now = performance.now()
    const waiting: PendingMark[] = []
    for (const m of queue) {
      if (m.deadline <= now)
        m.reject(unavailable(`the replay store's database stayed locked for ${maxWaitMs} ms`, cause))
      else waiting.push(m)
    }
    queue = waiting
    if (queue.length === 0) return undefined
    busyTries++
    const first = Math.min(...queue.slice(0, MAX_GROUP).map((m) => m.deadline))
    return retryDelay(busyTries, first - now)
  }

  function flush(): void {
    scheduled = false
    if (queue.length > 0) {
      const group = queue.slice(0, MAX_GROUP)
      let results: boolean[] | undefined
      try {
        results = noBusyWait(() => statements().markGroup.immediate(group))
      } catch (e) {
        if (isBusy(e)) {
          const delay = afterBusy(e)
          if (delay !== undefined) schedule(delay)
        } else {
          queue = queue.slice(group.length)
          for (const m of group) m.reject(unavailable('the replay store failed', e))
        }
      }
      if (results !== undefined) {
        busyTries = 0
        queue = queue.slice(group.length)
        for (let i = 0; i < group.length; i++) group[i]!.resolve(results[i]!)
      }
      if (queue.length > 0) schedule(undefined)
    }
    if (queue.length === 0) for (const done of idle.splice(0)) done()
  }

  /** Resolves after `ms` (an event-loop turn at least). */
  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

  return {
    markIfNew(key, expiresAt, now) {
      if (closed) return Promise.reject(unavailable('the replay store is closed'))
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ key, expiresAt, now, deadline: performance.now() + maxWaitMs, resolve, reject })
        schedule(undefined)
      })
    },
    async purge(now) {
      if (closed) throw unavailable('the replay store is closed')
      let deadline = performance.now() + maxWaitMs
      for (let tries = 1; ; ) {
        let changes: number
        try {
          changes = noBusyWait(() => statements().purge.run(now, PURGE_CHUNK).changes)
        } catch (e) {
          if (!isBusy(e)) throw unavailable('the replay store failed', e)
          const left = deadline - performance.now()
          if (left <= 0) throw unavailable(`the replay store's database stayed locked for ${maxWaitMs} ms`, e)
          await pause(retryDelay(tries++, left))
          continue
        }
        if (changes < PURGE_CHUNK) return
        tries = 1
        deadline = performance.now() + maxWaitMs
        // Each chunk is its own short transaction; other work runs in between.
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    },
    async close() {
      if (closed) return
      closed = true
      // Marks already asked for still settle (committed, or failed at their deadline).
      if (queue.length > 0) await new Promise<void>((resolve) => idle.push(resolve))
      if (owned) db.close()
    },
  }
}

/** PostgreSQL replay store on `pool` (or on a pool it creates and owns). */
export function postgresReplayStore(
  pool: pg.Pool,
  owned: boolean,
  schema: string,
): SqlReplayStoreImpl<Promise<boolean>, Promise<void>> {
  const s = quoteIdent(schema)
  let ready: Promise<void> | undefined
  const ensure = (): Promise<void> => {
    ready ??= (async () => {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          lockKey(schema, 'migrate'),
        ])
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${s}.replay_keys (key text PRIMARY KEY, expires_at bigint NOT NULL)`,
        )
        await client.query(
          `CREATE INDEX IF NOT EXISTS replay_keys_expires_at ON ${s}.replay_keys (expires_at)`,
        )
        await client.query('COMMIT')
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw e
      } finally {
        client.release()
      }
    })()
    ready.catch(() => {
      ready = undefined
    })
    return ready
  }
  const markSql =
    `INSERT INTO ${s}.replay_keys AS r (key, expires_at) VALUES ($1, $2) ` +
    'ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE r.expires_at <= $3'
  const purgeSql =
    `DELETE FROM ${s}.replay_keys WHERE key IN ` +
    `(SELECT key FROM ${s}.replay_keys WHERE expires_at <= $1 LIMIT ${PURGE_CHUNK})`
  let closed = false
  /** Runs `work` on the database; any failure of it (connection, schema, query) is the store's typed one. */
  async function onDatabase<T>(work: () => Promise<T>): Promise<T> {
    if (closed) throw unavailable('the replay store is closed')
    try {
      await ensure()
      return await work()
    } catch (e) {
      throw unavailable('the replay store failed', e)
    }
  }
  return {
    markIfNew(key, expiresAt, now) {
      return onDatabase(async () => (await pool.query(markSql, [key, expiresAt, now])).rowCount === 1)
    },
    purge(now) {
      return onDatabase(async () => {
        while (((await pool.query(purgeSql, [now])).rowCount ?? 0) === PURGE_CHUNK) {
          // keep going: each chunk is its own short statement
        }
      })
    },
    async close() {
      if (closed) return
      closed = true
      if (owned) await pool.end()
    },
  }
}
