/**
 * @module replay/lib/memory-store
 * A bounded in-memory replay store. Check-and-set happens in one synchronous step, so two
 * concurrent checks of one id can never both succeed (JS runs one callback at a time).
 *
 * Ids are kept per scope (receiver and sender subjects: the key up to its first `|` or `#`), so
 * a stored id costs its message id string, not a copy of the whole key; a scope's first id is a
 * small record, a Map only from its second live id on. They are also filed in
 * one-second buckets by expiry, so expired ids are dropped a bucket at a time (about once a second,
 * and whenever the store is full) at a cost proportional to what expires, never by scanning every
 * live id.
 */
import { MessagingError } from '../../errors.js'
import { typeName } from '../../lib/type-name.js'
import type { MemoryReplayStore } from '../types.js'

export const DEFAULT_MAX_ENTRIES = 100_000
const BUCKET_MS = 1000

/** Marks a key given as its scope and id (scope + id is the key); see `replayKeyParts`. */
export type PartsMarker = (scope: string, id: string, expiresAt: number, now: number) => boolean

const markers = new WeakMap<object, PartsMarker>()

/** The parts marker of a store made by {@link memoryStore}, or undefined for any other store. */
export function partsMarkerOf(store: object): PartsMarker | undefined {
  return markers.get(store)
}

/** Splits a key after its first `|` or `#` (the whole key is the id when it has neither). */
function split(key: string): [string, string] {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c === 124 || c === 35) return [key.slice(0, i + 1), key.slice(i + 1)]
  }
  return ['', key]
}

/** A scope's only id: most senders send one message per window, and a Map costs ~200 B more. */
interface OnlyId {
  readonly id: string
  readonly expiresAt: number
}

/** A scope's ids: one, or a map id → expiresAt once a second id is marked. */
type ScopeIds = OnlyId | Map<string, number>

/** When `id` expires in `ids`, or undefined when `ids` does not hold it. */
function expiryOf(ids: ScopeIds | undefined, id: string): number | undefined {
  if (ids === undefined) return undefined
  if (ids instanceof Map) return ids.get(id)
  return ids.id === id ? ids.expiresAt : undefined
}

/**
 * Asserts a time (ms) of the public methods: a NaN or infinite time would break the expiry
 * comparisons (a NaN expiry is never live: the same id would be accepted twice).
 * The guard's fast path (`markParts`) passes times it computed itself and is not checked here.
 */
function checkTime(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"${name}" expected a finite number (ms since the epoch), got ${typeof value === 'number' ? value : typeName(value)}`,
    )
}

export function memoryStore(maxEntries: number): MemoryReplayStore {
  // scope -> its ids with their expiry (an id is live while now < expiresAt)
  const scopes = new Map<string, ScopeIds>()
  let size = 0
  // bucket (⌊expiresAt / 1 s⌋) -> the scopes and ids filed there (parallel arrays); an id re-marked
  // later may sit in two buckets
  const buckets = new Map<number, { scopes: string[]; ids: string[] }>()
  let nextPurge = Number.NEGATIVE_INFINITY

  /** Drops `id` (held by `ids`) from `scope`, and the scope when it held nothing else. */
  function drop(scope: string, ids: ScopeIds, id: string): void {
    size--
    if (ids instanceof Map) {
      ids.delete(id)
      if (ids.size > 0) return
    }
    scopes.delete(scope)
  }

  function purge(now: number): void {
    nextPurge = now + BUCKET_MS
    for (const [bucket, filed] of buckets) {
      // the ids of this bucket expire within [bucket · 1 s, (bucket + 1) · 1 s)
      if (bucket * BUCKET_MS > now) continue
      const whole = (bucket + 1) * BUCKET_MS <= now
      const kept: { scopes: string[]; ids: string[] } = { scopes: [], ids: [] }
      for (let i = 0; i < filed.ids.length; i++) {
        const scope = filed.scopes[i]!
        const id = filed.ids[i]!
        const ids = scopes.get(scope)
        const expiresAt = expiryOf(ids, id)
        if (ids === undefined || expiresAt === undefined) continue
        if (expiresAt <= now) drop(scope, ids, id)
        else if (!whole) {
          kept.scopes.push(scope)
          kept.ids.push(id)
        }
      }
      if (kept.ids.length === 0) buckets.delete(bucket)
      else buckets.set(bucket, kept)
    }
  }

  const markParts: PartsMarker = (scope, id, expiresAt, now) => {
    let ids = scopes.get(scope)
    const seen = expiryOf(ids, id)
    if (seen !== undefined) {
      if (seen > now) return false
      drop(scope, ids!, id)
      ids = scopes.get(scope)
    }
    if (now >= nextPurge || size >= maxEntries) {
      purge(now)
      if (size >= maxEntries)
        throw new MessagingError(
          'ERR_REPLAY_STORE_UNAVAILABLE',
          `The replay store holds ${maxEntries} unexpired ids; refusing new messages until some expire`,
        )
      ids = scopes.get(scope)
    }
    if (ids === undefined) scopes.set(scope, { id, expiresAt })
    else if (ids instanceof Map) ids.set(id, expiresAt)
    else
      scopes.set(
        scope,
        new Map([
          [ids.id, ids.expiresAt],
          [id, expiresAt],
        ]),
      )
    size++
    const bucket = Math.floor(expiresAt / BUCKET_MS)
    const filed = buckets.get(bucket)
    if (filed === undefined) buckets.set(bucket, { scopes: [scope], ids: [id] })
    else {
      filed.scopes.push(scope)
      filed.ids.push(id)
    }
    return true
  }

  const store: MemoryReplayStore = {
    get size() {
      return size
    },
    maxEntries,
    markIfNew(key: string, expiresAt: number, now: number): boolean {
      if (typeof key !== 'string' || key.length === 0)
        throw new MessagingError(
          'ERR_ARGUMENT_INVALID',
          `"key" expected a non-empty string, got ${typeof key === 'string' ? 'an empty string' : typeName(key)}`,
        )
      checkTime('expiresAt', expiresAt)
      checkTime('now', now)
      const [scope, id] = split(key)
      return markParts(scope, id, expiresAt, now)
    },
    purge(now: number): void {
      checkTime('now', now)
      purge(now)
    },
    clear(): void {
      scopes.clear()
      buckets.clear()
      size = 0
      nextPurge = Number.NEGATIVE_INFINITY
    },
  }
  markers.set(store, markParts)
  return store
}
