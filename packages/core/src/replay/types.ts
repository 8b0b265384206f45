/**
 * @module replay/types
 * The pluggable store behind the replay guard. In-memory here; SQLite and PostgreSQL stores live in the relay package.
 */

/** A store of seen message keys with expiry. */
export interface ReplayStore {
  /**
   * Atomically records `key` until `expiresAt` (ms since epoch).
   * Returns true if the key was new (absent or expired at `now`), false if it is already recorded.
   * Two concurrent calls with the same key must never both return true.
   */
  markIfNew(key: string, expiresAt: number, now: number): boolean | Promise<boolean>
  /** Removes every entry that expired before `now`. */
  purge?(now: number): void | Promise<void>
}
