/**
 * @module web/verify
 * Opens one inbox envelope and reports each check separately for the page: sender authenticity
 * (decryption + the sender owns the key), freshness (createdAt against this device's clock: the
 * relay's `receivedAt` is not authenticated and is never used), replay (message id seen before,
 * remembered in IndexedDB across reloads), body validity (the 18 body schemas + owner is sender).
 */
import {
  type DecryptedMessage,
  decryptMessage,
  didSubject,
  ensureOwnerIsSender,
  isMessagingError,
  type Keyring,
  verifyMessageBody,
} from '@kilt-messaging/core'
import { memorySeenStore, type SeenStore } from './seen-store.js'

/** One check's outcome. */
export interface Check {
  readonly ok: boolean
  readonly label: string
  readonly detail: string
  readonly code?: string
}

/** An opened envelope. */
export type Opened =
  | {
      readonly status: 'ok' | 'warn'
      readonly decrypted: DecryptedMessage
      readonly checks: readonly Check[]
    }
  | { readonly status: 'rejected'; readonly code: string; readonly reason: string }

/** Freshness window: createdAt at most this long before this device's clock (as the CLI: 7 days). */
export const FRESHNESS_MS = 7 * 86_400_000
/** Tolerated sender clock skew into the future (as the CLI: 2 minutes). */
export const FUTURE_SKEW_MS = 120_000

/** The key of the replay record: (sender subject, messageId). */
function seenKey(sender: string, messageId: string): string {
  let subject: string
  try {
    subject = didSubject(sender)
  } catch {
    subject = sender
  }
  return `${subject}\n${messageId}`
}

/** A verifier: `verify(envelope, relayId, now?)`, and `acked(envelope's message)` after an ack. */
export interface Verifier {
  (envelope: unknown, relayId: string, now?: number): Promise<Opened>
  /** Records that a verified message was acknowledged: a later delivery is a replay. */
  acked(decrypted: DecryptedMessage): Promise<void>
}

/**
 * A verifier for one receiving identity.
 * @param seen - the replay record (persist it: `indexedDbSeenStore(did)`); default in memory
 */
export function createVerifier(keys: Keyring, seen: SeenStore = memorySeenStore()): Verifier {
  const verify = async (envelope: unknown, relayId: string, now = Date.now()): Promise<Opened> => {
    let decrypted: DecryptedMessage
    try {
      decrypted = await decryptMessage(envelope, {
        keys,
        replay: false,
        relax: { freshness: true, bodyValidation: true },
      })
    } catch (e) {
      if (isMessagingError(e)) {
        const reason =
          e.code === 'ERR_KEY_UNAVAILABLE'
            ? 'Not for me: this message is encrypted to a key this identity does not hold.'
            : e.code === 'ERR_DECRYPTION_FAILED'
              ? 'Tampered or corrupted: the ciphertext does not authenticate.'
              : e.message
        return { status: 'rejected', code: e.code, reason }
      }
      return { status: 'rejected', code: 'ERR_UNKNOWN', reason: String(e) }
    }
    const m = decrypted.message
    // Body validation is relaxed above (an invalid body is shown with a failed check), but a body that
    // is not even an object with a string type cannot be shown at all: rejected, and can be acknowledged.
    const body: unknown = m.body
    if (typeof body !== 'object' || body === null || typeof (body as { type?: unknown }).type !== 'string')
      return {
        status: 'rejected',
        code: 'ERR_BODY_INVALID',
        reason: 'The body is not an object with a string "type".',
      }
    const checks: Check[] = [
      {
        ok: true,
        label: 'Sender',
        detail: `Authenticated: encrypted with the key agreement key of ${m.sender.slice(0, 40)}…`,
      },
    ]
    // Judged by this device's clock only: the relay's receivedAt is not authenticated.
    const fresh = typeof m.createdAt === 'number' && now - m.createdAt <= FRESHNESS_MS
    if (typeof m.createdAt !== 'number')
      checks.push({ ok: false, label: 'Freshness', detail: 'No creation time', code: 'ERR_MESSAGE_STALE' })
    else if (m.createdAt > now + FUTURE_SKEW_MS)
      checks.push({
        ok: false,
        label: 'Freshness',
        detail: 'Created in the future (by this device’s clock)',
        code: 'ERR_MESSAGE_FUTURE',
      })
    else if (!fresh)
      checks.push({
        ok: false,
        label: 'Freshness',
        detail: `Created ${Math.round((now - m.createdAt) / 86_400_000)} days ago (older than 7 days)`,
        code: 'ERR_MESSAGE_STALE',
      })
    else
      checks.push({
        ok: true,
        label: 'Freshness',
        detail: 'Created within the last 7 days (by this device’s clock)',
      })
    if (typeof m.messageId !== 'string')
      checks.push({
        ok: false,
        label: 'Replay',
        detail: 'No message id: replays cannot be detected',
        code: 'ERR_MESSAGE_INVALID',
      })
    else {
      try {
        // Remembered for the freshness window from now: past it, the message is stale anyway.
        const found = await seen.see(
          seenKey(m.sender, m.messageId),
          relayId,
          now + FRESHNESS_MS + FUTURE_SKEW_MS,
          now,
        )
        if (found === 'replayed')
          checks.push({
            ok: false,
            label: 'Replay',
            detail: 'This message id was delivered before',
            code: 'ERR_MESSAGE_REPLAYED',
          })
        else
          checks.push({
            ok: true,
            label: 'Replay',
            detail:
              found === 'new' ? 'First delivery of this message id' : 'Still queued since its first delivery',
          })
      } catch (e) {
        checks.push({
          ok: false,
          label: 'Replay',
          detail: `Replay record unavailable: ${String(e)}`,
          code: 'ERR_REPLAY_STORE_UNAVAILABLE',
        })
      }
    }
    try {
      verifyMessageBody(m.body)
      ensureOwnerIsSender(m)
      checks.push({ ok: true, label: 'Body', detail: `Valid ${m.body.type} body` })
    } catch (e) {
      checks.push({
        ok: false,
        label: 'Body',
        detail: e instanceof Error ? e.message : String(e),
        code: isMessagingError(e) ? e.code : 'ERR_BODY_INVALID',
      })
    }
    return { status: checks.every((c) => c.ok) ? 'ok' : 'warn', decrypted, checks }
  }
  return Object.assign(verify, {
    async acked(decrypted: DecryptedMessage): Promise<void> {
      const m = decrypted.message
      if (typeof m.messageId === 'string') await seen.acked(seenKey(m.sender, m.messageId))
    },
  })
}
