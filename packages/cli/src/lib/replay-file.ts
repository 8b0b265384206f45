/**
 * @module cli/lib/replay-file
 * A replay store persisted in a small JSON file per identity (`<home>/replay/<name>.json`), so a
 * message accepted by one `kilt-msg` run is refused as replayed by the next. Expired ids are
 * dropped on load; the file is rewritten atomically after each new id.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ReplayStore } from '@kilt-messaging/core'
import { writeFileAtomic } from './files.js'

/** Most ids kept per identity. */
export const MAX_REPLAY_ENTRIES = 50_000

/**
 * Opens (or starts) the replay file of an identity.
 *
 * @param home - the kilt-msg home folder
 * @param name - the identity name (already checked)
 * @returns a synchronous {@link ReplayStore}
 * @example
 * const replay = createReplayGuard({ store: fileReplayStore(home, 'bob'), maxAgeMs })
 */
export function fileReplayStore(home: string, name: string): ReplayStore & { readonly size: number } {
  const path = join(home, 'replay', `${name}.json`)
  const entries = new Map<string, number>()
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { entries?: Record<string, unknown> }
    for (const [k, v] of Object.entries(json.entries ?? {}))
      if (typeof v === 'number' && Number.isFinite(v)) entries.set(k, v)
  } catch {
    // Missing or unreadable: start empty (a corrupted file only weakens replay protection for
    // messages that are still inside the freshness window).
  }
  const save = (): void => {
    writeFileAtomic(path, JSON.stringify({ version: 1, entries: Object.fromEntries(entries) }))
  }
  return {
    get size() {
      return entries.size
    },
    markIfNew(key: string, expiresAt: number, now: number): boolean {
      const seen = entries.get(key)
      if (seen !== undefined && seen > now) return false
      for (const [k, exp] of entries) if (exp <= now) entries.delete(k)
      if (entries.size >= MAX_REPLAY_ENTRIES) throw new Error('the replay file is full')
      entries.set(key, expiresAt)
      save()
      return true
    },
    purge(now: number): void {
      let changed = false
      for (const [k, exp] of entries)
        if (exp <= now) {
          entries.delete(k)
          changed = true
        }
      if (changed) save()
    },
  }
}
