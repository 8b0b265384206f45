/**
 * @module replay/lib/guard
 * The replay guard: freshness window, then an atomic mark of (sender subject, messageId).
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { didSubject } from '../../did/index.js'
import { MessagingError } from '../../errors.js'
import { toHex } from '../../lib/bytes.js'
import { lastPair } from '../../lib/last-pair.js'
import type { ReplayCheckContext, ReplayCheckInput, ReplayGuard, ReplayStore } from '../types.js'
import { assertFresh, readClock } from './freshness.js'
import { partsMarkerOf } from './memory-store.js'
import { type RetentionState, retentionExpiry, widestRetention } from './shared-retention.js'

/** Longer message ids are hashed so a hostile sender cannot make keys large. */
const MAX_RAW_ID_LENGTH = 80

const encoder = new TextEncoder()

function subjectOf(sender: string): string {
  try {
    return didSubject(sender)
  } catch (cause) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"sender" expected a KILT DID', { cause })
  }
}

/**
 * `<receiver>><sender><end>` (or `<sender><end>` without a receiver). Joined, not concatenated: a
 * scope is kept as a Map key, where a concatenation would stay a tree.
 */
function scopeOf(receiver: string | undefined, sender: string, end: '|' | '#'): string {
  return (receiver === undefined ? [sender, end] : [receiver, '>', sender, end]).join('')
}

/** The `|` scope, the same string object again for a repeated pair (its hash is cached). */
const idScope = lastPair((receiver: string | undefined, sender: string) => scopeOf(receiver, sender, '|'))

/**
 * The store key of a message, as two parts whose concatenation is the key: the scope
 * `<receiver address>><sender address>|` and the `<messageId>`; or the scope `…|` and `h<hash>` for
 * an overlong id; or the scope `…#` and the plaintext hash without a messageId. The receiver is part
 * of the key so that one guard can serve several receiving identities (the default guard of
 * `decryptMessage` does). Addresses contain neither `|` nor `#`, so the scope ends at the first one.
 * @param knownReceiver - the subject of `message.receiver`, when the caller has it already
 * @param knownSender - the subject of `message.sender`, likewise
 */
export function replayKeyParts(
  message: ReplayCheckInput,
  plaintext: Uint8Array | undefined,
  knownReceiver?: string,
  knownSender?: string,
): readonly [scope: string, id: string] {
  const receiver =
    knownReceiver ?? (typeof message.receiver === 'string' ? subjectOf(message.receiver) : undefined)
  const sender = knownSender ?? subjectOf(message.sender)
  const id = message.messageId
  if (typeof id === 'string' && id.length > 0) {
    const scope = idScope(receiver, sender)
    if (id.length <= MAX_RAW_ID_LENGTH) return [scope, id]
    return [scope, `h${toHex(blake2b(encoder.encode(id), { dkLen: 32 }))}`]
  }
  const bytes =
    plaintext ??
    encoder.encode(
      JSON.stringify({ sender: message.sender, createdAt: message.createdAt, messageId: message.messageId }),
    )
  return [scopeOf(receiver, sender, '#'), toHex(blake2b(bytes, { dkLen: 32 }))]
}

/** The store key of a message: `<receiver address>><sender address>|<messageId>` (see {@link replayKeyParts}). */
export function replayKey(message: ReplayCheckInput, plaintext: Uint8Array | undefined): string {
  const [scope, id] = replayKeyParts(message, plaintext)
  return scope + id
}

/**
 * How long ids are kept when the freshness check is relaxed: the window no longer bounds how old an
 * accepted message may be, so ids must outlive it (a week, or the window when that is longer).
 */
export const RELAXED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000

/** The synchronous-when-possible check behind each guard made here (the message layer's fast path). */
const inlineChecks = new WeakMap<object, InlineCheck>()

/**
 * Runs a check; returns `undefined` when it completed synchronously, else a promise. Throws like
 * `check`. The subjects, when given, are those of `message.receiver` and `message.sender` (the
 * message layer has parsed both DIDs already).
 */
export type InlineCheck = (
  message: ReplayCheckInput,
  context: ReplayCheckContext,
  receiverSubject?: string,
  senderSubject?: string,
) => Promise<void> | undefined

/** The inline check of a guard made by {@link guard}, or undefined for any other guard object. */
export function inlineCheckOf(g: object): InlineCheck | undefined {
  return inlineChecks.get(g)
}

function replayed(): MessagingError {
  return new MessagingError('ERR_MESSAGE_REPLAYED', 'The message was already received')
}

/**
 * @param shared - the retention state of guards of other windows over the same store (see
 *   `shared-retention`); without it, ids live exactly as long as this guard's window accepts them
 */
export function guard(
  store: ReplayStore,
  maxAgeMs: number,
  maxFutureSkewMs: number,
  clock: () => number,
  shared?: RetentionState,
): ReplayGuard {
  const markParts = partsMarkerOf(store)
  const inline: InlineCheck = (message, context, receiverSubject, senderSubject) => {
    if (typeof message !== 'object' || message === null)
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"message" expected an object')
    const now = context.now === undefined ? readClock(clock) : context.now
    if (typeof now !== 'number' || !Number.isFinite(now))
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"context.now" expected a finite number')
    let expiresAt: number
    if (context.freshness === false) {
      const window = shared === undefined ? maxAgeMs : Math.max(maxAgeMs, widestRetention(shared))
      expiresAt = Math.ceil(now) + Math.max(window, RELAXED_RETENTION_MS) + 1
    } else {
      assertFresh(message.createdAt, now, maxAgeMs, maxFutureSkewMs)
      // Live exactly as long as the window would still accept this createdAt (integer ms: stores
      // keep integers, and a fractional createdAt from a peer must not turn into an options error).
      expiresAt =
        shared === undefined
          ? Math.ceil(message.createdAt as number) + maxAgeMs + 1
          : retentionExpiry(shared, message.createdAt as number, now, maxAgeMs, maxFutureSkewMs)
    }
    const [scope, id] = replayKeyParts(message, context.plaintext, receiverSubject, senderSubject)
    // A synchronous store (the memory store) answers a boolean: no await, no extra microtask. The
    // memory store takes the key in its two parts (no concatenated copy kept per id).
    const marked =
      markParts === undefined
        ? store.markIfNew(scope + id, expiresAt, now)
        : markParts(scope, id, expiresAt, now)
    if (typeof marked === 'boolean') {
      if (!marked) throw replayed()
      return undefined
    }
    return Promise.resolve(marked).then((fresh) => {
      if (fresh !== true) throw replayed()
    })
  }
  const g: ReplayGuard = {
    maxAgeMs,
    maxFutureSkewMs,
    async check(message: ReplayCheckInput, context: ReplayCheckContext = {}): Promise<void> {
      const pending = inline(message, context ?? {})
      if (pending !== undefined) await pending
    },
  }
  inlineChecks.set(g, inline)
  return g
}
