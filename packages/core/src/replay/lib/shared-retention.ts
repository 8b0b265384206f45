/**
 * @module replay/lib/shared-retention
 * Guards of different windows over one store (`decryptMessage`'s default guard serves every
 * `maxAgeMs`/`maxFutureSkewMs` a caller passes). Each guard alone keeps an id exactly as long as its
 * own window accepts the message; sharing a store, a wider window must not accept a message whose
 * id a narrower one has already let go. So ids are kept for the widest window used so far, and a
 * message is refused when an earlier acceptance of it may have been recorded while the retention
 * was still shorter than its age now.
 */
import { MessagingError } from '../../errors.js'

/** The retention of guards sharing one store. */
export interface SharedRetention {
  /**
   * Records that a guard with these bounds checks a message at `now`, then answers when the id of
   * a message created at `createdAt` (fresh for that guard) must expire in the store.
   * @throws MessagingError ERR_MESSAGE_STALE when an earlier acceptance of this message may have been
   *   recorded under a retention that has run out by `now`
   */
  expiryFor(createdAt: number, now: number, maxAgeMs: number, maxFutureSkewMs: number): number
  /** The retention in force now (the widest `maxAgeMs` seen), for relaxed-freshness marks. */
  readonly retentionMs: number
}

export function sharedRetention(): SharedRetention {
  // Retention in force from `since` on; each step wider than the one before. In practice one step
  // per distinct window an application uses.
  const since: number[] = []
  const retention: number[] = []
  let maxSkew = 0

  /** The retention in force at time `t` (from the first check on). */
  function retentionAt(t: number): number {
    for (let i = since.length - 1; i > 0; i--) if (since[i]! <= t) return retention[i]!
    return retention[0]!
  }

  return {
    get retentionMs() {
      return retention.length === 0 ? 0 : retention[retention.length - 1]!
    },
    expiryFor(createdAt, now, maxAgeMs, maxFutureSkewMs) {
      if (retention.length === 0 || maxAgeMs > retention[retention.length - 1]!) {
        since.push(now)
        retention.push(maxAgeMs)
      }
      if (maxFutureSkewMs > maxSkew) maxSkew = maxFutureSkewMs
      const created = Math.ceil(createdAt)
      // The earliest moment this message can have been accepted before is `createdAt - maxSkew`,
      // and not before the first check of all; its id then lived for the retention in force at
      // that moment (at least).
      if (now >= created + retentionAt(Math.max(createdAt - maxSkew, since[0]!)) + 1)
        throw new MessagingError(
          'ERR_MESSAGE_STALE',
          'The message is older than the default replay guard remembered ids when it may first have arrived (a wider maxAgeMs was used later); pass a replay guard of that window',
        )
      return created + retention[retention.length - 1]! + 1
    },
  }
}
