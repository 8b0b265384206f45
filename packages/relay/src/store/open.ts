/**
 * @module store/open
 * Picks the mailbox store from configuration: PostgreSQL when a connection string is given,
 * otherwise SQLite.
 */

import { MessagingError } from '@kilt-messaging/core'
import { createPostgresStore, type PostgresMailboxStore } from './postgres.js'
import { createSqliteStore, type SqliteMailboxStore } from './sqlite.js'

/** Configuration of {@link openStore}: exactly one of `db` and `postgres`. */
export interface StoreConfig {
  /** SQLite file path (e.g. from `--db` / `KILT_RELAY_DB`). */
  readonly db?: string
  /** PostgreSQL connection string (e.g. from `--postgres` / `KILT_RELAY_POSTGRES`). */
  readonly postgres?: string
  /** SQLite only: `'FULL'` (default) or `'NORMAL'`. */
  readonly synchronous?: 'FULL' | 'NORMAL'
  /** PostgreSQL only: schema (default `'kilt_relay'`). */
  readonly schema?: string
  /** PostgreSQL only: pool size (default 10). */
  readonly poolSize?: number
}

/**
 * Creates the configured store (not yet initialised: call `init()`, or let `createRelay` do it).
 *
 * @param config - `db` (SQLite path) or `postgres` (connection string), plus backend options.
 * @returns A SQLite or PostgreSQL store.
 * @throws {MessagingError} `ERR_ARGUMENT_INVALID` when both or neither backend is named, or options are bad.
 * @example
 * const store = openStore({ postgres: process.env.KILT_RELAY_POSTGRES, db: undefined })
 * await store.init()
 */
export function openStore(config: StoreConfig): SqliteMailboxStore | PostgresMailboxStore {
  if (typeof config !== 'object' || config === null) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"config" expected an object')
  }
  const hasDb = config.db !== undefined && config.db !== ''
  const hasPg = config.postgres !== undefined && config.postgres !== ''
  if (hasDb === hasPg) {
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      'expected exactly one of "db" (SQLite file) and "postgres"',
    )
  }
  if (hasPg) {
    return createPostgresStore({
      connectionString: config.postgres!,
      ...(config.schema === undefined ? {} : { schema: config.schema }),
      ...(config.poolSize === undefined ? {} : { poolSize: config.poolSize }),
    })
  }
  return createSqliteStore({
    file: config.db!,
    ...(config.synchronous === undefined ? {} : { synchronous: config.synchronous }),
  })
}
