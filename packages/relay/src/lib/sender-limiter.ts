/**
 * @module lib/sender-limiter
 * Per-sender-key deposit rate limit: a fixed window counter per `senderKeyUri`, in memory (per
 * instance). The table is dropped at every window boundary, so its size is bounded by the distinct
 * senders seen in one window, which the per-IP limit bounds in turn.
 */

/** A fixed-window counter keyed by sender key URI. */
export class SenderLimiter {
  readonly #max: number
  readonly #windowMs: number
  #windowStart = 0
  #counts = new Map<string, number>()

  /**
   * @param max - deposits allowed per sender key per window (0 or less disables the limit)
   * @param windowMs - window length in ms
   */
  constructor(max: number, windowMs: number) {
    this.#max = max
    this.#windowMs = windowMs
  }

  /**
   * Takes `n` deposits from the sender's budget. Returns false (taking nothing) when that would
   * exceed the limit.
   */
  take(sender: string, n: number, now: number): boolean {
    if (this.#max <= 0) return true
    if (now - this.#windowStart >= this.#windowMs || now < this.#windowStart) {
      this.#windowStart = now
      this.#counts = new Map()
    }
    const used = this.#counts.get(sender) ?? 0
    if (used + n > this.#max) return false
    this.#counts.set(sender, used + n)
    return true
  }
}
