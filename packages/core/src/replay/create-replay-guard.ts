/**
 * @module replay/create-replay-guard
 * Replay protection as recommended by the KILT docs (§9.4 of the spec): a freshness window on
 * `createdAt` and a record of the message ids seen inside that window.
 */
import { MessagingError } from '../errors.js'
import { createMemoryReplayStore } from './create-memory-replay-store.js'
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_SKEW_MS, windowOption } from './lib/freshness.js'
import { guard } from './lib/guard.js'
import type { ReplayGuard, ReplayGuardOptions } from './types.js'

/**
 * Creates a replay guard. `check(message)` accepts a message once: `createdAt` must lie in
 * `[now - maxAgeMs, now + maxFutureSkewMs]` (a missing `createdAt` is stale), then the pair
 * (sender subject, `messageId`) — or the blake2b-256 of the plaintext bytes when there is no
 * `messageId` — is recorded atomically until the window no longer accepts that `createdAt`.
 * The sender is keyed by subject (SS58 address), so the light and full forms of one DID share ids.
 *
 * `decryptMessage` calls the guard last, after every other check, so a rejected message never
 * burns its id.
 *
 * @param options.store - seen ids (default: a new in-memory store, 100 000 entries)
 * @param options.maxAgeMs - window into the past, ms (default 60 000)
 * @param options.maxFutureSkewMs - tolerated clock skew into the future, ms (default 1 000)
 * @param options.now - clock, ms since the epoch (default `Date.now`)
 * @throws MessagingError ERR_ARGUMENT_INVALID for bad options; `check` throws ERR_MESSAGE_STALE,
 *   ERR_MESSAGE_FUTURE, ERR_MESSAGE_REPLAYED, ERR_REPLAY_STORE_UNAVAILABLE
 * @example
 * const replay = createReplayGuard()
 * const { message } = await decryptMessage(envelope, { keys, replay })
 */
export function createReplayGuard(options: ReplayGuardOptions = {}): ReplayGuard {
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  const maxAgeMs = windowOption(options.maxAgeMs, 'maxAgeMs', DEFAULT_MAX_AGE_MS)
  const maxFutureSkewMs = windowOption(options.maxFutureSkewMs, 'maxFutureSkewMs', DEFAULT_MAX_FUTURE_SKEW_MS)
  const now = options.now ?? Date.now
  if (typeof now !== 'function') throw new MessagingError('ERR_ARGUMENT_INVALID', '"now" expected a function')
  const store = options.store ?? createMemoryReplayStore()
  if (typeof store !== 'object' || store === null || typeof store.markIfNew !== 'function')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"store" expected a ReplayStore')
  return guard(store, maxAgeMs, maxFutureSkewMs, now)
}
