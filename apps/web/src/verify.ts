/**
 * @module web/verify
 * Opens one inbox envelope and reports each check separately for the page: sender authenticity
 * (decryption + the sender owns the key), freshness (createdAt against the relay's receipt time),
 * replay (message id seen before), body validity (the 18 body schemas + owner is sender).
 */
import {
  createReplayGuard,
  type DecryptedMessage,
  decryptMessage,
  ensureOwnerIsSender,
  isMessagingError,
  type Keyring,
  type ReplayGuard,
  verifyMessageBody,
} from '@kilt-messaging/core'

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

/** Freshness window: createdAt at most this long before the relay received the message. */
export const FRESHNESS_MS = 60_000

/** A verifier for one receiving identity (keeps the ids seen for replay detection). */
export function createVerifier(keys: Keyring): (envelope: unknown, now?: number) => Promise<Opened> {
  const replay: ReplayGuard = createReplayGuard({ maxAgeMs: 7 * 86_400_000, maxFutureSkewMs: 60_000 })
  return async (envelope, now = Date.now()) => {
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
    const checks: Check[] = [
      {
        ok: true,
        label: 'Sender',
        detail: `Authenticated: encrypted with the key agreement key of ${m.sender.slice(0, 40)}…`,
      },
    ]
    const at = decrypted.receivedAt ?? now
    if (typeof m.createdAt !== 'number')
      checks.push({ ok: false, label: 'Freshness', detail: 'No creation time', code: 'ERR_MESSAGE_STALE' })
    else if (m.createdAt > at + 60_000)
      checks.push({
        ok: false,
        label: 'Freshness',
        detail: 'Created in the future',
        code: 'ERR_MESSAGE_FUTURE',
      })
    else if (at - m.createdAt > FRESHNESS_MS)
      checks.push({
        ok: false,
        label: 'Freshness',
        detail: `Created ${Math.round((at - m.createdAt) / 1000)} s before the relay received it`,
        code: 'ERR_MESSAGE_STALE',
      })
    else checks.push({ ok: true, label: 'Freshness', detail: 'Created within 60 s of its receipt' })
    try {
      await replay.check(m, { now })
      checks.push({ ok: true, label: 'Replay', detail: 'First delivery of this message id' })
    } catch (e) {
      const code = isMessagingError(e) ? e.code : 'ERR_UNKNOWN'
      checks.push({
        ok: false,
        label: 'Replay',
        detail: code === 'ERR_MESSAGE_REPLAYED' ? 'This message id was delivered before' : String(e),
        code,
      })
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
}
