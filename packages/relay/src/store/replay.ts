/**
 * @module store/replay
 * Replay-guard stores (core's `ReplayStore`) that share the relay's SQLite file or PostgreSQL
 * database, each in its own table, so every relay instance rejects a message seen by any other.
 */

import { MessagingError } from '@kilt-messaging/core'
import type Database from 'better-sqlite3'
import pg from 'pg'
import { DEFAULT_REPLAY_MAX_WAIT_MS, postgresReplayStore, sqliteReplayStore } from './lib/replay-store.js'
import { checkSchemaName, DEFAULT_SCHEMA } from './postgres.js'

/** A replay store on SQLite (marks are group-committed, `synchronous=FULL`). */
export interface SqliteReplayStore {
  /**
   * Records `key` until `expiresAt` unless it is recorded and unexpired at `now`; resolves after the
   * COMMIT holding the record returned. While another connection (the mailbox store's writer
   * thread, another process) holds the file's write lock, it waits without blocking the event loop,
   * for at most `maxWaitMs`.
   * @returns true when the key was new (absent or expired); never true twice for one live key.
   * @throws MessagingError ERR_REPLAY_STORE_UNAVAILABLE (rejected; nothing recorded) when the write
   *   lock stayed taken for `maxWaitMs` or the database failed
   */
  markIfNew(key: string, expiresAt: number, now: number): Promise<boolean>
  /**
   * Deletes every entry with `expiresAt <= now`, in bounded chunks, waiting for the write lock like
   * {@link markIfNew} (at most `maxWaitMs` for each chunk).
   * @throws MessagingError ERR_REPLAY_STORE_UNAVAILABLE (rejected) as {@link markIfNew}
   */
  purge(now: number): Promise<void>
  /** Lets the marks already asked for settle, then closes the connection if this store opened it (a shared `Database` stays open). */
  close(): Promise<void>
}

/** Options of {@link createReplayStoreSqlite}. */
export interface SqliteReplayStoreOptions {
  /**
   * How long a mark (or a purge chunk) may wait, in total, for the database's write lock held by
   * another connection before it fails with `ERR_REPLAY_STORE_UNAVAILABLE` (ms, 0..2^31−1). The
   * wait never blocks the event loop. Default 5000.
   */
  readonly maxWaitMs?: number
}

/** A replay store on PostgreSQL. */
export interface PostgresReplayStore {
  /** See {@link SqliteReplayStore.markIfNew}; atomic across instances. */
  markIfNew(key: string, expiresAt: number, now: number): Promise<boolean>
  /** Deletes every entry with `expiresAt <= now`, in bounded chunks. */
  purge(now: number): Promise<void>
  /** Ends the pool if this store created it (a shared pool stays open). */
  close(): Promise<void>
}

/** Longest timer delay (`setTimeout` fires at once above it). */
const MAX_TIMER_MS = 2 ** 31 - 1

function checkMark(key: unknown, expiresAt: unknown, now: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"key" expected a string of 1..1024 characters')
  }
  checkClock('expiresAt', expiresAt)
  checkClock('now', now)
}

function checkClock(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected a non-negative safe integer (ms)`)
  }
}

/**
 * Creates a replay store in table `replay_keys` of a SQLite database.
 *
 * @param target - A better-sqlite3 `Database` to share (e.g. `createSqliteStore(...).database`), or a
 *   file path to open (WAL, `synchronous=FULL`).
 * @param options - `maxWaitMs` (default 5000): see {@link SqliteReplayStoreOptions}.
 * @returns The store. `markIfNew` and `purge` reject with `ERR_ARGUMENT_INVALID` for a key that is
 *   not 1..1024 characters or times that are not non-negative safe integers (ms).
 * @throws {MessagingError} `ERR_ARGUMENT_INVALID` when `target` is neither, or for a bad option.
 * @example
 * const store = createSqliteStore({ file: 'relay.db' })
 * const replay = createReplayStoreSqlite(store.database)
 * await replay.markIfNew('did:kilt:4abc…#0x12…', Date.now() + 60_000, Date.now()) // true, then false
 */
export function createReplayStoreSqlite(
  target: Database.Database | string,
  options: SqliteReplayStoreOptions = {},
): SqliteReplayStore {
  const isDb =
    typeof target === 'object' &&
    target !== null &&
    typeof (target as Database.Database).prepare === 'function'
  if (!isDb && (typeof target !== 'string' || target.length === 0)) {
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      '"target" expected a better-sqlite3 Database or a file path',
    )
  }
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  const { maxWaitMs = DEFAULT_REPLAY_MAX_WAIT_MS } = options
  if (
    typeof maxWaitMs !== 'number' ||
    !Number.isSafeInteger(maxWaitMs) ||
    maxWaitMs < 0 ||
    maxWaitMs > MAX_TIMER_MS
  )
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"options.maxWaitMs" expected an integer of 0..${MAX_TIMER_MS} (ms)`,
    )
  const inner = sqliteReplayStore(target, maxWaitMs)
  return {
    markIfNew(key, expiresAt, now) {
      try {
        checkMark(key, expiresAt, now)
      } catch (e) {
        return Promise.reject(e)
      }
      return inner.markIfNew(key, expiresAt, now)
    },
    async purge(now) {
      checkClock('now', now)
      return inner.purge(now)
    },
    close: () => inner.close(),
  }
}

/**
 * Creates a replay store in table `<schema>.replay_keys` of a PostgreSQL database. The table is
 * created on first use, under the same advisory lock as the mailbox store's migrations.
 *
 * @param target - A `pg.Pool` to share (e.g. `createPostgresStore(...).pool`), or a connection string.
 * @param options - `schema` (default `'kilt_relay'`; lower-case identifier of 1..48 characters).
 * @returns The store.
 * @throws {MessagingError} `ERR_ARGUMENT_INVALID` for a bad target or schema.
 * @example
 * const replay = createReplayStorePostgres(process.env.DATABASE_URL!)
 * await replay.markIfNew('key', Date.now() + 60_000, Date.now()) // true, then false on every instance
 */
export function createReplayStorePostgres(
  target: pg.Pool | string,
  options: { schema?: string } = {},
): PostgresReplayStore {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA)
  let pool: pg.Pool
  let owned = false
  if (typeof target === 'string') {
    if (target.length === 0)
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"target" expected a connection string')
    pool = new pg.Pool({ connectionString: target, max: 4, application_name: 'kilt-relay-replay' })
    pool.on('error', () => undefined)
    owned = true
  } else if (target instanceof pg.Pool) {
    pool = target
  } else {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"target" expected a pg.Pool or a connection string')
  }
  const inner = postgresReplayStore(pool, owned, schema)
  return {
    async markIfNew(key, expiresAt, now) {
      checkMark(key, expiresAt, now)
      return inner.markIfNew(key, expiresAt, now)
    },
    async purge(now) {
      checkClock('now', now)
      return inner.purge(now)
    },
    close: () => inner.close(),
  }
}
