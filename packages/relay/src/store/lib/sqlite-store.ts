/**
 * @module store/lib/sqlite-store
 * The SQLite mailbox store: WAL, `synchronous=FULL`, group commit in a writer thread. Every write
 * (deposit, ack, challenge, expiry chunk) is an operation for the writer (`sqlite-writer`), which
 * runs in a worker thread (`sqlite-worker`) on its own connection: operations posted while a commit
 * runs wait and go together into the next IMMEDIATE transaction, so the fsync of a commit never
 * blocks the relay's event loop, and acks share the deposits' commits. A deposit's promise resolves
 * only after the writer reported the COMMIT holding it. Reads (list, usage, depth) run on this
 * thread's own connection (WAL readers do not wait for the writer). A `:memory:` database (one
 * connection only) or a build without the compiled worker (TypeScript sources run by a test
 * runner) runs the same writer on this thread, flushed by `setImmediate`.
 */

import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { MessagingError } from '@kilt-messaging/core'
import type Database from 'better-sqlite3'
import type { MailboxStore } from '../types.js'
import { openSqliteDatabase } from './sqlite-db.js'
import { migrateSqlite } from './sqlite-schema.js'
import type { FromWriter, ToWriter, WriterData } from './sqlite-worker.js'
import {
  createSqliteWriter,
  type DepositResult,
  groupLength,
  type SqliteWriter,
  type WriteOp,
  type WriteOutcome,
  type WriteValue,
} from './sqlite-writer.js'
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

export { openSqliteDatabase } from './sqlite-db.js'

/** The compiled worker entry, next to this module. */
const WORKER_URL = new URL('./sqlite-worker.js', import.meta.url)

interface Job {
  readonly op: WriteOp
  readonly resolve: (v: WriteValue) => void
  readonly reject: (e: unknown) => void
}

/** Options of the SQLite store (checked by the public factory). */
export interface SqliteStoreConfig {
  readonly file: string
  readonly synchronous: 'FULL' | 'NORMAL'
  /** `'worker'` (default when possible) or `'inline'` (the writer on this thread). */
  readonly writer?: 'worker' | 'inline'
}

/** The SQLite store with its connection exposed (for the replay store sharing the file). */
export interface SqliteMailboxStoreImpl extends MailboxStore {
  /** This thread's connection (reads; the replay store may write through it). */
  readonly database: Database.Database
  /** Whether the writer runs in a worker thread (known after `init()`). */
  readonly writerThread: boolean
}

function workerAvailable(file: string): boolean {
  if (file === ':memory:' || file.startsWith('file:')) return false
  try {
    return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL))
  } catch {
    return false
  }
}

function toError(e: { message: string; code?: string }): Error {
  const err = new Error(e.message)
  if (e.code !== undefined) Object.assign(err, { code: e.code })
  return err
}

function closedError(): MessagingError {
  return new MessagingError('ERR_ARGUMENT_INVALID', 'the store is closed')
}

