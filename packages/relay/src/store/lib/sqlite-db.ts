/**
 * @module store/lib/sqlite-db
 * Opens a SQLite connection with the relay's pragmas (WAL, the chosen `synchronous`, a busy timeout
 * so connections of one file wait for each other's write locks instead of failing).
 */

import Database from 'better-sqlite3'

/** Opens the database file with the relay's pragmas. */
export function openSqliteDatabase(file: string, synchronous: 'FULL' | 'NORMAL'): Database.Database {
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${synchronous}`)
    db.pragma('busy_timeout = 5000')
  } catch (e) {
    db.close()
    throw e
  }
  return db
}
