/**
 * @module cli/lib/replay-file
 * A replay store persisted in a small JSON file per identity (`<home>/replay/<name>.json`), so a
 * message accepted by one `kilt-msg` run is refused as replayed by the next — also by a run that
 * is going on at the same time: every mark takes an exclusive lock file (`<name>.json.lock`,
 * created with O_EXCL), re-reads the file, checks, writes it atomically and releases the lock, so
 * two processes of one identity can never both accept one message id nor drop each other's ids.
 * Expired ids are dropped when the file is rewritten.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { ReplayStore } from '@kilt-messaging/core'
import { ensurePrivateDir, writeFileAtomic } from './files.js'

/** Most ids kept per identity. */
export const MAX_REPLAY_ENTRIES = 50_000

/** How long a mark waits for the lock before failing (the replay store is then unavailable). */
const LOCK_WAIT_MS = 5_000
/** A lock file older than this was left by a process that died while holding it. */
const STALE_LOCK_MS = 30_000

/** Options of {@link fileReplayStore} (tests shorten the waits). */
export interface FileReplayStoreOptions {
  readonly lockWaitMs?: number
  readonly staleLockMs?: number
}

function load(path: string): Map<string, number> {
  const entries = new Map<string, number>()
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { entries?: Record<string, unknown> }
    for (const [k, v] of Object.entries(json.entries ?? {}))
      if (typeof v === 'number' && Number.isFinite(v)) entries.set(k, v)
  } catch {
    // Missing or unreadable: start empty (a corrupted file only weakens replay protection for
    // messages that are still inside the freshness window).
  }
  return entries
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Runs `fn` holding the lock file `lock` (created exclusively; removed afterwards). */
function withLock<T>(lock: string, waitMs: number, staleMs: number, fn: () => T): T {
  ensurePrivateDir(dirname(lock))
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600))
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleMs) unlinkSync(lock)
      } catch {
        // removed by its owner meanwhile
      }
      if (Date.now() > deadline) throw new Error(`the replay file is locked by another process (${lock})`)
      sleepSync(5)
    }
  }
  try {
    return fn()
  } finally {
    try {
      unlinkSync(lock)
    } catch {
      // already gone
    }
  }
}

/**
 * Opens (or starts) the replay file of an identity.
 *
 * @param home - the kilt-msg home folder
 * @param name - the identity name (already checked)
 * @param options - lock waits (tests)
 * @returns a synchronous {@link ReplayStore}; `markIfNew` throws when the lock cannot be taken
 *   (the message is then refused with ERR_REPLAY_STORE_UNAVAILABLE, never accepted unrecorded)
 * @example
 * const replay = createReplayGuard({ store: fileReplayStore(home, 'bob'), maxAgeMs })
 */
export function fileReplayStore(
  home: string,
  name: string,
  options: FileReplayStoreOptions = {},
): ReplayStore & { readonly size: number } {
  const path = join(home, 'replay', `${name}.json`)
  const lock = `${path}.lock`
  const waitMs = options.lockWaitMs ?? LOCK_WAIT_MS
  const staleMs = options.staleLockMs ?? STALE_LOCK_MS
  // No copy is kept between calls: the file is the truth (another process may mark ids any time).
  const save = (entries: Map<string, number>): void => {
    writeFileAtomic(path, JSON.stringify({ version: 1, entries: Object.fromEntries(entries) }))
  }
  return {
    get size() {
      return load(path).size
    },
    markIfNew(key: string, expiresAt: number, now: number): boolean {
      return withLock(lock, waitMs, staleMs, () => {
        const entries = load(path)
        const seen = entries.get(key)
        if (seen !== undefined && seen > now) return false
        for (const [k, exp] of entries) if (exp <= now) entries.delete(k)
        if (entries.size >= MAX_REPLAY_ENTRIES) throw new Error('the replay file is full')
        entries.set(key, expiresAt)
        save(entries)
        return true
      })
    },
    purge(now: number): void {
      withLock(lock, waitMs, staleMs, () => {
        const entries = load(path)
        let changed = false
        for (const [k, exp] of entries)
          if (exp <= now) {
            entries.delete(k)
            changed = true
          }
        if (changed) save(entries)
      })
    },
  }
}
