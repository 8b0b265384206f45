/**
 * @module replay/lib/shared-retention
 * Guards of different windows over one store (`decryptMessage`'s default guard serves every
 * `maxAgeMs`/`maxFutureSkewMs` a caller passes; the CLI's runs share one replay file per identity).
 * Each guard alone keeps an id exactly as long as its own window accepts the message; sharing a
 * store, a wider window must not accept a message whose id a narrower one has already let go. So
 * ids are kept for the widest window used so far, and a message is refused when an earlier
 * acceptance of it may have been recorded while the retention was still shorter than its age now.
 */
import { MessagingError } from '../../errors.js'

/**
 * The retention of a store shared by guards of different windows: plain data, so a persistent
 * store can keep it next to its ids.
 */
export interface RetentionState {
  /** `[since, maxAgeMs]`: the retention in force from `since` (ms) on; each wider than the one before. */
  readonly steps: [since: number, maxAgeMs: number][]
  /** The largest `maxFutureSkewMs` used so far. */
  maxFutureSkewMs: number
}

/** A new, empty retention state. */
export function newRetentionState(): RetentionState {
  return { steps: [], maxFutureSkewMs: 0 }
}

/** The retention in force at time `t` (from the first check on). */
function retentionAt(steps: RetentionState['steps'], t: number): number {
  for (let i = steps.length - 1; i > 0; i--) if (steps[i]![0] <= t) return steps[i]![1]
  return steps[0]![1]
}

/** The widest retention so far (0 before any check). */
export function widestRetention(state: RetentionState): number {
  return state.steps.length === 0 ? 0 : state.steps[state.steps.length - 1]![1]
}

/**
 * Records in `state` that a guard with these bounds checks, at `now`, a message created at
 * `createdAt` (fresh for that guard), and answers when its id must expire in the shared store.
 * @throws MessagingError ERR_MESSAGE_STALE when an earlier acceptance of this message may have been
 *   recorded under a retention that has run out by `now`
 */
export function retentionExpiry(
  state: RetentionState,
  createdAt: number,
  now: number,
  maxAgeMs: number,
  maxFutureSkewMs: number,
): number {
  const { steps } = state
  if (steps.length === 0 || maxAgeMs > widestRetention(state)) steps.push([now, maxAgeMs])
  if (maxFutureSkewMs > state.maxFutureSkewMs) state.maxFutureSkewMs = maxFutureSkewMs
  const created = Math.ceil(createdAt)
  // The earliest moment this message can have been accepted before is `createdAt - maxSkew`, and not
  // before the first check of all; its id then lived for the retention in force at that moment.
  if (now >= created + retentionAt(steps, Math.max(createdAt - state.maxFutureSkewMs, steps[0]![0])) + 1)
    throw new MessagingError(
      'ERR_MESSAGE_STALE',
      `The message is older than the replay store remembered ids when it may first have arrived (a window wider than before is in use; the widest so far is ${widestRetention(state)} ms); a guard of the wider window alone can accept it`,
    )
  return created + widestRetention(state) + 1
}

/** The in-memory form used by the default guard. */
export interface SharedRetention {
  /** See {@link retentionExpiry}. */
  expiryFor(createdAt: number, now: number, maxAgeMs: number, maxFutureSkewMs: number): number
  /** The retention in force now (the widest `maxAgeMs` seen), for relaxed-freshness marks. */
  readonly retentionMs: number
}

export function sharedRetention(): SharedRetention {
  const state = newRetentionState()
  return {
    get retentionMs() {
      return widestRetention(state)
    },
    expiryFor: (createdAt, now, maxAgeMs, maxFutureSkewMs) =>
      retentionExpiry(state, createdAt, now, maxAgeMs, maxFutureSkewMs),
  }
}
