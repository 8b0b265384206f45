/**
 * @module cli/lib/replay-file
 * A replay store persisted in a small JSON file per identity (`<home>/replay/<name>.json`), so a
 * message accepted by one `kilt-msg` run is refused as replayed by the next — also by a run that
 * is going on at the same time: every mark takes an exclusive lock file (`<name>.json.lock`,
 * created with O_EXCL), re-reads the file, checks, writes it atomically and releases the lock, so
 * two processes of one identity can never both accept one message id nor drop each other's ids.
 * Expired ids are dropped when the file is rewritten.
 *
 * Runs of one identity may use different `--max-age` windows over the one file. A run keeps an id
 * only as long as its own window accepts the message, so a later, wider run could accept a message
 * again whose id a narrower run has let go. The file therefore records the widest window used so
 * far and when each widening happened (`retention`: `[since, maxAgeMs]` steps, and the largest
 * `maxFutureSkewMs`); every id is kept for the widest window, and a message that an earlier,
 * narrower run may already have accepted and forgotten is refused as stale (the logic of core's
 * default guard, through core's `retentionExpiry`). Files written before this (no `retention`) still load.
 *
 * A file holds at most {@link MAX_REPLAY_ENTRIES} live ids. A full file never evicts one (a forgotten
 * id could be replayed while its message is still fresh): new messages are refused with
 * ERR_REPLAY_STORE_UNAVAILABLE, saying so and when the next id expires, until ids expire.
 *
 * A run that recorded a message but could not print it removes the id again (`forget`), under the
 * same lock, so the message is not consumed unseen.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { MessagingError, type ReplayStore, type RetentionState, retentionExpiry } from '@kilt-messaging/core'
import { ensurePrivateDir, writeFileAtomic } from './files.js'

/**
 * Most live ids kept per identity. A full file refuses new messages (ERR_REPLAY_STORE_UNAVAILABLE)
 * rather than forget ids still inside their window.
 */
export const MAX_REPLAY_ENTRIES = 50_000

/** How long a mark waits for the lock before failing (the replay store is then unavailable). */
const LOCK_WAIT_MS = 5_000
/** A lock file older than this was left by a process that died while holding it. */
const STALE_LOCK_MS = 30_000

/** Options of {@link fileReplayStore} (tests shorten the waits). */
export interface FileReplayStoreOptions {
  readonly lockWaitMs?: number
  readonly staleLockMs?: number
  /**
   * The freshness window of the replay guard using this store (`createReplayGuard`'s `maxAgeMs`).
   * With it, ids are kept for the widest window of all runs (see the module comment); without
   * it, for the `expiresAt` the guard asks.
   */
  readonly maxAgeMs?: number
  /** The guard's tolerated clock skew into the future (with `maxAgeMs`). */
  readonly maxFutureSkewMs?: number
}

/** The replay store of {@link fileReplayStore}. */
export interface FileReplayStore extends ReplayStore {
  /** Ids in the file (expired ones included until the file is rewritten). */
  readonly size: number
  markIfNew(key: string, expiresAt: number, now: number): boolean
  purge(now: number): void
  /**
   * Removes `key` again (locked like every write): for a message this run recorded with
   * `markIfNew` but could not deliver. Only a key the caller marked itself may be forgotten: while
   * it was recorded, no other run accepted the message (they were refused as replays).
   * @throws when the lock cannot be taken or the file is damaged (the id then stays recorded)
   */
  forget(key: string): void
}

