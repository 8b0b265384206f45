/**
 * @module store/lib/sqlite-store
 * The SQLite mailbox store: WAL, `synchronous=FULL`, prepared statements and group commit. Deposits
 * queue up while the event loop is busy; one `setImmediate` flush writes every waiting deposit in one
 * IMMEDIATE transaction, resolves their promises after COMMIT returned, and schedules the next flush
 * at once if more arrived (no timer). Quotas are checked inside that transaction against per-mailbox
 * counters kept in `usage`, which also remembers each mailbox's newest id ever (`last_id`) so that
 * new ids always sort after it, even after acks and across processes sharing the file.
 */

import { randomBytes } from 'node:crypto'
import { MessagingError } from '@kilt-messaging/core'
import Database from 'better-sqlite3'
import { newMessageIdAfter } from '../ids.js'
import type { DepositInput, MailboxStore, Quota, StoredMessage } from '../types.js'
import { migrateSqlite } from './sqlite-schema.js'
import {
  checkDeposits,
  checkIds,
  checkListener,
  checkListOptions,
  checkQuota,
  checkString,
  checkTime,
  emit,
  MAX_MAILBOX_LENGTH,
} from './validate.js'

/** Most deposit items written in one transaction. */
const MAX_GROUP_ITEMS = 4096
/** Rows deleted per `expire` transaction. */
const EXPIRE_CHUNK = 1000

type DepositResult = { id: string } | { id: null; error: 'quota' }

interface Pending {
  readonly items: readonly DepositInput[]
  readonly quota: Quota
  readonly resolve: (r: DepositResult[]) => void
  readonly reject: (e: unknown) => void
}

interface UsageState {
  count: number
  bytes: number
  lastId: string | null
  reclaimed: boolean
  dirty: boolean
}

interface MessageRow {
  id: string
  mailbox: string
  envelope: string
  size: number
  received_at: number
  expires_at: number
}

/** Options of the SQLite store (checked by the public factory). */
export interface SqliteStoreConfig {
  readonly file: string
  readonly synchronous: 'FULL' | 'NORMAL'
}

/** The SQLite store with its connection exposed (for the replay store sharing the file). */
export interface SqliteMailboxStoreImpl extends MailboxStore {
  readonly database: Database.Database
}

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

