/**
 * @module store/types
 * The relay's storage interface. One interface, one conformance suite, two implementations
 * (SQLite embedded, PostgreSQL for many instances). Stores hold ciphertext envelopes only.
 */

/** One deposit to commit. */
export interface DepositInput {
  /** Mailbox key: the receiver's DID subject (SS58 address), shared by a light DID and its full DID. */
  readonly mailbox: string
  /** The envelope as JSON text, already carrying the relay's `receivedAt`. */
  readonly envelope: string
  /** The envelope's `senderKeyUri` (for per-sender accounting). */
  readonly senderKeyUri: string
  /** Byte length of `envelope` (UTF-8). */
  readonly size: number
  /** Relay time of receipt (ms). */
  readonly receivedAt: number
  /** Expiry (ms); expired messages are never returned and are deleted by `expire`. */
  readonly expiresAt: number
}

/** A stored message. */
export interface StoredMessage {
  /** Time-ordered id, made by the relay; lexicographic order = deposit order. */
  readonly id: string
  readonly mailbox: string
  /** The envelope JSON text. */
  readonly envelope: string
  readonly size: number
  readonly receivedAt: number
  readonly expiresAt: number
}

/** Per-mailbox quota, enforced atomically with the insert. */
export interface Quota {
  readonly maxCount: number
  readonly maxBytes: number
}

/** Thrown (as `StoreQuotaError`) when a deposit would exceed a mailbox's quota. */
export interface QuotaExceeded {
  readonly mailbox: string
}

/** The outcome of one deposit item: its id, or why it was not stored. */
export type DepositResult = { id: string } | { id: null; error: 'quota' | 'unavailable' }

export interface MailboxStore {
  /** Creates tables / runs migrations. Idempotent; safe when several instances start at once. */
  init(): Promise<void>
  /**
   * Commits deposits durably (resolves only after COMMIT returned) and returns their ids, in input order.
   * Each item either lands or fails alone: with a quota error (`{ id: null, error: 'quota' }`), or —
   * PostgreSQL, a batch part of which committed before the database failed — `'unavailable'`. A call
   * that stored nothing rejects instead.
   */
  deposit(items: readonly DepositInput[], quota: Quota): Promise<DepositResult[]>
  /**
   * Messages of a mailbox with id > `after`, oldest first, excluding expired ones. With `maxBytes`,
   * only the first messages whose sizes sum to at most `maxBytes` (always at least one, so a reader
   * makes progress past an envelope larger than it); envelopes past the cut are never loaded.
   */
  list(
    mailbox: string,
    options: { after?: string; limit: number; now: number; maxBytes?: number },
  ): Promise<StoredMessage[]>
  /** Deletes the given ids of this mailbox only; returns how many were deleted. */
  ack(mailbox: string, ids: readonly string[]): Promise<number>
  /** Current count and bytes of a mailbox (non-expired). */
  usage(mailbox: string, now: number): Promise<{ count: number; bytes: number }>
  /** Deletes expired messages; returns how many. */
  expire(now: number): Promise<number>
  /** Total stored messages (queue depth metric). */
  depth(): Promise<number>
  /** Subscribes to new deposits (across instances for PostgreSQL). Returns an unsubscribe function. */
  onDeposit(listener: (mailbox: string) => void): () => void
  /** Stores a login challenge (single use). */
  putChallenge(challenge: string, did: string, expiresAt: number): Promise<void>
  /** Atomically consumes a challenge: returns its DID if it existed and had not expired, else null. */
  takeChallenge(challenge: string, now: number): Promise<{ did: string } | null>
  /** A 32-byte secret shared by every instance on this database (token signing); created on first use. */
  deploymentSecret(): Promise<Uint8Array>
  /** Liveness of the backing database. */
  ping(): Promise<boolean>
  close(): Promise<void>
}
