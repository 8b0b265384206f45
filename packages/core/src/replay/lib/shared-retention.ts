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

/**
 * A new retention state (plain data: keep it, as JSON, next to the store's ids).
 * @example const state = newRetentionState()
 */
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

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

function invalid(what: string): MessagingError {
  return new MessagingError('ERR_ARGUMENT_INVALID', what)
}

/** Checks a state read back from storage (or given by an application). */
function checkState(state: unknown): asserts state is RetentionState {
  if (typeof state !== 'object' || state === null || !Array.isArray((state as RetentionState).steps))
    throw invalid('"state" expected a RetentionState')
  const { steps, maxFutureSkewMs } = state as RetentionState
  if (!finite(maxFutureSkewMs) || maxFutureSkewMs < 0)
    throw invalid('"state.maxFutureSkewMs" expected a finite number >= 0')
  let last = Number.NEGATIVE_INFINITY
  for (const step of steps as unknown[]) {
    if (!Array.isArray(step) || step.length !== 2 || !finite(step[0]) || !finite(step[1]) || step[1] <= last)
      throw invalid('"state.steps" expected [since, maxAgeMs] pairs of finite numbers, maxAgeMs growing')
    last = step[1]
  }
}

/**
 * Records that a guard with these bounds checks, at `now`, a message created at `createdAt` (fresh
 * for that guard), and answers when its id must expire in the shared store. Updates `state`.
 * @param state - from {@link newRetentionState}, or read back from storage
 * @throws MessagingError ERR_MESSAGE_STALE when an earlier acceptance of this message may have been
 *   recorded under a retention that has run out by `now`; ERR_ARGUMENT_INVALID for a malformed state
 *   (steps not `[since, maxAgeMs]` pairs of finite numbers with growing `maxAgeMs`) or non-finite or
 *   negative numbers
 * @example
 * const expiresAt = retentionExpiry(state, message.createdAt, Date.now(), 60_000, 1_000)
 */
export function retentionExpiry(
  state: RetentionState,
  createdAt: number,
  now: number,
  maxAgeMs: number,
  maxFutureSkewMs: number,
): number {
  checkState(state)
  if (!finite(createdAt)) throw invalid('"createdAt" expected a finite number')
  if (!finite(now)) throw invalid('"now" expected a finite number')
  if (!finite(maxAgeMs) || maxAgeMs < 0) throw invalid('"maxAgeMs" expected a finite number >= 0')
  if (!finite(maxFutureSkewMs) || maxFutureSkewMs < 0)
    throw invalid('"maxFutureSkewMs" expected a finite number >= 0')
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
