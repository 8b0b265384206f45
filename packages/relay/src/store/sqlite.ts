/**
 * @module store/sqlite
 * The embedded mailbox store: one SQLite file (WAL, `synchronous=FULL`), group commit.
 */

import { MessagingError } from '@kilt-messaging/core'
import type Database from 'better-sqlite3'
import { sqliteStore } from './lib/sqlite-store.js'
import type { MailboxStore } from './types.js'

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file (created if missing); `':memory:'` for a throw-away store. */
  readonly file: string
  /**
   * `FULL` (default): every COMMIT is fsynced, so an acknowledged deposit survives a power cut.
   * `NORMAL`: survives a process crash but may lose the last commits on power loss.
   */
  readonly synchronous?: 'FULL' | 'NORMAL'
}

/** The SQLite store, with its connection exposed so a replay store can share the file. */
export interface SqliteMailboxStore extends MailboxStore {
  /** The underlying better-sqlite3 connection (owned by the store; closed by `close()`). */
  readonly database: Database.Database
}

/**
 * Creates a SQLite mailbox store. The file is opened at once; call `init()` before use (it runs the
 * schema migrations). Deposits waiting while a commit runs are written together in the next
 * transaction, and each deposit's promise resolves only after the COMMIT holding it returned.
 *
 * @param options - `file` (path, 1..4096 characters) and `synchronous` (default `'FULL'`).
 * @returns The store.
 * @throws {MessagingError} `ERR_ARGUMENT_INVALID` for bad options; better-sqlite3's error when the
 *   file cannot be opened.
 * @example
 * const store = createSqliteStore({ file: '/var/lib/kilt-relay/mailbox.db' })
 * await store.init()
 * const [r] = await store.deposit([item], { maxCount: 1000, maxBytes: 10_000_000 })
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteMailboxStore {
  if (typeof options !== 'object' || options === null) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  }
  const { file, synchronous = 'FULL' } = options
  if (typeof file !== 'string' || file.length === 0 || file.length > 4096 || file.includes('\0')) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options.file" expected a path of 1..4096 characters')
  }
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options.synchronous" expected "FULL" or "NORMAL"')
  }
  return sqliteStore({ file, synchronous })
}
