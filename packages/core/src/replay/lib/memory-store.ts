/**
 * @module replay/lib/memory-store
 * A bounded in-memory replay store. Check-and-set happens in one synchronous step, so two
 * concurrent checks of one id can never both succeed (JS runs one callback at a time).
 */
import { MessagingError } from '../../errors.js'
import type { MemoryReplayStore } from '../types.js'

export const DEFAULT_MAX_ENTRIES = 100_000

export function memoryStore(maxEntries: number): MemoryReplayStore {
  // key -> expiresAt (the id is live while now < expiresAt)
  const entries = new Map<string, number>()
  // No entry expires before this time: lets a full store skip pointless scans.
  let earliestExpiry = Number.POSITIVE_INFINITY

  function purge(now: number): void {
    if (now < earliestExpiry) return
    let earliest = Number.POSITIVE_INFINITY
    for (const [key, expiresAt] of entries) {
      if (expiresAt <= now) entries.delete(key)
      else if (expiresAt < earliest) earliest = expiresAt
    }
    earliestExpiry = earliest
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
      if (entries.size >= maxEntries) {
        purge(now)
        if (entries.size >= maxEntries)
          throw new MessagingError(
            'ERR_REPLAY_STORE_UNAVAILABLE',
            `The replay store holds ${maxEntries} unexpired ids; refusing new messages until some expire`,
          )
      }
      entries.set(key, expiresAt)
      if (expiresAt < earliestExpiry) earliestExpiry = expiresAt
      return true
    },
    purge,
    clear(): void {
      entries.clear()
      earliestExpiry = Number.POSITIVE_INFINITY
    },
  }
}
