/**
 * @module store/lib/postgres-store
 * The PostgreSQL mailbox store for many relay instances on one database.
 *
 * Deposits are batched without a timer: at most two batches are in flight per instance (up to four
 * when the extra ones touch mailboxes no batch in flight holds); deposits that arrive meanwhile wait
 * and go together into the next one. What waits is bounded (items and bytes): past the bound a
 * deposit is rejected at once with `ERR_TRANSPORT` rather than queued. The common case is one statement (its
 * own transaction, one round trip): lock the usage rows of the batch's mailboxes in sorted order (so
 * concurrent batches cannot deadlock), add the counters of the mailboxes whose items all fit and whose
 * new ids sort after `last_id` (the newest id the mailbox ever held), insert those messages with
 * `INSERT … SELECT FROM unnest(…)` and `pg_notify` them. The other mailboxes (no usage row yet, full,
 * holding expired room to reclaim, or ids behind `last_id` because another instance's clock is
 * ahead) go through one transaction that locks their rows, reclaims, decides item by item and makes
 * ids after `last_id`. Every writer (deposit, ack, expire) takes the usage row locks before touching
 * messages. Either way, within a mailbox id order is commit order, across instances and clock skew:
 * a client's `after` cursor never skips a message committed later.
 */

import { randomBytes } from 'node:crypto'
import { MessagingError } from '@kilt-messaging/core'
import pg from 'pg'
import { newMessageId, newMessageIdAfter } from '../ids.js'
import type { DepositInput, DepositResult, MailboxStore, Quota } from '../types.js'
import { PgListener } from './pg-listener.js'
import { migratePostgres, quoteIdent } from './postgres-schema.js'
import { initOnce, type MessageRow, subscribe, toStoredMessage } from './store-common.js'
import {
  checkDeposits,
  checkIds,
  checkListOptions,
  checkQuota,
  checkString,
  checkTime,
  emit,
  MAX_MAILBOX_LENGTH,
} from './validate.js'

const MAX_GROUP_ITEMS = 4096
const MAX_GROUP_BYTES = 32 * 1024 * 1024
/** Batches in flight at once; beyond {@link SHARED_IN_FLIGHT} only for mailboxes no batch in flight holds. */
const MAX_IN_FLIGHT = 4
/** Batches in flight that may share mailboxes (they serialize on the usage row locks). */
const SHARED_IN_FLIGHT = 2
/** Default bound of deposit items held (queued or in flight) per instance. */
export const DEFAULT_MAX_QUEUED_ITEMS = 10_000
/** Default bound of envelope bytes held (queued or in flight) per instance. */
export const DEFAULT_MAX_QUEUED_BYTES = 256 * 1024 * 1024
const EXPIRE_CHUNK = 1000
const RETRIES = 4
/** deadlock_detected, serialization_failure */
const RETRYABLE = new Set(['40P01', '40001'])
/** Hex length of an instance's id, the fixed-length prefix of its notification payloads. */
const INSTANCE_ID_LENGTH = 32

/** Column arrays of rows of type `T` (the parameters of an `unnest` statement). */
type Columns<T extends readonly unknown[]> = { [K in keyof T]: T[K][] }

/** `n` empty columns; `n` must be the length of `T`. */
function columns<T extends readonly unknown[]>(n: T['length']): Columns<T> {
  return Array.from({ length: n }, () => []) as unknown as Columns<T>
}

/** Appends one row to its columns. */
function pushRow<T extends readonly unknown[]>(cols: Columns<T>, row: T): void {
  for (let i = 0; i < row.length; i++) (cols[i] as unknown[]).push(row[i])
}

/** A deposit of a group that the database refused on its own (the others of the group were written). */
interface Refused {
  readonly refused: unknown
}

interface Pending {
  readonly items: readonly DepositInput[]
  /** The distinct mailboxes of `items`. */
  readonly mailboxes: readonly string[]
  /** Sum of the items' sizes. */
  readonly bytes: number
  readonly quota: Quota
  readonly resolve: (r: DepositResult[]) => void
  readonly reject: (e: unknown) => void
}

