/**
 * @module store/lib/sqlite-writer
 * Every write of the SQLite mailbox store, as operations run in groups: one IMMEDIATE transaction
 * holds all the deposits, acks, challenges and expiry chunks that waited while the previous commit
 * ran, so one fsync (`synchronous=FULL`) covers them all. The same code runs in the writer worker
 * thread (`sqlite-worker`) and, for `:memory:` databases, on the caller's thread. Quotas are checked
 * inside the transaction against per-mailbox counters kept in `usage`, which also remembers each
 * mailbox's newest id ever (`last_id`) so new ids always sort after it (id order = commit order
 * within a mailbox), even after acks and across processes sharing the file.
 */

import type Database from 'better-sqlite3'
import { newMessageIdAfter } from '../ids.js'
import type { DepositInput, DepositResult, Quota } from '../types.js'

/** Rows deleted per `expire` operation. */
export const EXPIRE_CHUNK = 1000
/** Most deposit items written in one group (an operation is never split). */
export const MAX_GROUP_ITEMS = 4096

/** Result of one deposit item (SQLite writes a batch in one transaction: never `'unavailable'`). */
export type { DepositResult } from '../types.js'

/** One write operation (structured-clonable: it crosses the worker boundary). */
export type WriteOp =
  | { readonly kind: 'deposit'; readonly items: readonly DepositInput[]; readonly quota: Quota }
  | { readonly kind: 'ack'; readonly mailbox: string; readonly ids: readonly string[] }
  | { readonly kind: 'expire'; readonly now: number }
  | {
      readonly kind: 'putChallenge'
      readonly challenge: string
      readonly did: string
      readonly expiresAt: number
    }
  | { readonly kind: 'takeChallenge'; readonly challenge: string }
  | { readonly kind: 'secret'; readonly candidate: Uint8Array }

/** What each kind of operation returns. */
export type WriteValue =
  | DepositResult[]
  | number
  | { readonly deleted: number; readonly done: boolean }
  | { readonly did: string; readonly expiresAt: number }
  | Uint8Array
  | null

/** An operation's outcome; errors are plain data so they can be posted between threads. */
export type WriteOutcome =
  | { readonly ok: true; readonly value: WriteValue }
  | { readonly ok: false; readonly error: { readonly message: string; readonly code?: string } }

interface UsageState {
  count: number
  bytes: number
  lastId: string | null
  reclaimed: boolean
  dirty: boolean
}

/** Counts the deposit items of an operation (for group sizing). */
function opItems(op: WriteOp): number {
  return op.kind === 'deposit' ? Math.max(1, op.items.length) : 1
}

/**
 * How many queued operations, from the front, go into the next group: at least one, then as many
 * as keep the group within {@link MAX_GROUP_ITEMS} deposit items (an operation is never split).
 *
 * @param queue - the waiting operations, oldest first (non-empty)
 * @returns the length of the next group, `1..queue.length`
 * @example
 * const group = queue.splice(0, groupLength(queue))
 */
export function groupLength(queue: ReadonlyArray<{ readonly op: WriteOp }>): number {
  let n = 0
  let items = 0
  while (n < queue.length) {
    const k = opItems(queue[n]!.op)
    if (n > 0 && items + k > MAX_GROUP_ITEMS) break
    items += k
    n++
  }
  return n
}

/** Plain-data form of an error. */
export function errorData(e: unknown): { message: string; code?: string } {
  const message = e instanceof Error ? e.message : String(e)
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined
  return typeof code === 'string' ? { message, code } : { message }
}

/** A writer bound to one connection (whose schema is migrated). */
export interface SqliteWriter {
  /**
   * Runs the operations in one IMMEDIATE transaction and returns one outcome per operation, in
   * order, after COMMIT returned. If the group transaction fails, each operation is retried alone so
   * that one failing operation does not fail the others.
   */
  run(ops: readonly WriteOp[]): WriteOutcome[]
}

