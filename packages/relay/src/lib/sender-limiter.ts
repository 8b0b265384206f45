/**
 * @module lib/sender-limiter
 * Deposit rate limits, in memory (per instance): fixed-window counters keyed by (client IP,
 * receiver mailbox) and by receiver mailbox (all senders together). Never keyed by the envelope's
 * `senderKeyUri`: it is unauthenticated, so varying it would bypass a limit and naming someone
 * else's would block them. Each table is dropped at every window boundary and holds at most
 * `maxEntries` keys; past that, keys not yet counted in the window pass (the per-IP request limit
 * still applies) rather than refusing every new sender or mailbox.
 */

/** Most keys one window table holds. */
export const MAX_LIMITER_ENTRIES = 500_000

/** A fixed-window counter per key. */
export class WindowLimiter {
  readonly #max: number
  readonly #windowMs: number
  readonly #maxEntries: number
  #windowStart = 0
  #counts = new Map<string, number>()

  /**
   * @param max - units allowed per key per window (0 or less disables the limit)
   * @param windowMs - window length in ms
   * @param maxEntries - most keys tracked per window
   */
  constructor(max: number, windowMs: number, maxEntries = MAX_LIMITER_ENTRIES) {
    this.#max = max
    this.#windowMs = windowMs
    this.#maxEntries = maxEntries
  }

  #roll(now: number): void {
    if (now - this.#windowStart >= this.#windowMs || now < this.#windowStart) {
      this.#windowStart = now
      this.#counts = new Map()
    }
  }

  /** True when `n` units fit in an empty window: false means a request of `n` can never pass. */
  fitsEver(n: number): boolean {
    return this.#max <= 0 || n <= this.#max
  }

  /** True when `n` more units for `key` fit in the current window (takes nothing). */
  allows(key: string, n: number, now: number): boolean {
    if (this.#max <= 0) return true
    this.#roll(now)
    return (this.#counts.get(key) ?? 0) + n <= this.#max
  }

  /** Counts `n` units for `key` (after {@link allows} said they fit). */
  add(key: string, n: number, now: number): void {
    if (this.#max <= 0) return
    this.#roll(now)
    const used = this.#counts.get(key)
    if (used === undefined && this.#counts.size >= this.#maxEntries) return
    this.#counts.set(key, (used ?? 0) + n)
  }

  /**
   * Takes `n` units from the key's budget. Returns false (taking nothing) when that would exceed
   * the limit.
   */
  take(key: string, n: number, now: number): boolean {
    if (!this.allows(key, n, now)) return false
    this.add(key, n, now)
    return true
  }
}

/** Which deposit limit refused a request. */
export type DepositRefusal = 'ip-mailbox' | 'mailbox'

/** Deposit limits per (client IP, mailbox) and per mailbox. */
export class DepositLimiter {
  readonly #perIpMailbox: WindowLimiter
  readonly #perMailbox: WindowLimiter

  /**
   * @param ipMailboxMax - deposits per client IP per mailbox per window (0 disables)
   * @param mailboxMax - deposits per mailbox per window, all senders together (0 disables)
   * @param windowMs - window length in ms
   */
  constructor(ipMailboxMax: number, mailboxMax: number, windowMs: number, maxEntries = MAX_LIMITER_ENTRIES) {
    this.#perIpMailbox = new WindowLimiter(ipMailboxMax, windowMs, maxEntries)
    this.#perMailbox = new WindowLimiter(mailboxMax, windowMs, maxEntries)
  }

  /**
   * The limit that one request's deposits (mailbox → count) exceed on their own, in any window: such
   * a request would be refused with 429 forever, so it is refused as malformed instead.
   * @returns null when every count fits an empty window
   */
  exceededOutright(perMailbox: ReadonlyMap<string, number>): { limit: DepositRefusal; count: number } | null {
    for (const n of perMailbox.values()) {
      if (!this.#perIpMailbox.fitsEver(n)) return { limit: 'ip-mailbox', count: n }
      if (!this.#perMailbox.fitsEver(n)) return { limit: 'mailbox', count: n }
    }
    return null
  }

  /**
   * Takes one request's deposits (mailbox → count) from the budgets of `ip`. All or nothing: when
   * any budget would be exceeded nothing is taken and the refusing limit is returned.
   * @returns null when taken
   */
  take(ip: string, perMailbox: ReadonlyMap<string, number>, now: number): DepositRefusal | null {
    for (const [mailbox, n] of perMailbox) {
      if (!this.#perIpMailbox.allows(`${ip}\n${mailbox}`, n, now)) return 'ip-mailbox'
      if (!this.#perMailbox.allows(mailbox, n, now)) return 'mailbox'
    }
    for (const [mailbox, n] of perMailbox) {
      this.#perIpMailbox.add(`${ip}\n${mailbox}`, n, now)
      this.#perMailbox.add(mailbox, n, now)
    }
    return null
  }
}