/** Builds the store; the database is opened now, the schema created by `init()`. */
export function sqliteStore(config: SqliteStoreConfig): SqliteMailboxStoreImpl {
  const db = openSqliteDatabase(config.file, config.synchronous)
  let ready = false
  let closed = false
  const listeners = new Set<(mailbox: string) => void>()
  let queue: Pending[] = []
  let scheduled = false
  let secret: Uint8Array | undefined

  // Prepared lazily after migrations.
  let stmts: ReturnType<typeof prepare> | undefined

  function prepare() {
    return {
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
      usageTotal: db.prepare<[], { n: number | null }>('SELECT sum(count) AS n FROM usage'),
      usageLive: db.prepare<[string, number], { count: number; bytes: number | null }>(
        'SELECT count(*) AS count, sum(size) AS bytes FROM messages WHERE mailbox = ? AND expires_at > ?',
      ),
      reclaim: db.prepare<[string, number], { size: number }>(
        'DELETE FROM messages WHERE mailbox = ? AND expires_at <= ? RETURNING size',
      ),
      insert: db.prepare<[string, string, string, string, number, number, number]>(
        'INSERT INTO messages (id, mailbox, envelope, sender_key_uri, size, received_at, expires_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      listAfter: db.prepare<[string, string, number, number], MessageRow>(
        'SELECT id, mailbox, envelope, size, received_at, expires_at FROM messages ' +
          'WHERE mailbox = ? AND id > ? AND expires_at > ? ORDER BY id LIMIT ?',
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
      ping: db.prepare('SELECT 1'),
    }
  }

  function s(): NonNullable<typeof stmts> {
    if (closed) throw new MessagingError('ERR_ARGUMENT_INVALID', 'the store is closed')
    if (stmts === undefined)
      throw new MessagingError('ERR_ARGUMENT_INVALID', 'the store is not initialised: call init()')
    return stmts
  }

  const writeGroup = db.transaction((group: readonly Pending[]): DepositResult[][] => {
    const st = s()
    const usage = new Map<string, UsageState>()
    const out: DepositResult[][] = []
    for (const pending of group) {
      const results: DepositResult[] = []
      for (const item of pending.items) {
        let u = usage.get(item.mailbox)
        if (u === undefined) {
          const row = st.usageGet.get(item.mailbox)
          u = {
            count: row?.count ?? 0,
            bytes: row?.bytes ?? 0,
            lastId: row?.last_id ?? null,
            reclaimed: false,
            dirty: false,
          }
          usage.set(item.mailbox, u)
        }
        let fits = u.count + 1 <= pending.quota.maxCount && u.bytes + item.size <= pending.quota.maxBytes
        if (!fits && !u.reclaimed) {
          // Expired messages still hold room until `expire` runs: free this mailbox's now.
          u.reclaimed = true
          for (const r of st.reclaim.all(item.mailbox, item.receivedAt)) {
            u.count -= 1
            u.bytes -= r.size
            u.dirty = true
          }
          fits = u.count + 1 <= pending.quota.maxCount && u.bytes + item.size <= pending.quota.maxBytes
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
      out.push(results)
    }
    // Rows are kept at zero: `last_id` must outlive the messages.
    for (const [mailbox, u] of usage) if (u.dirty) st.usagePut.run(mailbox, u.count, u.bytes, u.lastId)
    return out
  })

  function flush(): void {
    scheduled = false
    if (queue.length === 0) return
    let n = 0
    let items = 0
    while (n < queue.length && (n === 0 || items + queue[n]!.items.length <= MAX_GROUP_ITEMS)) {
      items += queue[n]!.items.length
      n++
    }
    const group = queue.slice(0, n)
    queue = queue.slice(n)
    let results: DepositResult[][] | undefined
    try {
      results = writeGroup.immediate(group)
    } catch (e) {
      for (const p of group) p.reject(e)
    }
    if (results !== undefined) {
      const touched = new Set<string>()
      for (let i = 0; i < group.length; i++) {
        const p = group[i]!
        const r = results[i]!
        p.resolve(r)
        for (let j = 0; j < r.length; j++) if (r[j]!.id !== null) touched.add(p.items[j]!.mailbox)
      }
      for (const mailbox of touched) emit(listeners, mailbox)
    }
    if (queue.length > 0 && !scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  }

  function expireSync(now: number): { done: boolean; deleted: number } {
    const st = s()
    let deleted = 0
    const run = db.transaction(() => {
      const rows = st.expireChunk.all(now, EXPIRE_CHUNK)
      const per = new Map<string, { count: number; bytes: number }>()
      for (const r of rows) {
        const a = per.get(r.mailbox) ?? { count: 0, bytes: 0 }
        a.count += 1
        a.bytes += r.size
        per.set(r.mailbox, a)
      }
      for (const [mailbox, a] of per) st.usageSub.run(a.count, a.bytes, mailbox)
      const ch = st.expireChallenges.run(now, EXPIRE_CHUNK).changes
      deleted = rows.length
      return rows.length < EXPIRE_CHUNK && ch < EXPIRE_CHUNK
    })
    const done = run.immediate()
    return { done, deleted }
  }

  const ackTx = db.transaction((mailbox: string, ids: readonly string[]): number => {
    const st = s()
    let count = 0
    let bytes = 0
    for (const id of ids) {
      const row = st.ackOne.get(mailbox, id)
      if (row !== undefined) {
        count += 1
        bytes += row.size
      }
    }
    if (count > 0) st.usageSub.run(count, bytes, mailbox)
    return count
  })

  const takeTx = db.transaction((challenge: string) => s().challengeTake.get(challenge))

  const store: SqliteMailboxStoreImpl = {
    database: db,

    async init() {
      if (closed) throw new MessagingError('ERR_ARGUMENT_INVALID', 'the store is closed')
      if (ready) return
      migrateSqlite(db)
      stmts = prepare()
      ready = true
    },

    deposit(items, quota) {
      try {
        checkDeposits(items)
        const q = checkQuota(quota)
        s()
        if (items.length === 0) return Promise.resolve([])
        return new Promise((resolve, reject) => {
          queue.push({ items: items.slice(), quota: q, resolve, reject })
          if (!scheduled) {
            scheduled = true
            setImmediate(flush)
          }
        })
      } catch (e) {
        return Promise.reject(e)
      }
    },

    async list(mailbox, options) {
      checkString('mailbox', mailbox, MAX_MAILBOX_LENGTH)
      const o = checkListOptions(options)
      return s()
        .listAfter.all(mailbox, o.after, o.now, o.limit)
        .map(
          (r): StoredMessage => ({
            id: r.id,
            mailbox: r.mailbox,
            envelope: r.envelope,
            size: r.size,
            receivedAt: r.received_at,
            expiresAt: r.expires_at,
          }),
        )
    },

    async ack(mailbox, ids) {
      checkString('mailbox', mailbox, MAX_MAILBOX_LENGTH)
      const unique = checkIds(ids)
      s()
      if (unique.length === 0) return 0
      return ackTx.immediate(mailbox, unique)
    },

    async usage(mailbox, now) {
      checkString('mailbox', mailbox, MAX_MAILBOX_LENGTH)
      checkTime('now', now)
      const row = s().usageLive.get(mailbox, now)
      return { count: row?.count ?? 0, bytes: row?.bytes ?? 0 }
    },

    async expire(now) {
      checkTime('now', now)
      let total = 0
      for (;;) {
        const { done, deleted } = expireSync(now)
        total += deleted
        if (done) return total
        // Let deposits and reads in between chunks.
        await new Promise<void>((r) => setImmediate(r))
      }
    },

    async depth() {
      return s().usageTotal.get()?.n ?? 0
    },

    onDeposit(listener) {
      checkListener(listener)
      const entry = (mailbox: string) => listener(mailbox)
      listeners.add(entry)
      return () => {
        listeners.delete(entry)
      }
    },

    async putChallenge(challenge, did, expiresAt) {
      checkString('challenge', challenge)
      checkString('did', did)
      checkTime('expiresAt', expiresAt)
      s().challengePut.run(challenge, did, expiresAt)
    },

    async takeChallenge(challenge, now) {
      checkString('challenge', challenge)
      checkTime('now', now)
      s()
      const row = takeTx.immediate(challenge)
      if (row === undefined || row.expires_at <= now) return null
      return { did: row.did }
    },

    async deploymentSecret() {
      if (secret !== undefined) return secret.slice()
      const st = s()
      st.secretInsert.run(randomBytes(32))
      const row = st.secretGet.get()
      if (row === undefined || row.value.length !== 32)
        throw new Error('deployment secret is missing or malformed')
      secret = new Uint8Array(row.value)
      return secret.slice()
    },

    async ping() {
      if (closed || stmts === undefined) return false
      try {
        stmts.ping.get()
        return true
      } catch {
        return false
      }
    },

    async close() {
      if (closed) return
      if (stmts !== undefined) while (queue.length > 0) flush()
      else
        for (const p of queue.splice(0))
          p.reject(new MessagingError('ERR_ARGUMENT_INVALID', 'the store is closed'))
      closed = true
      listeners.clear()
      db.close()
    },
  }
  return store
}
