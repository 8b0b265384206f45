/**
 * @module store/lib/postgres-schema
 * Versioned PostgreSQL schema inside one schema (namespace). Migrations run at `init()` in one
 * transaction holding an advisory lock keyed by the schema name, so instances starting together
 * apply each migration exactly once.
 */

import type pg from 'pg'

/** Quotes a checked schema name as an identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** The advisory-lock key text for a schema (hashed by PostgreSQL with `hashtextextended`). */
export function lockKey(schema: string, what: string): string {
  return `kilt-relay:${what}:${schema}`
}

function migrations(s: string): readonly string[] {
  return [
    `
    CREATE TABLE ${s}.messages (
      id text COLLATE "C" NOT NULL,
      mailbox text NOT NULL,
      envelope text NOT NULL,
      sender_key_uri text NOT NULL,
      size integer NOT NULL,
      received_at bigint NOT NULL,
      expires_at bigint NOT NULL,
      PRIMARY KEY (mailbox, id)
    );
    CREATE INDEX messages_expires_at ON ${s}.messages (expires_at);
    CREATE TABLE ${s}.usage (
      mailbox text PRIMARY KEY,
      count bigint NOT NULL,
      bytes bigint NOT NULL,
      last_id text COLLATE "C"
    );
    CREATE TABLE ${s}.challenges (
      challenge text PRIMARY KEY,
      did text NOT NULL,
      expires_at bigint NOT NULL
    );
    CREATE INDEX challenges_expires_at ON ${s}.challenges (expires_at);
    `,
  ]
}

/** The schema version this code writes. */
export const POSTGRES_SCHEMA_VERSION = 1

/**
 * Creates the schema if needed and applies the missing migrations, under an advisory lock.
 *
 * @param client - A dedicated client (not in a transaction).
 * @param schema - The checked schema name.
 * @throws {Error} when the database was migrated by a newer version of this code.
 */
export async function migratePostgres(client: pg.PoolClient, schema: string): Promise<void> {
  const s = quoteIdent(schema)
  const list = migrations(s)
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey(schema, 'migrate')])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.meta (key text PRIMARY KEY, value text NOT NULL)`)
    const { rows } = await client.query<{ value: string }>(
      `SELECT value FROM ${s}.meta WHERE key = 'schema_version'`,
    )
    const current = rows[0] === undefined ? 0 : Number(rows[0].value)
    if (!Number.isSafeInteger(current) || current > list.length) {
      throw new Error(`store schema version ${rows[0]?.value} is newer than this relay (${list.length})`)
    }
    for (let v = current; v < list.length; v++) await client.query(list[v]!)
    if (current !== list.length) {
      await client.query(
        `INSERT INTO ${s}.meta (key, value) VALUES ('schema_version', $1)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [String(list.length)],
      )
    }
    await client.query('COMMIT')
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw e
  }
}
