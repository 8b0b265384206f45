/**
 * @module replay/retention
 * For a replay store shared by guards of different freshness windows that keeps its state itself
 * (a file, a database): the rule `decryptMessage`'s default guard follows. Ids are kept for the
 * widest window used so far, and a message an earlier, narrower guard may have accepted and let go
 * is refused as stale.
 */
import { MessagingError } from '../errors.js'
import {
  newRetentionState as emptyState,
  retentionExpiry as expiry,
  type RetentionState,
} from './lib/shared-retention.js'

export type { RetentionState } from './lib/shared-retention.js'

/**
 * A new retention state (plain data: keep it, as JSON, next to the store's ids).
 * @example const state = newRetentionState()
 */
export function newRetentionState(): RetentionState {
  return emptyState()
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

function invalid(what: string): MessagingError {
  return new MessagingError('ERR_ARGUMENT_INVALID', what)
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
  if (typeof state !== 'object' || state === null || !Array.isArray(state.steps))
    throw invalid('"state" expected a RetentionState')
  if (!finite(state.maxFutureSkewMs) || state.maxFutureSkewMs < 0)
    throw invalid('"state.maxFutureSkewMs" expected a finite number >= 0')
  let last = Number.NEGATIVE_INFINITY
  for (const step of state.steps as unknown[]) {
    if (!Array.isArray(step) || step.length !== 2 || !finite(step[0]) || !finite(step[1]) || step[1] <= last)
      throw invalid('"state.steps" expected [since, maxAgeMs] pairs of finite numbers, maxAgeMs growing')
    last = step[1]
  }
  if (!finite(createdAt)) throw invalid('"createdAt" expected a finite number')
  if (!finite(now)) throw invalid('"now" expected a finite number')
  if (!finite(maxAgeMs) || maxAgeMs < 0) throw invalid('"maxAgeMs" expected a finite number >= 0')
  if (!finite(maxFutureSkewMs) || maxFutureSkewMs < 0)
    throw invalid('"maxFutureSkewMs" expected a finite number >= 0')
  return expiry(state, createdAt, now, maxAgeMs, maxFutureSkewMs)
}
