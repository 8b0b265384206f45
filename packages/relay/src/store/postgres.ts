/**
 * @module store/postgres
 * The mailbox store for several relay instances sharing one PostgreSQL database.
 */

import { MessagingError } from '@kilt-messaging/core'
import type pg from 'pg'
import { postgresStore } from './lib/postgres-store.js'
import type { MailboxStore } from './types.js'

/** The schema (namespace) used when none is given. */
export const DEFAULT_SCHEMA = 'kilt_relay'

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly connectionString: string
  /** Schema holding the tables (created if missing); lower-case identifier, 1..48 characters. Default `'kilt_relay'`. */
  readonly schema?: string
  /** Connections in the pool (1..100), besides one dedicated LISTEN connection. Default 10. */
  readonly poolSize?: number
}

/** The PostgreSQL store, with its pool exposed so a replay store can share it. */
export interface PostgresMailboxStore extends MailboxStore {
  /** The underlying `pg` pool (owned by the store; ended by `close()`). */
  readonly pool: pg.Pool
  /** The schema holding the tables. */
  readonly schema: string
}

/**
 * Checks a schema name: `[a-z_][a-z0-9_]*`, at most 48 characters (the LISTEN channel
 * `kilt_relay_<schema>` must fit PostgreSQL's 63-byte identifiers).
 *
 * @param schema - The name.
 * @returns The name.
 * @throws {MessagingError} `ERR_ARGUMENT_INVALID` otherwise.
 * @example
 * checkSchemaName('kilt_relay') // 'kilt_relay'
 */
export function checkSchemaName(schema: unknown): string {
  if (typeof schema !== 'string' || !/^[a-z_][a-z0-9_]{0,47}$/.test(schema)) {
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      '"schema" expected a lower-case identifier of 1..48 characters',
    )
  }
  return schema
}

/**
 * Creates a PostgreSQL mailbox store. Nothing connects before `init()`, which applies the schema
 * migrations under an advisory lock (instances may start together) and opens the LISTEN connection
 * that turns other instances' deposits into `onDeposit` calls (reconnecting if it drops).
 *
 * @param options - `connectionString`, `schema` (default `'kilt_relay'`), `poolSize` (default 10).
 * @returns The store.
 * @throws {MessagingError} `ERR_ARGUMENT_INVALID` for bad options.
 * @example
 * const store = createPostgresStore({ connectionString: process.env.DATABASE_URL! })
 * await store.init()
 * store.onDeposit((mailbox) => pushToLiveSockets(mailbox))
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresMailboxStore {
  if (typeof options !== 'object' || options === null) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  }
  const { connectionString, schema = DEFAULT_SCHEMA, poolSize = 10 } = options
  if (
    typeof connectionString !== 'string' ||
    connectionString.length === 0 ||
    connectionString.length > 4096
  ) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options.connectionString" expected a non-empty string')
  }
  if (!Number.isSafeInteger(poolSize) || poolSize < 1 || poolSize > 100) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options.poolSize" expected an integer in 1..100')
  }
  return postgresStore({ connectionString, schema: checkSchemaName(schema), poolSize })
}
