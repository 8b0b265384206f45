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

/** Options of `createMemoryReplayStore`. */
export interface MemoryReplayStoreOptions {
  /**
   * Upper bound on stored ids (default 100 000). Expired ids are dropped about once a second; when full, expired ids are purged first; if the
   * store is still full, `markIfNew` throws `ERR_REPLAY_STORE_UNAVAILABLE` (fail closed: ids are never
   * forgotten early, because a forgotten id could be replayed).
   */
  readonly maxEntries?: number
}

/** An in-memory {@link ReplayStore} with a size bound, for one process. */
export interface MemoryReplayStore extends ReplayStore {
  /** Number of stored ids (expired ones included until purged). Never above `maxEntries`. */
  readonly size: number
  /** The configured bound. */
  readonly maxEntries: number
  markIfNew(key: string, expiresAt: number, now: number): boolean
  purge(now: number): void
  /** Drops every entry. */
  clear(): void
}

/** Options of `createReplayGuard`. */
export interface ReplayGuardOptions {
  /** Where seen ids are kept (default: a new `createMemoryReplayStore()`). */
  readonly store?: ReplayStore
  /** Oldest accepted `createdAt`, as an age in ms (default 60 000, KILT docs §9.4). */
  readonly maxAgeMs?: number
  /** Largest accepted clock skew into the future, in ms (default 1 000, KILT docs §9.4). */
  readonly maxFutureSkewMs?: number
  /** The clock, ms since the Unix epoch (default `Date.now`). */
  readonly now?: () => number
}

/** What the guard needs to know about an accepted message. */
export interface ReplayCheckInput {
  /** The sender DID (keyed by subject: the light and full forms of one DID are the same sender). */
  readonly sender: string
  /** The receiver DID, when known (keyed by subject: one guard can serve several receivers). */
  readonly receiver?: string
  readonly messageId?: string
  readonly createdAt?: number
}

/** Extra context of one check. */
export interface ReplayCheckContext {
  /** The time to check against (default: the guard's clock). */
  readonly now?: number
  /** The decrypted plaintext bytes: keyed by their blake2b-256 when the message has no `messageId`. */
  readonly plaintext?: Uint8Array
  /**
   * Whether `createdAt` must be inside the window (default true). When false (an old SDK peer
   * that sends no usable `createdAt`), the id is remembered for `maxAgeMs` from now only.
   */
  readonly freshness?: boolean
}

/** Freshness window plus a record of seen messages (KILT docs, "Protect Against Replay Attacks"). */
export interface ReplayGuard {
  /** The freshness window of this guard, in ms. */
  readonly maxAgeMs: number
  readonly maxFutureSkewMs: number
  /**
   * Accepts a message once: checks `createdAt` against the window, then atomically records
   * (sender subject, messageId) — or, without a messageId, the hash of the plaintext bytes.
   * @throws MessagingError ERR_MESSAGE_STALE, ERR_MESSAGE_FUTURE, ERR_MESSAGE_REPLAYED, ERR_REPLAY_STORE_UNAVAILABLE
   */
  check(message: ReplayCheckInput, context?: ReplayCheckContext): Promise<void>
}
