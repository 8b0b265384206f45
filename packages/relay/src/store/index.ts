/**
 * @module store
 * The relay's storage: one `MailboxStore` interface, SQLite and PostgreSQL implementations, message
 * ids, and replay-guard stores sharing those databases.
 */

export { isMessageId, MESSAGE_ID_LENGTH, messageIdTime, newMessageId, newMessageIdAfter } from './ids.js'
export { openStore, type StoreConfig } from './open.js'
export {
  checkSchemaName,
  createPostgresStore,
  DEFAULT_SCHEMA,
  type PostgresMailboxStore,
  type PostgresStoreOptions,
} from './postgres.js'
export {
  createReplayStorePostgres,
  createReplayStoreSqlite,
  type PostgresReplayStore,
  type SqliteReplayStore,
  type SqliteReplayStoreOptions,
} from './replay.js'
export { createSqliteStore, type SqliteMailboxStore, type SqliteStoreOptions } from './sqlite.js'
export type * from './types.js'
