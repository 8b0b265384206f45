/**
 * @module store/lib/replay-store
 * Replay-guard stores on the relay's databases, in their own table `replay_keys`. `markIfNew` is one
 * upsert whose update only fires when the recorded entry has expired, so it is atomic on both
 * backends (SQLite: one write transaction at a time; PostgreSQL: `ON CONFLICT` re-checks the
 * committed row under its lock), also across processes and instances.
 */

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

interface PendingMark {
  readonly key: string
  readonly expiresAt: number
  readonly now: number
  readonly resolve: (fresh: boolean) => void
  readonly reject: (e: unknown) => void
}

const MAX_GROUP = 4096

/**
 * SQLite replay store on `db` (or on a file it opens and owns). Marks are group-committed like
 * deposits: those waiting while a commit runs go into the next IMMEDIATE transaction, where they run
 * one after another (so two marks of one key still see each other), and resolve after COMMIT.
 */
export function sqliteReplayStore(
  target: Database.Database | string,
): SqlReplayStoreImpl<Promise<boolean>, void> {
  const owned = typeof target === 'string'
  const db = owned ? openSqliteDatabase(target, 'FULL') : target
  db.exec(
    'CREATE TABLE IF NOT EXISTS replay_keys (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;' +
      'CREATE INDEX IF NOT EXISTS replay_keys_expires_at ON replay_keys (expires_at);',
  )
  const mark = db.prepare<[string, number, number]>(
    'INSERT INTO replay_keys (key, expires_at) VALUES (?, ?) ' +
      'ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_keys.expires_at <= ?',
  )
  const purge = db.prepare<[number, number]>(
    'DELETE FROM replay_keys WHERE key IN (SELECT key FROM replay_keys WHERE expires_at <= ? LIMIT ?)',
  )
  const markGroup = db.transaction((group: readonly PendingMark[]) =>
    group.map((m) => mark.run(m.key, m.expiresAt, m.now).changes === 1),
  )
  let queue: PendingMark[] = []
  let scheduled = false
  let closed = false

  function flush(): void {
    scheduled = false
    if (queue.length === 0) return
    const group = queue.slice(0, MAX_GROUP)
    queue = queue.slice(group.length)
    let results: boolean[] | undefined
    try {
      results = markGroup.immediate(group)
    } catch (e) {
      for (const m of group) m.reject(e)
    }
    if (results !== undefined) for (let i = 0; i < group.length; i++) group[i]!.resolve(results[i]!)
    if (queue.length > 0 && !scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  }

  return {
    markIfNew(key, expiresAt, now) {
      if (closed) return Promise.reject(new Error('the replay store is closed'))
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ key, expiresAt, now, resolve, reject })
        if (!scheduled) {
          scheduled = true
          setImmediate(flush)
        }
      })
    },
    purge(now) {
      while (purge.run(now, PURGE_CHUNK).changes === PURGE_CHUNK) {
        // keep going: each chunk is its own short transaction
      }
    },
    async close() {
      if (closed) return
      while (queue.length > 0) flush()
      closed = true
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
  return {
    async markIfNew(key, expiresAt, now) {
      await ensure()
      const r = await pool.query(markSql, [key, expiresAt, now])
      return r.rowCount === 1
    },
    async purge(now) {
      await ensure()
      while (((await pool.query(purgeSql, [now])).rowCount ?? 0) === PURGE_CHUNK) {
        // keep going: each chunk is its own short statement
      }
    },
    async close() {
      if (closed) return
      closed = true
      if (owned) await pool.end()
    },
  }
}