/** Checked options of the PostgreSQL store. */
export interface PostgresStoreConfig {
  readonly connectionString: string
  readonly schema: string
  readonly poolSize: number
  /**
   * Deposit items held at once (queued or in flight), default {@link DEFAULT_MAX_QUEUED_ITEMS}; a
   * deposit that would exceed it (or `maxQueuedBytes`) is rejected at once with `ERR_TRANSPORT`
   * (the relay answers 503), unless nothing is held.
   */
  readonly maxQueuedItems?: number
  /** Envelope bytes held at once (queued or in flight), default {@link DEFAULT_MAX_QUEUED_BYTES}. */
  readonly maxQueuedBytes?: number
}

/** The PostgreSQL store with its pool exposed (for the replay store sharing the database). */
export interface PostgresMailboxStoreImpl extends MailboxStore {
  readonly pool: pg.Pool
  readonly schema: string
}

function isRetryable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && RETRYABLE.has(String((e as { code?: unknown }).code))
}

/**
 * True for SQLSTATE class 22 (data exception, e.g. 22021 for a NUL in text): the statement's values,
 * not the database, are at fault — so one deposit's bad value must not fail the others batched with it.
 */
function isDataError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && String((e as { code?: unknown }).code).startsWith('22')
}

/** Runs one statement (its own transaction), retrying deadlocks and serialization failures. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (e) {
      if (!isRetryable(e) || attempt >= RETRIES) throw e
    }
  }
}

/** Runs `fn` in a transaction on a pooled client, retrying deadlocks and serialization failures. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect()
    let broken: Error | undefined
    try {
      await client.query('BEGIN')
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (e) {
      try {
        await client.query('ROLLBACK')
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed')
      }
      if (!isRetryable(e) || attempt >= RETRIES) throw e
    } finally {
      client.release(broken)
    }
  }
}

/** Builds the store; nothing connects before `init()`. */
export function postgresStore(config: PostgresStoreConfig): PostgresMailboxStoreImpl {
  const maxQueuedItems = config.maxQueuedItems ?? DEFAULT_MAX_QUEUED_ITEMS
  const maxQueuedBytes = config.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
  if (!Number.isSafeInteger(maxQueuedItems) || maxQueuedItems < 1)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"maxQueuedItems" expected a positive integer')
  if (!Number.isSafeInteger(maxQueuedBytes) || maxQueuedBytes < 1)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"maxQueuedBytes" expected a positive integer')
  const s = quoteIdent(config.schema)
  const channel = `kilt_relay_${config.schema}`
  const pool = new pg.Pool({
    connectionString: config.connectionString,
    max: config.poolSize,
    application_name: 'kilt-relay',
  })
  // An idle client's connection error must not crash the process; the pool discards that client.
  pool.on('error', () => undefined)
  const listeners = new Set<(mailbox: string) => void>()
  // Notifications carry `<instance id>:<mailbox>` so an instance skips its own (it already emitted
  // them locally) by id, not by backend pid: a pid is reused once its connection closes (the pool
  // drops idle ones) and a pooler (pgbouncer) runs many clients' statements on one backend, so a
  // pid filter would drop other instances' deposits from live push until the heartbeat's rescan.
  const instanceId = randomBytes(INSTANCE_ID_LENGTH / 2).toString('hex')
  const notifyPrefix = `${instanceId}:`
  let listener: PgListener | undefined
  const init = initOnce()
  let ready = false
  let closed = false
  let queue: Pending[] = []
  let inFlight = 0
  /** Items and bytes held by unsettled deposits (queued or in flight). */
  let heldItems = 0
  let heldBytes = 0
  /** Mailbox → number of batches in flight that hold it. */
  const busy = new Map<string, number>()
  let pumpScheduled = false
  const drained: Array<() => void> = []
  let secret: Uint8Array | undefined

  function check(): void {
    if (closed) throw new MessagingError('ERR_ARGUMENT_INVALID', 'the store is closed')
    if (!ready) throw new MessagingError('ERR_ARGUMENT_INVALID', 'the store is not initialised: call init()')
  }

  const sql = {
    lockUsage:
      `INSERT INTO ${s}.usage AS u (mailbox, count, bytes) SELECT m, 0, 0 FROM unnest($1::text[]) AS m ORDER BY m ` +
      'ON CONFLICT (mailbox) DO UPDATE SET count = u.count RETURNING mailbox, count, bytes, last_id',
    reclaim:
      `WITH d AS (DELETE FROM ${s}.messages AS m USING unnest($1::text[], $2::int8[]) AS r(mailbox, now) ` +
      'WHERE m.mailbox = r.mailbox AND m.expires_at <= r.now RETURNING m.mailbox, m.size) ' +
      'SELECT mailbox, count(*)::int8 AS n, coalesce(sum(size), 0)::int8 AS b FROM d GROUP BY mailbox',
    write:
      `WITH ins AS (INSERT INTO ${s}.messages (id, mailbox, envelope, sender_key_uri, size, received_at, expires_at) ` +
      'SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::int8[], $7::int8[])), ' +
      `upd AS (UPDATE ${s}.usage AS u SET count = v.count, bytes = v.bytes, last_id = v.last_id ` +
      'FROM unnest($8::text[], $9::int8[], $10::int8[], $11::text[]) AS v(mailbox, count, bytes, last_id) ' +
      'WHERE u.mailbox = v.mailbox) ' +
      'SELECT (SELECT count(pg_notify($12, $14 || m)) FROM unnest($13::text[]) AS m) AS n',
    list:
      `SELECT id, mailbox, envelope, size, received_at, expires_at FROM ${s}.messages ` +
      'WHERE mailbox = $1 AND id > $2 AND expires_at > $3 ORDER BY id LIMIT $4',
    // Sizes are summed over (id, size) first; envelopes are read only for the rows within budget.
    listBudget:
      'WITH c AS (SELECT id, sum(size) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS total, ' +
      `row_number() OVER (ORDER BY id) AS n FROM (SELECT id, size FROM ${s}.messages ` +
      'WHERE mailbox = $1 AND id > $2 AND expires_at > $3 ORDER BY id LIMIT $4) AS p) ' +
      `SELECT m.id, m.mailbox, m.envelope, m.size, m.received_at, m.expires_at FROM c JOIN ${s}.messages AS m ` +
      'ON m.mailbox = $1 AND m.id = c.id WHERE c.total <= $5 OR c.n = 1 ORDER BY m.id',
    // One statement (its own transaction): lock the usage rows of the batch's mailboxes in sorted
    // order, add the counters where every item of the mailbox fits and its ids sort after `last_id`,
    // insert the messages of those mailboxes and notify them. Mailboxes without a usage row, that do
    // not fit or whose ids do not follow `last_id` are left untouched (the caller falls back).
    fastDeposit:
      `WITH v AS (SELECT * FROM unnest($8::text[], $9::int8[], $10::int8[], $11::int8[], $12::int8[], $13::text[], $14::text[]) ` +
      'AS v(mailbox, n, b, cap_n, cap_b, first_id, last_id)), ' +
      `l AS (SELECT u.mailbox FROM ${s}.usage AS u WHERE u.mailbox = ANY($8::text[]) ORDER BY u.mailbox FOR UPDATE), ` +
      `upd AS (UPDATE ${s}.usage AS u SET count = u.count + v.n, bytes = u.bytes + v.b, last_id = v.last_id FROM v ` +
      'WHERE u.mailbox = v.mailbox AND u.mailbox IN (SELECT mailbox FROM l) AND u.count <= v.cap_n AND u.bytes <= v.cap_b ' +
      'AND (u.last_id IS NULL OR u.last_id < v.first_id) RETURNING u.mailbox), ' +
      `ins AS (INSERT INTO ${s}.messages (id, mailbox, envelope, sender_key_uri, size, received_at, expires_at) ` +
      'SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::int8[], $7::int8[]) ' +
      'AS x(id, mailbox, envelope, sender_key_uri, size, received_at, expires_at) WHERE x.mailbox IN (SELECT mailbox FROM upd)) ' +
      'SELECT mailbox, pg_notify($15, $16 || mailbox)::text AS n FROM upd',
    // One statement: the usage row is locked first (the initplan runs before the delete), as every writer does.
    ack:
      `WITH l AS (SELECT 1 FROM ${s}.usage WHERE mailbox = $1 FOR UPDATE), ` +
      `d AS (DELETE FROM ${s}.messages WHERE mailbox = $1 AND id = ANY($2::text[]) AND EXISTS (SELECT 1 FROM l) RETURNING size), ` +
      'a AS (SELECT count(*)::int8 AS n, coalesce(sum(size), 0)::int8 AS b FROM d), ' +
      `upd AS (UPDATE ${s}.usage AS u SET count = u.count - a.n, bytes = u.bytes - a.b FROM a ` +
      'WHERE u.mailbox = $1 AND a.n > 0) SELECT n FROM a',
    expireSelect: `SELECT mailbox, id FROM ${s}.messages WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2`,
    lockMany: `SELECT 1 FROM ${s}.usage WHERE mailbox = ANY($1::text[]) ORDER BY mailbox FOR UPDATE`,
    expireDelete:
      `WITH d AS (DELETE FROM ${s}.messages AS m USING unnest($1::text[], $2::text[]) AS x(mailbox, id) ` +
      'WHERE m.mailbox = x.mailbox AND m.id = x.id AND m.expires_at <= $3 RETURNING m.mailbox, m.size), ' +
      'a AS (SELECT mailbox, count(*)::int8 AS n, sum(size)::int8 AS b FROM d GROUP BY mailbox), ' +
      `upd AS (UPDATE ${s}.usage AS u SET count = u.count - a.n, bytes = u.bytes - a.b FROM a WHERE u.mailbox = a.mailbox) ` +
      'SELECT coalesce(sum(n), 0)::int8 AS n FROM a',
    expireChallenges:
      `DELETE FROM ${s}.challenges WHERE challenge IN ` +
      `(SELECT challenge FROM ${s}.challenges WHERE expires_at <= $1 LIMIT $2)`,
    usage:
      `SELECT count(*)::int8 AS count, coalesce(sum(size), 0)::int8 AS bytes FROM ${s}.messages ` +
      'WHERE mailbox = $1 AND expires_at > $2',
    depth: `SELECT coalesce(sum(count), 0)::int8 AS n FROM ${s}.usage`,
    putChallenge: `INSERT INTO ${s}.challenges (challenge, did, expires_at) VALUES ($1, $2, $3) ON CONFLICT (challenge) DO NOTHING`,
    takeChallenge: `DELETE FROM ${s}.challenges WHERE challenge = $1 RETURNING did, expires_at`,
    secretInsert: `INSERT INTO ${s}.meta (key, value) VALUES ('deployment_secret', $1) ON CONFLICT (key) DO NOTHING`,
    secretGet: `SELECT value FROM ${s}.meta WHERE key = 'deployment_secret'`,
  }

  /**
   * Writes each deposit of `group` on its own, after the database refused the data of their shared
   * statement: only the deposit holding the bad value fails (as SQLite isolates each operation).
   */
  async function writeAlone(group: readonly Pending[]): Promise<Array<DepositResult[] | Refused>> {
    const out: Array<DepositResult[] | Refused> = []
    for (const p of group) {
      try {
        out.push((await writeGroup([p]))[0] as DepositResult[])
      } catch (e) {
        out.push({ refused: e })
      }
    }
    return out
  }

  /**
   * The common case in one round trip: every mailbox whose items all fit and whose usage row exists
   * commits in one statement; the items of the other mailboxes go through {@link writeSlow}.
   */
  async function writeGroup(group: readonly Pending[]): Promise<Array<DepositResult[] | Refused>> {
    interface Box {
      n: number
      b: number
      capN: number
      capB: number
      firstId: string
      lastId: string
    }
    const boxes = new Map<string, Box>()
    const ids: string[][] = []
    const cols = columns<[string, string, string, string, number, number, number]>(7)
    for (const p of group) {
      const row: string[] = []
      for (const item of p.items) {
        // Ids made here increase within this process; the statement checks them against `last_id`.
        const id = newMessageId()
        row.push(id)
        let box = boxes.get(item.mailbox)
        if (box === undefined) {
          box = {
            n: 0,
            b: 0,
            capN: Number.MAX_SAFE_INTEGER,
            capB: Number.MAX_SAFE_INTEGER,
            firstId: id,
            lastId: id,
          }
          boxes.set(item.mailbox, box)
        }
        box.n += 1
        box.b += item.size
        box.lastId = id
        // Item k of a mailbox fits iff count + k <= its maxCount and bytes + (bytes of items 1..k) <= its maxBytes.
        box.capN = Math.min(box.capN, p.quota.maxCount - box.n)
        box.capB = Math.min(box.capB, p.quota.maxBytes - box.b)
        pushRow(cols, [
          id,
          item.mailbox,
          item.envelope,
          item.senderKeyUri,
          item.size,
          item.receivedAt,
          item.expiresAt,
        ])
      }
      ids.push(row)
    }
    const v = columns<[string, number, number, number, number, string, string]>(7)
    for (const [m, box] of boxes) pushRow(v, [m, box.n, box.b, box.capN, box.capB, box.firstId, box.lastId])
    let rows: Array<{ mailbox: string }>
    try {
      rows = (
        await retrying(() =>
          pool.query<{ mailbox: string }>(sql.fastDeposit, [...cols, ...v, channel, notifyPrefix]),
        )
      ).rows
    } catch (e) {
      // This statement carries every item of the group and wrote nothing: retry deposit by deposit.
      if (group.length > 1 && isDataError(e)) return writeAlone(group)
      throw e
    }
    const landed = new Set(rows.map((r) => r.mailbox))
    const results: DepositResult[][] = group.map((p, i) =>
      p.items.map((item, j) =>
        landed.has(item.mailbox) ? { id: ids[i]![j]! } : { id: null, error: 'quota' },
      ),
    )
    if (landed.size === boxes.size) return results
    // The rest: one transaction with row locks, expired-room reclaim and ids made after `last_id`.
    const parts: Array<{ items: DepositInput[]; quota: Quota; at: number[] }> = []
    for (const p of group) {
      const part = { items: [] as DepositInput[], quota: p.quota, at: [] as number[] }
      p.items.forEach((item, j) => {
        if (!landed.has(item.mailbox)) {
          part.items.push(item)
          part.at.push(j)
        }
      })
      parts.push(part)
    }
    let slow: DepositResult[][]
    try {
      slow = await writeSlow(parts)
    } catch (e) {
      // The statement above committed: what it stored stays stored and is answered as such. Only the
      // items of the failed transaction fail — a deposit all of whose items were there as a whole.
      return group.map((p, i) => {
        const lost = parts[i]!.at
        if (lost.length === 0) return results[i]!
        if (lost.length === p.items.length) return { refused: e }
        for (const j of lost) results[i]![j] = { id: null, error: 'unavailable' }
        return results[i]!
      })
    }
    parts.forEach((part, i) => {
      part.at.forEach((j, k) => {
        results[i]![j] = slow[i]![k]!
      })
    })
    return results
  }

  /** A batch as one transaction: lock the usage rows in sorted order, reclaim, decide, write. */
  async function writeSlow(
    group: Readonly<Array<{ readonly items: readonly DepositInput[]; readonly quota: Quota }>>,
  ): Promise<DepositResult[][]> {
    const mailboxes = [...new Set(group.flatMap((p) => p.items.map((i) => i.mailbox)))].sort()
    return inTransaction(pool, async (client) => {
      const locked = await client.query<{
        mailbox: string
        count: string
        bytes: string
        last_id: string | null
      }>(sql.lockUsage, [mailboxes])
      const base = new Map<string, { count: number; bytes: number }>()
      const lastIds = new Map<string, string | null>()
      for (const r of locked.rows) {
        base.set(r.mailbox, { count: Number(r.count), bytes: Number(r.bytes) })
        lastIds.set(r.mailbox, r.last_id)
      }

      const decide = () => {
        const usage = new Map<string, { count: number; bytes: number }>()
        for (const [m, u] of base) usage.set(m, { ...u })
        const rejected = new Map<string, number>()
        const accepted: boolean[][] = []
        for (const p of group) {
          const row: boolean[] = []
          for (const item of p.items) {
            const u = usage.get(item.mailbox)!
            const fits = u.count + 1 <= p.quota.maxCount && u.bytes + item.size <= p.quota.maxBytes
            if (fits) {
              u.count += 1
              u.bytes += item.size
            } else {
              rejected.set(item.mailbox, Math.max(rejected.get(item.mailbox) ?? 0, item.receivedAt))
            }
            row.push(fits)
          }
          accepted.push(row)
        }
        return { usage, rejected, accepted }
      }

      let plan = decide()
      if (plan.rejected.size > 0) {
        // Expired messages still hold room until `expire` runs: free those of the full mailboxes now.
        const r = await client.query<{ mailbox: string; n: string; b: string }>(sql.reclaim, [
          [...plan.rejected.keys()],
          [...plan.rejected.values()],
        ])
        if (r.rows.length > 0) {
          for (const row of r.rows) {
            const u = base.get(row.mailbox)!
            u.count -= Number(row.n)
            u.bytes -= Number(row.b)
          }
          plan = decide()
        }
      }

      const cols: [string[], string[], string[], string[], number[], number[], number[]] = [
        [],
        [],
        [],
        [],
        [],
        [],
        [],
      ]
      const results: DepositResult[][] = []
      const touched = new Set<string>()
      for (let i = 0; i < group.length; i++) {
        const p = group[i]!
        const out: DepositResult[] = []
        for (let j = 0; j < p.items.length; j++) {
          if (!plan.accepted[i]![j]) {
            out.push({ id: null, error: 'quota' })
            continue
          }
          const item = p.items[j]!
          const id = newMessageIdAfter(lastIds.get(item.mailbox) ?? null)
          lastIds.set(item.mailbox, id)
          cols[0].push(id)
          cols[1].push(item.mailbox)
          cols[2].push(item.envelope)
          cols[3].push(item.senderKeyUri)
          cols[4].push(item.size)
          cols[5].push(item.receivedAt)
          cols[6].push(item.expiresAt)
          touched.add(item.mailbox)
          out.push({ id })
        }
        results.push(out)
      }
      const um: string[] = []
      const uc: number[] = []
      const ub: number[] = []
      const ul: Array<string | null> = []
      for (const [m, u] of plan.usage) {
        um.push(m)
        uc.push(u.count)
        ub.push(u.bytes)
        ul.push(lastIds.get(m) ?? null)
      }
      await client.query(sql.write, [...cols, um, uc, ub, ul, channel, [...touched], notifyPrefix])
      return results
    })
  }

  /**
   * The next batch from the queue. Up to {@link SHARED_IN_FLIGHT} batches in flight, deposits are
   * taken in order; beyond, only deposits whose mailboxes no batch in flight holds (and no skipped
   * earlier deposit names, so a mailbox's deposits keep their order).
   */
  function takeGroup(): Pending[] {
    const exclusive = inFlight >= SHARED_IN_FLIGHT
    const group: Pending[] = []
    const rest: Pending[] = []
    const blocked = new Set<string>()
    let items = 0
    let bytes = 0
    for (let i = 0; i < queue.length; i++) {
      const p = queue[i]!
      if (
        group.length > 0 &&
        (items + p.items.length > MAX_GROUP_ITEMS || bytes + p.bytes > MAX_GROUP_BYTES)
      ) {
        for (let k = i; k < queue.length; k++) rest.push(queue[k]!)
        break
      }
      if (exclusive && p.mailboxes.some((m) => busy.has(m) || blocked.has(m))) {
        for (const m of p.mailboxes) blocked.add(m)
        rest.push(p)
        continue
      }
      group.push(p)
      items += p.items.length
      bytes += p.bytes
    }
    queue = rest
    return group
  }

  function release(p: Pending): void {
    heldItems -= p.items.length
    heldBytes -= p.bytes
  }

  function pump(): void {
    pumpScheduled = false
    while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
      const group = takeGroup()
      if (group.length === 0) break
      const mailboxes = new Set(group.flatMap((p) => p.mailboxes))
      for (const m of mailboxes) busy.set(m, (busy.get(m) ?? 0) + 1)
      inFlight++
      const done = () => {
        for (const m of mailboxes) {
          const n = busy.get(m)! - 1
          if (n === 0) busy.delete(m)
          else busy.set(m, n)
        }
        for (const p of group) release(p)
      }
      writeGroup(group).then(
        (results) => {
          done()
          const touched = new Set<string>()
          for (let i = 0; i < group.length; i++) {
            const p = group[i]!
            const r = results[i]!
            if (!Array.isArray(r)) {
              p.reject(r.refused)
              continue
            }
            p.resolve(r)
            for (let j = 0; j < r.length; j++) if (r[j]!.id !== null) touched.add(p.items[j]!.mailbox)
          }
          for (const m of touched) emit(listeners, m)
          settle()
        },
        (e: unknown) => {
          done()
          for (const p of group) p.reject(e)
          settle()
        },
      )
    }
  }

  function settle(): void {
    inFlight--
    if (queue.length > 0) pump()
    else if (inFlight === 0) for (const d of drained.splice(0)) d()
  }

  const store: PostgresMailboxStoreImpl = {
    pool,
    schema: config.schema,

    init() {
      if (closed) return Promise.reject(new MessagingError('ERR_ARGUMENT_INVALID', 'the store is closed'))
      return init.run(async () => {
        const client = await pool.connect()
        try {
          await migratePostgres(client, config.schema)
        } finally {
          client.release()
        }
        listener = new PgListener({
          connectionString: config.connectionString,
          channel,
          onNotify: (payload) => {
            if (payload.startsWith(notifyPrefix)) return
            // A payload without an instance id (an older relay during a rolling upgrade) is the mailbox.
            const prefixed =
              payload.charAt(INSTANCE_ID_LENGTH) === ':' &&
              /^[0-9a-f]+$/.test(payload.slice(0, INSTANCE_ID_LENGTH))
            emit(listeners, prefixed ? payload.slice(INSTANCE_ID_LENGTH + 1) : payload)
          },
        })
        await listener.start()
        ready = true
      })
    },

    deposit(items, quota) {
      try {
        checkDeposits(items)
        const q = checkQuota(quota)
        check()
        if (items.length === 0) return Promise.resolve([])
        let bytes = 0
        for (const item of items) bytes += item.size
        if (
          heldItems > 0 &&
          (heldItems + items.length > maxQueuedItems || heldBytes + bytes > maxQueuedBytes)
        ) {
          throw new MessagingError(
            'ERR_TRANSPORT',
            'the store is overloaded: too many deposits are waiting for the database, retry later',
          )
        }
        const mailboxes = [...new Set(items.map((i) => i.mailbox))]
        heldItems += items.length
        heldBytes += bytes
        return new Promise((resolve, reject) => {
          queue.push({ items: items.slice(), mailboxes, bytes, quota: q, resolve, reject })
          if (!pumpScheduled) {
            pumpScheduled = true
            // Deposits made in the same tick share a batch; no timer.
            queueMicrotask(pump)
          }
        })
      } catch (e) {
        return Promise.reject(e)
      }
    },

    async list(mailbox, options) {
      checkString('mailbox', mailbox, MAX_MAILBOX_LENGTH)
      const o = checkListOptions(options)
      check()
      const { rows } =
        o.maxBytes === undefined
          ? await pool.query<MessageRow>(sql.list, [mailbox, o.after, o.now, o.limit])
          : await pool.query<MessageRow>(sql.listBudget, [mailbox, o.after, o.now, o.limit, o.maxBytes])
      return rows.map(toStoredMessage)
    },

    async ack(mailbox, ids) {
      checkString('mailbox', mailbox, MAX_MAILBOX_LENGTH)
      const unique = checkIds(ids)
      check()
      if (unique.length === 0) return 0
      const { rows } = await retrying(() => pool.query<{ n: string }>(sql.ack, [mailbox, unique]))
      return Number(rows[0]?.n ?? 0)
    },

    async usage(mailbox, now) {
      checkString('mailbox', mailbox, MAX_MAILBOX_LENGTH)
      checkTime('now', now)
      check()
      const { rows } = await pool.query<{ count: string; bytes: string }>(sql.usage, [mailbox, now])
      return { count: Number(rows[0]?.count ?? 0), bytes: Number(rows[0]?.bytes ?? 0) }
    },

    async expire(now) {
      checkTime('now', now)
      check()
      let total = 0
      for (;;) {
        const { deleted, more } = await inTransaction(pool, async (client) => {
          const sel = await client.query<{ mailbox: string; id: string }>(sql.expireSelect, [
            now,
            EXPIRE_CHUNK,
          ])
          if (sel.rows.length === 0) return { deleted: 0, more: false }
          const mbs = sel.rows.map((r) => r.mailbox)
          await client.query(sql.lockMany, [[...new Set(mbs)]])
          const d = await client.query<{ n: string }>(sql.expireDelete, [mbs, sel.rows.map((r) => r.id), now])
          return { deleted: Number(d.rows[0]?.n ?? 0), more: sel.rows.length === EXPIRE_CHUNK }
        })
        total += deleted
        if (!more) break
      }
      for (;;) {
        const r = await pool.query(sql.expireChallenges, [now, EXPIRE_CHUNK])
        if ((r.rowCount ?? 0) < EXPIRE_CHUNK) break
      }
      return total
    },

    async depth() {
      check()
      const { rows } = await pool.query<{ n: string }>(sql.depth)
      return Number(rows[0]?.n ?? 0)
    },

    onDeposit(listener) {
      return subscribe(listeners, listener)
    },

    async putChallenge(challenge, did, expiresAt) {
      checkString('challenge', challenge)
      checkString('did', did)
      checkTime('expiresAt', expiresAt)
      check()
      await pool.query(sql.putChallenge, [challenge, did, expiresAt])
    },

    async takeChallenge(challenge, now) {
      checkString('challenge', challenge)
      checkTime('now', now)
      check()
      const { rows } = await pool.query<{ did: string; expires_at: string }>(sql.takeChallenge, [challenge])
      const row = rows[0]
      if (row === undefined || Number(row.expires_at) <= now) return null
      return { did: row.did }
    },

    async deploymentSecret() {
      check()
      if (secret === undefined) {
        await pool.query(sql.secretInsert, [Buffer.from(randomBytes(32)).toString('hex')])
        const { rows } = await pool.query<{ value: string }>(sql.secretGet)
        const hex = rows[0]?.value
        if (hex === undefined || !/^[0-9a-f]{64}$/.test(hex))
          throw new Error('deployment secret is missing or malformed')
        secret = new Uint8Array(Buffer.from(hex, 'hex'))
      }
      return secret.slice()
    },

    async ping() {
      if (closed || !ready) return false
      try {
        await pool.query('SELECT 1')
        return true
      } catch {
        return false
      }
    },

    async close() {
      if (closed) return
      if (ready && (inFlight > 0 || queue.length > 0)) {
        await new Promise<void>((resolve) => {
          drained.push(resolve)
          if (!pumpScheduled) pump()
        })
      }
      closed = true
      for (const p of queue.splice(0)) {
        release(p)
        p.reject(new MessagingError('ERR_ARGUMENT_INVALID', 'the store is closed'))
      }
      listeners.clear()
      await listener?.stop()
      await init.settled()
      await listener?.stop()
      await pool.end()
    },
  }
  return store
}
