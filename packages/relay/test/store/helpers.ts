/**
 * @module test/store/helpers
 * Backing databases for the store tests: temp SQLite files, random PostgreSQL schemas.
 */

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/** The PostgreSQL URL CI sets; tests needing it are skipped (with a message) when it is unset. */
export const PG_URL = process.env.KILT_TEST_POSTGRES_URL

/** Prints a visible notice when the PostgreSQL tests of `file` are skipped; returns whether they run. */
export function pgAvailable(file: string): boolean {
  if (PG_URL !== undefined && PG_URL !== '') return true
  // CI sets CI_REQUIRE_POSTGRES: there a missing database is a failure, never a silent skip.
  if (process.env.CI_REQUIRE_POSTGRES)
    throw new Error(`KILT_TEST_POSTGRES_URL is not set but CI_REQUIRE_POSTGRES is: ${file} must run`)
  console.warn(`KILT_TEST_POSTGRES_URL is not set: the PostgreSQL tests in ${file} are SKIPPED`)
  return false
}

/** A fresh temp directory and its cleanup. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kilt-store-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A random schema name for one test. */
export function randomSchema(): string {
  return `t_${randomBytes(8).toString('hex')}`
}

/** Drops a schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

/** Runs one query on a short-lived connection. */
export async function pgQuery<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}
