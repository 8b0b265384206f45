/**
 * @module replay/lib/memory-store
 * A bounded in-memory replay store. Check-and-set happens in one synchronous step, so two
 * concurrent checks of one id can never both succeed (JS runs one callback at a time).
 *
 * Ids are also filed in one-second buckets by expiry, so expired ids are dropped a bucket at a time
 * (about once a second, and whenever the store is full) at a cost proportional to what expires,
 * never by scanning every live id.
 */
import { MessagingError } from '../../errors.js'
import type { MemoryReplayStore } from '../types.js'

export const DEFAULT_MAX_ENTRIES = 100_000
const BUCKET_MS = 1000

export function memoryStore(maxEntries: number): MemoryReplayStore {
  // key -> expiresAt (the id is live while now < expiresAt)
  const entries = new Map<string, number>()
  // bucket (⌊expiresAt / 1 s⌋) -> the keys filed there; a key re-marked later may sit in two buckets
  const buckets = new Map<number, string[]>()
  let nextPurge = Number.NEGATIVE_INFINITY

  function purge(now: number): void {
    nextPurge = now + BUCKET_MS
    for (const [bucket, keys] of buckets) {
      // the keys of this bucket expire within [bucket · 1 s, (bucket + 1) · 1 s)
      if (bucket * BUCKET_MS > now) continue
      const whole = (bucket + 1) * BUCKET_MS <= now
      const kept: string[] = []
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!
        const expiresAt = entries.get(key)
        if (expiresAt === undefined) continue
        if (expiresAt <= now) entries.delete(key)
        else if (!whole) kept.push(key)
      }
      if (kept.length === 0) buckets.delete(bucket)
      else buckets.set(bucket, kept)
    }
  }

  function file(key: string, expiresAt: number): void {
    const bucket = Math.floor(expiresAt / BUCKET_MS)
    const keys = buckets.get(bucket)
    if (keys === undefined) buckets.set(bucket, [key])
    else keys.push(key)
  }

  return {
    get size() {
      return entries.size
    },
    maxEntries,
    markIfNew(key: string, expiresAt: number, now: number): boolean {
      const seen = entries.get(key)
      if (seen !== undefined) {
        if (seen > now) return false
        entries.delete(key)
      }
      if (now >= nextPurge || entries.size >= maxEntries) {
        purge(now)
        if (entries.size >= maxEntries)
          throw new MessagingError(
            'ERR_REPLAY_STORE_UNAVAILABLE',
            `The replay store holds ${maxEntries} unexpired ids; refusing new messages until some expire`,
          )
      }
      entries.set(key, expiresAt)
      file(key, expiresAt)
      return true
    },
    purge,
    clear(): void {
      entries.clear()
      buckets.clear()
      nextPurge = Number.NEGATIVE_INFINITY
    },
  }
}
