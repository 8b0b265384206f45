/**
 * @module test/helpers/memory-store
 * A small in-memory MailboxStore for the relay's unit tests (not durable; single process).
 * Counts calls so tests can assert that hostile requests leave the store untouched.
 */
import { randomBytes } from 'node:crypto'
import type {
  DepositInput,
  DepositResult,
  MailboxStore,
  Quota,
  StoredMessage,
} from '../../src/store/types.js'

let seq = 0
function newId(now: number): string {
  seq++
  return `${now.toString(36).padStart(10, '0')}${seq.toString(36).padStart(8, '0')}`.toUpperCase()
}

export interface MemoryStore extends MailboxStore {
  readonly messages: Map<string, StoredMessage>
  readonly calls: { deposit: number; ack: number; list: number; putChallenge: number; takeChallenge: number }
  /** Makes every call fail (simulates a database outage). */
  failing: boolean
  /** Deposits into these mailboxes fail alone as `'unavailable'` (PostgreSQL: a batch's failed fallback). */
  readonly unavailable: Set<string>
  /** Secret override (another deployment). */
  secret: Uint8Array
}

export function createMemoryStore(options: { secret?: Uint8Array } = {}): MemoryStore {
  const messages = new Map<string, StoredMessage>()
  const challenges = new Map<string, { did: string; expiresAt: number }>()
  const listeners = new Set<(mailbox: string) => void>()
  const calls = { deposit: 0, ack: 0, list: 0, putChallenge: 0, takeChallenge: 0 }
  const live = (now: number) => [...messages.values()].filter((m) => m.expiresAt > now)
  const store: MemoryStore = {
    messages,
    calls,
    failing: false,
    unavailable: new Set(),
    secret: options.secret ?? new Uint8Array(randomBytes(32)),
    async init() {},
    async deposit(items: readonly DepositInput[], quota: Quota) {
      calls.deposit++
      if (store.failing) throw new Error('store down')
      const out: DepositResult[] = []
      for (const item of items) {
        if (store.unavailable.has(item.mailbox)) {
          out.push({ id: null, error: 'unavailable' })
          continue
        }
        const mine = live(item.receivedAt).filter((m) => m.mailbox === item.mailbox)
        const bytes = mine.reduce((a, m) => a + m.size, 0)
        if (mine.length + 1 > quota.maxCount || bytes + item.size > quota.maxBytes) {
          out.push({ id: null, error: 'quota' })
          continue
        }
        const id = newId(item.receivedAt)
        messages.set(id, {
          id,
          mailbox: item.mailbox,
          envelope: item.envelope,
          size: item.size,
          receivedAt: item.receivedAt,
          expiresAt: item.expiresAt,
        })
        out.push({ id })
      }
      const boxes = new Set(items.map((i) => i.mailbox))
      queueMicrotask(() => {
        for (const b of boxes) for (const l of listeners) l(b)
      })
      return out
    },
    async list(mailbox, { after, limit, now, maxBytes }) {
      calls.list++
      if (store.failing) throw new Error('store down')
      const page = live(now)
        .filter((m) => m.mailbox === mailbox && (after === undefined || m.id > after))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit)
      let bytes = 0
      let n = 0
      while (n < page.length && (n === 0 || maxBytes === undefined || bytes + page[n]!.size <= maxBytes))
        bytes += page[n++]!.size
      return page.slice(0, n)
    },
    async ack(mailbox, ids) {
      calls.ack++
      if (store.failing) throw new Error('store down')
      let n = 0
      for (const id of ids) {
        const m = messages.get(id)
        if (m !== undefined && m.mailbox === mailbox) {
          messages.delete(id)
          n++
        }
      }
      return n
    },
    async usage(mailbox, now) {
      const mine = live(now).filter((m) => m.mailbox === mailbox)
      return { count: mine.length, bytes: mine.reduce((a, m) => a + m.size, 0) }
    },
    async expire(now) {
      let n = 0
      for (const [id, m] of messages)
        if (m.expiresAt <= now) {
          messages.delete(id)
          n++
        }
      return n
    },
    async depth() {
      return messages.size
    },
    onDeposit(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async putChallenge(challenge, did, expiresAt) {
      calls.putChallenge++
      if (store.failing) throw new Error('store down')
      challenges.set(challenge, { did, expiresAt })
    },
    async takeChallenge(challenge, now) {
      calls.takeChallenge++
      const c = challenges.get(challenge)
      challenges.delete(challenge)
      return c !== undefined && c.expiresAt > now ? { did: c.did } : null
    },
    async deploymentSecret() {
      return store.secret
    },
    async ping() {
      return !store.failing
    },
    async close() {
      listeners.clear()
    },
  }
  return store
}
