/**
 * @module replay/lib/freshness
 * The freshness window of KILT docs §9.4: accept `now - maxAgeMs <= createdAt <= now + maxFutureSkewMs`.
 */
import { MessagingError } from '../../errors.js'

/** Default oldest accepted age (docs `MAX_ACCEPTED_AGE`). */
export const DEFAULT_MAX_AGE_MS = 60_000
/** Default tolerance for clocks running ahead (docs `MIN_ACCEPTED_AGE = -1000`). */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 1_000

/**
 * Checks a window bound given as an option.
 * @throws MessagingError ERR_ARGUMENT_INVALID unless a finite number >= 0
 */
export function windowOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected a finite number >= 0`)
  return value
}

/**
 * Checks `createdAt` against the window at `now`. A missing or non-numeric `createdAt` is stale.
 * @throws MessagingError ERR_MESSAGE_STALE, ERR_MESSAGE_FUTURE
 */
export function assertFresh(
  createdAt: unknown,
  now: number,
  maxAgeMs: number,
  maxFutureSkewMs: number,
): void {
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt))
    throw new MessagingError('ERR_MESSAGE_STALE', 'The message has no createdAt timestamp')
  if (createdAt < now - maxAgeMs)
    throw new MessagingError('ERR_MESSAGE_STALE', `The message is older than ${maxAgeMs} ms`)
  if (createdAt > now + maxFutureSkewMs)
    throw new MessagingError(
      'ERR_MESSAGE_FUTURE',
      `The message was created more than ${maxFutureSkewMs} ms in the future`,
    )
}

/**
 * Reads the clock and checks its answer.
 * @throws MessagingError ERR_ARGUMENT_INVALID when the clock does not return a finite number
 */
export function readClock(now: () => number): number {
  const t = now()
  if (typeof t !== 'number' || !Number.isFinite(t))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"now" expected to return a finite number')
  return t
}
