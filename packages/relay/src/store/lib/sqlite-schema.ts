/**
 * @module store/lib/sqlite-schema
 * Versioned SQLite schema. The version lives in `meta` (`schema_version`); each migration runs once,
 * inside an IMMEDIATE transaction, so two processes opening one file do not race.
 */

import type Database from 'better-sqlite3'

/** Migrations, in order; index + 1 is the version they bring the schema to. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE messages (
    id TEXT NOT NULL,
    mailbox TEXT NOT NULL,
    envelope TEXT NOT NULL,
    sender_key_uri TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (mailbox, id)
  );
  CREATE INDEX messages_expires_at ON messages (expires_at);
  CREATE TABLE usage (
    mailbox TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    last_id TEXT
  ) WITHOUT ROWID;
  CREATE TABLE challenges (
    challenge TEXT PRIMARY KEY,
    did TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX challenges_expires_at ON challenges (expires_at);
  `,
]

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length

/**
 * Brings the schema up to {@link SQLITE_SCHEMA_VERSION}.
 *
 * @param db - An open database.
 * @throws {Error} when the file was written by a newer version of this code.
 */
export function migrateSqlite(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)')
  const run = db.transaction(() => {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
      | { value: number | string }
      | undefined
    const current = row === undefined ? 0 : Number(row.value)
    if (current > MIGRATIONS.length) {
      throw new Error(`store schema version ${current} is newer than this relay (${MIGRATIONS.length})`)
    }
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!)
    if (current !== MIGRATIONS.length) {
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(
        MIGRATIONS.length,
      )
    }
  })
  run.immediate()
}