/** The contents of a replay file. */
interface ReplayFile {
  entries: Map<string, number>
  /** The widest window so far and when each widening happened (core's `RetentionState`). */
  retention: RetentionState
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

function damaged(path: string, why: string): MessagingError {
  return new MessagingError(
    'ERR_REPLAY_STORE_UNAVAILABLE',
    `The replay file ${path} is damaged (${why}); messages are refused rather than accepted without replay protection. Move the file away to start a new one (the ids it held are then forgotten)`,
  )
}

/**
 * Reads the replay file: none yet is an empty one; one that cannot be read or parsed fails closed
 * (forgetting its ids would let every message still inside its window be replayed).
 * @throws MessagingError ERR_REPLAY_STORE_UNAVAILABLE
 */
function load(path: string): ReplayFile {
  const file: ReplayFile = { entries: new Map(), retention: { steps: [], maxFutureSkewMs: 0 } }
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return file
    throw damaged(path, `unreadable: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  let json: { entries?: unknown; retention?: unknown; maxFutureSkewMs?: unknown }
  try {
    json = JSON.parse(text) as typeof json
  } catch {
    throw damaged(path, 'not JSON')
  }
  if (typeof json !== 'object' || json === null || typeof json.entries !== 'object' || json.entries === null)
    throw damaged(path, 'no "entries" object')
  for (const [k, v] of Object.entries(json.entries)) if (finite(v)) file.entries.set(k, v)
  // steps with growing maxAgeMs only (what retentionExpiry accepts); a damaged list starts over
  let last = Number.NEGATIVE_INFINITY
  if (Array.isArray(json.retention))
    for (const step of json.retention as unknown[])
      if (Array.isArray(step) && finite(step[0]) && finite(step[1]) && step[1] > last) {
        file.retention.steps.push([step[0], step[1]])
        last = step[1]
      }
  if (finite(json.maxFutureSkewMs) && json.maxFutureSkewMs >= 0)
    file.retention.maxFutureSkewMs = json.maxFutureSkewMs
  return file
}

/** The refusal of a full file: no id is evicted; new messages wait until the earliest id expires. */
function full(path: string, entries: ReadonlyMap<string, number>): MessagingError {
  let next = Number.POSITIVE_INFINITY
  for (const exp of entries.values()) if (exp < next) next = exp
  const when = Number.isFinite(next) && !Number.isNaN(new Date(next).getTime())
  return new MessagingError(
    'ERR_REPLAY_STORE_UNAVAILABLE',
    `The replay file ${path} is full (${entries.size} ids inside their window; at most ${MAX_REPLAY_ENTRIES} are kept): new messages are refused, no id is forgotten${when ? `, until ${new Date(next).toISOString()} (the earliest id expires)` : ''}; a relay keeps them queued`,
  )
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
      if (Date.now() > deadline)
        throw new MessagingError(
          'ERR_REPLAY_STORE_UNAVAILABLE',
          `The replay file is locked by another process (${lock}); a lock left by a run that died is cleared once it is ${Math.round(staleMs / 1000)} s old`,
        )
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
): FileReplayStore {
  const path = join(home, 'replay', `${name}.json`)
  const lock = `${path}.lock`
  const waitMs = options.lockWaitMs ?? LOCK_WAIT_MS
  const staleMs = options.staleLockMs ?? STALE_LOCK_MS
  const maxAgeMs = options.maxAgeMs
  const maxFutureSkewMs = options.maxFutureSkewMs ?? 0
  // No copy is kept between calls: the file is the truth (another process may mark ids any time).
  const save = (file: ReplayFile): void => {
    writeFileAtomic(
      path,
      JSON.stringify({
        version: 1,
        entries: Object.fromEntries(file.entries),
        ...(file.retention.steps.length === 0
          ? {}
          : { retention: file.retention.steps, maxFutureSkewMs: file.retention.maxFutureSkewMs }),
      }),
    )
  }
  /**
   * Records this run's window in `file` and answers when the id must expire: the guard computed
   * `expiresAt` as `ceil(createdAt) + maxAgeMs + 1`; the id is kept for the widest window instead.
   * @throws MessagingError ERR_MESSAGE_STALE when a narrower run may have accepted and forgotten it
   */
  const expiryFor = (file: ReplayFile, expiresAt: number, now: number, window: number): number =>
    retentionExpiry(file.retention, expiresAt - window - 1, now, window, maxFutureSkewMs)
  return {
    get size() {
      return load(path).entries.size
    },
    markIfNew(key: string, expiresAt: number, now: number): boolean {
      return withLock(lock, waitMs, staleMs, () => {
        const file = load(path)
        const { entries } = file
        let expiry = expiresAt
        if (maxAgeMs !== undefined) {
          const steps = file.retention.steps.length
          try {
            expiry = expiryFor(file, expiresAt, now, maxAgeMs)
          } catch (e) {
            if (file.retention.steps.length !== steps) save(file)
            throw e
          }
        }
        const seen = entries.get(key)
        if (seen !== undefined && seen > now) {
          if (seen < expiry) {
            // Keep the id for the widest window from now on.
            entries.set(key, expiry)
            save(file)
          }
          return false
        }
        for (const [k, exp] of entries) if (exp <= now) entries.delete(k)
        if (entries.size >= MAX_REPLAY_ENTRIES) throw full(path, entries)
        entries.set(key, expiry)
        save(file)
        return true
      })
    },
    forget(key: string): void {
      withLock(lock, waitMs, staleMs, () => {
        const file = load(path)
        if (file.entries.delete(key)) save(file)
      })
    },
    purge(now: number): void {
      withLock(lock, waitMs, staleMs, () => {
        const file = load(path)
        let changed = false
        for (const [k, exp] of file.entries)
          if (exp <= now) {
            file.entries.delete(k)
            changed = true
          }
        if (changed) save(file)
      })
    },
  }
}