/** Prepares the writer's statements on `db`. */
export function createSqliteWriter(db: Database.Database): SqliteWriter {
  const st = {
    usageGet: db.prepare<[string], { count: number; bytes: number; last_id: string | null }>(
      'SELECT count, bytes, last_id FROM usage WHERE mailbox = ?',
    ),
    usagePut: db.prepare<[string, number, number, string | null]>(
      'INSERT INTO usage (mailbox, count, bytes, last_id) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (mailbox) DO UPDATE SET count = excluded.count, bytes = excluded.bytes, last_id = excluded.last_id',
    ),
    usageSub: db.prepare<[number, number, string]>(
      'UPDATE usage SET count = count - ?, bytes = bytes - ? WHERE mailbox = ?',
    ),
    reclaim: db.prepare<[string, number], { size: number }>(
      'DELETE FROM messages WHERE mailbox = ? AND expires_at <= ? RETURNING size',
    ),
    insert: db.prepare<[string, string, string, string, number, number, number]>(
      'INSERT INTO messages (id, mailbox, envelope, sender_key_uri, size, received_at, expires_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    ackOne: db.prepare<[string, string], { size: number }>(
      'DELETE FROM messages WHERE mailbox = ? AND id = ? RETURNING size',
    ),
    expireChunk: db.prepare<[number, number], { mailbox: string; size: number }>(
      'DELETE FROM messages WHERE rowid IN ' +
        '(SELECT rowid FROM messages WHERE expires_at <= ? LIMIT ?) RETURNING mailbox, size',
    ),
    expireChallenges: db.prepare<[number, number]>(
      'DELETE FROM challenges WHERE rowid IN (SELECT rowid FROM challenges WHERE expires_at <= ? LIMIT ?)',
    ),
    challengePut: db.prepare<[string, string, number]>(
      'INSERT INTO challenges (challenge, did, expires_at) VALUES (?, ?, ?) ON CONFLICT (challenge) DO NOTHING',
    ),
    challengeTake: db.prepare<[string], { did: string; expires_at: number }>(
      'DELETE FROM challenges WHERE challenge = ? RETURNING did, expires_at',
    ),
    secretInsert: db.prepare<[Buffer]>(
      "INSERT INTO meta (key, value) VALUES ('deployment_secret', ?) ON CONFLICT (key) DO NOTHING",
    ),
    secretGet: db.prepare<[], { value: Buffer }>("SELECT value FROM meta WHERE key = 'deployment_secret'"),
  }

  /** Per-group cache of the usage rows touched by deposits (written back before COMMIT). */
  let usage = new Map<string, UsageState>()

  function usageOf(mailbox: string): UsageState {
    let u = usage.get(mailbox)
    if (u === undefined) {
      const row = st.usageGet.get(mailbox)
      u = {
        count: row?.count ?? 0,
        bytes: row?.bytes ?? 0,
        lastId: row?.last_id ?? null,
        reclaimed: false,
        dirty: false,
      }
      usage.set(mailbox, u)
    }
    return u
  }

  /** Takes `count`/`bytes` off a mailbox's counters (cached row if a deposit loaded it, else the table). */
  function subtract(mailbox: string, count: number, bytes: number): void {
    const u = usage.get(mailbox)
    if (u !== undefined) {
      u.count -= count
      u.bytes -= bytes
      u.dirty = true
    } else st.usageSub.run(count, bytes, mailbox)
  }

  function deposit(items: readonly DepositInput[], quota: Quota): DepositResult[] {
    const results: DepositResult[] = []
    for (const item of items) {
      const u = usageOf(item.mailbox)
      let fits = u.count + 1 <= quota.maxCount && u.bytes + item.size <= quota.maxBytes
      if (!fits && !u.reclaimed) {
        // Expired messages still hold room until `expire` runs: free this mailbox's now.
        u.reclaimed = true
        for (const r of st.reclaim.all(item.mailbox, item.receivedAt)) {
          u.count -= 1
          u.bytes -= r.size
          u.dirty = true
        }
        fits = u.count + 1 <= quota.maxCount && u.bytes + item.size <= quota.maxBytes
      }
      if (!fits) {
        results.push({ id: null, error: 'quota' })
        continue
      }
      const id = newMessageIdAfter(u.lastId)
      u.lastId = id
      st.insert.run(
        id,
        item.mailbox,
        item.envelope,
        item.senderKeyUri,
        item.size,
        item.receivedAt,
        item.expiresAt,
      )
      u.count += 1
      u.bytes += item.size
      u.dirty = true
      results.push({ id })
    }
    return results
  }

  function ack(mailbox: string, ids: readonly string[]): number {
    let count = 0
    let bytes = 0
    for (const id of ids) {
      const row = st.ackOne.get(mailbox, id)
      if (row !== undefined) {
        count += 1
        bytes += row.size
      }
    }
    if (count > 0) subtract(mailbox, count, bytes)
    return count
  }

  function expire(now: number): { deleted: number; done: boolean } {
    const rows = st.expireChunk.all(now, EXPIRE_CHUNK)
    const per = new Map<string, { count: number; bytes: number }>()
    for (const r of rows) {
      const a = per.get(r.mailbox) ?? { count: 0, bytes: 0 }
      a.count += 1
      a.bytes += r.size
      per.set(r.mailbox, a)
    }
    for (const [mailbox, a] of per) subtract(mailbox, a.count, a.bytes)
    const ch = st.expireChallenges.run(now, EXPIRE_CHUNK).changes
    return { deleted: rows.length, done: rows.length < EXPIRE_CHUNK && ch < EXPIRE_CHUNK }
  }

  function one(op: WriteOp): WriteValue {
    switch (op.kind) {
      case 'deposit':
        return deposit(op.items, op.quota)
      case 'ack':
        return ack(op.mailbox, op.ids)
      case 'expire':
        return expire(op.now)
      case 'putChallenge':
        st.challengePut.run(op.challenge, op.did, op.expiresAt)
        return null
      case 'takeChallenge': {
        const row = st.challengeTake.get(op.challenge)
        return row === undefined ? null : { did: row.did, expiresAt: row.expires_at }
      }
      case 'secret': {
        st.secretInsert.run(Buffer.from(op.candidate))
        const row = st.secretGet.get()
        if (row === undefined || row.value.length !== 32)
          throw new Error('deployment secret is missing or malformed')
        return new Uint8Array(row.value)
      }
    }
  }

  const group = db.transaction((ops: readonly WriteOp[]): WriteOutcome[] => {
    usage = new Map()
    const out: WriteOutcome[] = ops.map((op) => ({ ok: true, value: one(op) }))
    // Rows are kept at zero: `last_id` must outlive the messages.
    for (const [mailbox, u] of usage) if (u.dirty) st.usagePut.run(mailbox, u.count, u.bytes, u.lastId)
    usage = new Map()
    return out
  })

  return {
    run(ops) {
      if (ops.length === 0) return []
      try {
        return group.immediate(ops)
      } catch (e) {
        if (ops.length === 1) return [{ ok: false, error: errorData(e) }]
      }
      return ops.map((op) => {
        try {
          return group.immediate([op])[0]!
        } catch (e) {
          return { ok: false, error: errorData(e) }
        }
      })
    },
  }
}
