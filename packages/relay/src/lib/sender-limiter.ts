/**
 * @module lib/sender-limiter
 * Deposit rate limits, in memory (per instance): fixed-window counters keyed by (client IP,
 * receiver mailbox) and by receiver mailbox (all senders together). Never keyed by the envelope's
 * `senderKeyUri`: it is unauthenticated, so varying it would bypass a limit and naming someone
 * else's would block them. Each table is dropped at every window boundary and holds at most
 * `maxEntries` keys; past that, keys not yet counted in the window pass (the per-IP request limit
 * still applies) rather than refusing every new sender or mailbox.
 *
 * A request's deposits are taken before the store is called (so concurrent requests cannot all pass
 * the same remaining budget) and what the store then did not store (a full mailbox, a store outage)
 * is given back, into the window it was taken from only.
 */

/** Most keys one window table holds. */
export const MAX_LIMITER_ENTRIES = 500_000

/** A fixed-window counter per key. */
export class WindowLimiter {
  readonly #max: number
  readonly #windowMs: number
  readonly #maxEntries: number
  #windowStart = 0
  /** Counts windows: what was taken in one window is never given back into a later one. */
  #generation = 0
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
      this.#generation++
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

  /**
   * Counts `n` units for `key` (after {@link allows} said they fit).
   * @returns the window they were counted in, for {@link give}; null when nothing was counted (the
   *   limit is disabled, or the table is full and `key` is not in it)
   */
  add(key: string, n: number, now: number): number | null {
    if (this.#max <= 0) return null
    this.#roll(now)
    const used = this.#counts.get(key)
    if (used === undefined && this.#counts.size >= this.#maxEntries) return null
    this.#counts.set(key, (used ?? 0) + n)
    return this.#generation
  }

  /**
   * Gives back up to `n` units that {@link add} counted for `key` in window `window`. Nothing when
   * that window has ended: a later window never gets more than its own budget.
   */
  give(key: string, n: number, window: number): void {
    if (window !== this.#generation || n <= 0) return
    const used = this.#counts.get(key)
    if (used === undefined) return
    if (used <= n) this.#counts.delete(key)
    else this.#counts.set(key, used - n)
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

/** One count taken by {@link DepositLimiter.take}: where, how much is left to give back, which window. */
interface Taken {
  readonly limiter: WindowLimiter
  readonly key: string
  readonly window: number
  held: number
}

/**
 * The deposits one request took from the budgets ({@link DepositLimiter.take}). Once the store
 * answered, {@link refund} gives back those it did not store.
 */
export class DepositTicket {
  readonly #taken: ReadonlyMap<string, readonly Taken[]>

  /** @internal made by {@link DepositLimiter.take} */
  constructor(taken: ReadonlyMap<string, readonly Taken[]>) {
    this.#taken = taken
  }

  /**
   * Gives back deposits that were not stored (mailbox → count), never more than this ticket took
   * for a mailbox (however often it is called), and only into the window they were taken in.
   *
   * @param unstored - mailbox → deposits of this request the store did not store
   * @example
   * ticket.refund(new Map([[mailbox, 1]])) // one deposit hit a full mailbox
   */
  refund(unstored: ReadonlyMap<string, number>): void {
    for (const [mailbox, n] of unstored) {
      for (const t of this.#taken.get(mailbox) ?? []) {
        const back = Math.min(n, t.held)
        if (back <= 0) continue
        t.held -= back
        t.limiter.give(t.key, back, t.window)
      }
    }
  }
}

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
   * any budget would be exceeded nothing is taken and the refusing limit is returned. Checking and
   * taking happen in one synchronous step, so concurrent requests never share a remaining budget.
   * @returns the ticket to give back what the store did not store, or the refusing limit
   * @example
   * const taken = limiter.take(request.ip, new Map([[mailbox, 1]]), now)
   * if (typeof taken === 'string') throw new RelayError('ERR_RATE_LIMITED', '…')
   */
  take(ip: string, perMailbox: ReadonlyMap<string, number>, now: number): DepositRefusal | DepositTicket {
    for (const [mailbox, n] of perMailbox) {
      if (!this.#perIpMailbox.allows(`${ip}\n${mailbox}`, n, now)) return 'ip-mailbox'
      if (!this.#perMailbox.allows(mailbox, n, now)) return 'mailbox'
    }
    const taken = new Map<string, Taken[]>()
    for (const [mailbox, n] of perMailbox) {
      const counted: Taken[] = []
      for (const [limiter, key] of [
        [this.#perIpMailbox, `${ip}\n${mailbox}`],
        [this.#perMailbox, mailbox],
      ] as const) {
        const window = limiter.add(key, n, now)
        if (window !== null) counted.push({ limiter, key, window, held: n })
      }
      taken.set(mailbox, counted)
    }
    return new DepositTicket(taken)
  }
}