/** Builds the store; the database is opened now, the schema created and the writer started by `init()`. */
export function sqliteStore(config: SqliteStoreConfig): SqliteMailboxStoreImpl {
  const db = openSqliteDatabase(config.file, config.synchronous)
  const useWorker = config.writer !== 'inline' && workerAvailable(config.file)
  let ready = false
  let closing = false
  let closed = false
  const init = initOnce()
  const listeners = new Set<(mailbox: string) => void>()
  let secret: Uint8Array | undefined

  // Writer state.
  let outbox: Job[] = []
  let scheduled = false
  let inline: SqliteWriter | undefined
  let worker: Worker | undefined
  let failure: Error | undefined
  const inflight = new Map<number, Job>()
  let seq = 0
  const drained: Array<() => void> = []

  // Read statements, prepared after migrations.
  let stmts: ReturnType<typeof prepare> | undefined

  function prepare() {
    return {
      usageTotal: db.prepare<[], { n: number | null }>('SELECT sum(count) AS n FROM usage'),
      usageLive: db.prepare<[string, number], { count: number; bytes: number | null }>(
        'SELECT count(*) AS count, sum(size) AS bytes FROM messages WHERE mailbox = ? AND expires_at > ?',
      ),
      listAfter: db.prepare<[string, string, number, number], MessageRow>(
        'SELECT id, mailbox, envelope, size, received_at, expires_at FROM messages ' +
          'WHERE mailbox = ? AND id > ? AND expires_at > ? ORDER BY id LIMIT ?',
      ),
      // Sizes are summed over (id, size) first; envelopes are read only for the rows within budget.
      listAfterBudget: db.prepare<[string, string, number, number, string, number], MessageRow>(
        'WITH c AS (SELECT id, sum(size) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS total, ' +
          'row_number() OVER (ORDER BY id) AS n FROM (SELECT id, size FROM messages ' +
          'WHERE mailbox = ? AND id > ? AND expires_at > ? ORDER BY id LIMIT ?)) ' +
          'SELECT m.id, m.mailbox, m.envelope, m.size, m.received_at, m.expires_at FROM c ' +
          'JOIN messages AS m ON m.mailbox = ? AND m.id = c.id WHERE c.total <= ? OR c.n = 1 ORDER BY m.id',
      ),
      ping: db.prepare('SELECT 1'),
    }
  }

  function s(): NonNullable<typeof stmts> {
    if (closed) throw closedError()
    if (stmts === undefined || !ready)
      throw new MessagingError('ERR_ARGUMENT_INVALID', 'the store is not initialised: call init()')
    return stmts
  }

  /** Resolves or rejects the jobs of one committed group; announces the mailboxes that got deposits. */
  function settle(jobs: readonly Job[], outcomes: readonly WriteOutcome[]): void {
    const touched = new Set<string>()
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!
      const o = outcomes[i]!
      if (!o.ok) {
        job.reject(toError(o.error))
        continue
      }
      job.resolve(o.value)
      if (job.op.kind === 'deposit') {
        const r = o.value as DepositResult[]
        for (let j = 0; j < r.length; j++) if (r[j]!.id !== null) touched.add(job.op.items[j]!.mailbox)
      }
    }
    for (const mailbox of touched) emit(listeners, mailbox)
  }

  function fail(e: Error): void {
    failure ??= e
    const jobs = [...inflight.values(), ...outbox]
    inflight.clear()
    outbox = []
    for (const j of jobs) j.reject(failure)
    for (const d of drained.splice(0)) d()
  }

  function dispatch(): void {
    scheduled = false
    if (outbox.length === 0) return
    if (worker !== undefined) {
      const jobs = outbox
      outbox = []
      const ops: Array<{ seq: number; op: WriteOp }> = []
      for (const job of jobs) {
        seq = (seq + 1) % Number.MAX_SAFE_INTEGER
        inflight.set(seq, job)
        ops.push({ seq, op: job.op })
      }
      worker.ref()
      worker.postMessage({ type: 'ops', ops } satisfies ToWriter)
      return
    }
    if (inline === undefined) return
    const n = groupLength(outbox)
    const group = outbox.slice(0, n)
    outbox = outbox.slice(n)
    settle(group, inline.run(group.map((j) => j.op)))
    if (outbox.length > 0 && !scheduled) {
      scheduled = true
      setImmediate(dispatch)
    }
  }

  /** Queues one write; it joins the next group. */
  function submit(op: WriteOp): Promise<WriteValue> {
    if (closing || closed) return Promise.reject(closedError())
    if (failure !== undefined) return Promise.reject(failure)
    return new Promise((resolve, reject) => {
      outbox.push({ op, resolve, reject })
      if (!scheduled) {
        scheduled = true
        setImmediate(dispatch)
      }
    })
  }

  function onWorkerMessage(m: FromWriter): void {
    if (m.type !== 'results') return
    const jobs: Job[] = []
    const outcomes: WriteOutcome[] = []
    for (const r of m.results) {
      const job = inflight.get(r.seq)
      if (job === undefined) continue
      inflight.delete(r.seq)
      jobs.push(job)
      outcomes.push(r.outcome)
    }
    if (inflight.size === 0) {
      worker?.unref()
      for (const d of drained.splice(0)) d()
    }
    settle(jobs, outcomes)
  }

  function startWorker(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w = new Worker(WORKER_URL, {
        workerData: { file: config.file, synchronous: config.synchronous } satisfies WriterData,
        // The writer only moves batches into SQLite: a small young generation keeps its heap (and the
        // relay's RSS) small; the old generation stays roomy for large batches.
        resourceLimits: { maxYoungGenerationSizeMb: 4 },
      })
      let started = false
      w.on('message', (m: FromWriter) => {
        if (m.type === 'ready') {
          started = true
          worker = w
          w.unref()
          resolve()
        } else if (m.type === 'failed') {
          reject(toError(m.error))
        } else onWorkerMessage(m)
      })
      w.on('error', (e) => {
        if (!started) reject(e)
        else fail(e)
      })
      w.on('exit', (code) => {
        if (!started) reject(new Error(`the SQLite writer thread exited (${code})`))
        else if (!closing) fail(new Error(`the SQLite writer thread exited (${code})`))
      })
    })
  }

  const store: SqliteMailboxStoreImpl = {
    database: db,

    get writerThread() {
      return worker !== undefined
    },

    init() {
      if (closed || closing) return Promise.reject(closedError())
      return init.run(async () => {
        migrateSqlite(db)
        stmts = prepare()
        if (useWorker) await startWorker()
        else inline = createSqliteWriter(db)
        ready = true
      })
    },

    deposit(items, quota) {
      try {
        checkDeposits(items)
        const q = checkQuota(quota)
        s()
        if (items.length === 0) return Promise.resolve([])
        return submit({ kind: 'deposit', items: items.slice(), quota: q }) as Promise<DepositResult[]>
      } catch (e) {
        return Promise.reject(e)
      }
    },

    async list(mailbox, options) {
      checkString('mailbox', mailbox, MAX_MAILBOX_LENGTH)
      const o = checkListOptions(options)
      const rows =
        o.maxBytes === undefined
          ? s().listAfter.all(mailbox, o.after, o.now, o.limit)
          : s().listAfterBudget.all(mailbox, o.after, o.now, o.limit, mailbox, o.maxBytes)
      return rows.map(toStoredMessage)
    },

    async ack(mailbox, ids) {
      checkString('mailbox', mailbox, MAX_MAILBOX_LENGTH)
      const unique = checkIds(ids)
      s()
      if (unique.length === 0) return 0
      return (await submit({ kind: 'ack', mailbox, ids: unique })) as number
    },

    async usage(mailbox, now) {
      checkString('mailbox', mailbox, MAX_MAILBOX_LENGTH)
      checkTime('now', now)
      const row = s().usageLive.get(mailbox, now)
      return { count: row?.count ?? 0, bytes: row?.bytes ?? 0 }
    },

    async expire(now) {
      checkTime('now', now)
      s()
      let total = 0
      for (;;) {
        // One chunk per operation: deposits and reads go in between.
        const r = (await submit({ kind: 'expire', now })) as { deleted: number; done: boolean }
        total += r.deleted
        if (r.done) return total
      }
    },

    async depth() {
      return s().usageTotal.get()?.n ?? 0
    },

    onDeposit(listener) {
      return subscribe(listeners, listener)
    },

    async putChallenge(challenge, did, expiresAt) {
      checkString('challenge', challenge)
      checkString('did', did)
      checkTime('expiresAt', expiresAt)
      s()
      await submit({ kind: 'putChallenge', challenge, did, expiresAt })
    },

    async takeChallenge(challenge, now) {
      checkString('challenge', challenge)
      checkTime('now', now)
      s()
      const row = (await submit({ kind: 'takeChallenge', challenge })) as {
        did: string
        expiresAt: number
      } | null
      if (row === null || row.expiresAt <= now) return null
      return { did: row.did }
    },

    async deploymentSecret() {
      if (secret !== undefined) return secret.slice()
      s()
      const value = (await submit({
        kind: 'secret',
        candidate: new Uint8Array(randomBytes(32)),
      })) as Uint8Array
      secret = new Uint8Array(value)
      return secret.slice()
    },

    async ping() {
      if (closed || closing || !ready || stmts === undefined || failure !== undefined) return false
      try {
        stmts.ping.get()
        return true
      } catch {
        return false
      }
    },

    async close() {
      if (closed || closing) return
      closing = true
      await init.settled()
      if (ready) {
        // Write what is queued, then stop the writer.
        if (inline !== undefined) while (outbox.length > 0) dispatch()
        else if (worker !== undefined) {
          if (outbox.length > 0) dispatch()
          if (inflight.size > 0) await new Promise<void>((resolve) => drained.push(resolve))
          const w = worker
          const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
          w.ref()
          w.postMessage({ type: 'close' } satisfies ToWriter)
          await exited
        }
      }
      for (const j of outbox.splice(0)) j.reject(closedError())
      closed = true
      listeners.clear()
      db.close()
    },
  }
  return store
}
