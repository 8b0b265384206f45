/**
 * @module lib/live
 * WebSocket live delivery of one mailbox. Sends the queued envelopes, then new ones as the store
 * announces deposits (`onDeposit`, cross-instance for PostgreSQL). At most `window` envelopes are
 * in flight un-acked (flow control); un-acked envelopes stay queued and are sent again on the next
 * connection. A session keeps a cursor: every message of the mailbox up to it was sent in this
 * session (or is gone). A new deposit lists only after the cursor: the stores make ids after the
 * newest id a mailbox ever held while holding its write lock, so within a mailbox id order is commit
 * order and nothing committed later can sort before the cursor. A full rescan from the start (which
 * also frees window slots of ids acked elsewhere or expired) runs at start and on the heartbeat only:
 * an ack never triggers one (an ack freeing nothing would otherwise read the whole mailbox per frame).
 */
import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import type { MailboxStore } from '../store/types.js'
import type { RelayMetrics } from './metrics.js'

/** Dependencies of a live session. */
export interface LiveDeps {
  readonly store: MailboxStore
  readonly clock: () => number
  readonly metrics: RelayMetrics
  readonly log: FastifyBaseLogger
  /** Most envelopes in flight un-acked. */
  readonly window: number
  /** Most ids in one `ack` frame. */
  readonly maxAckIds: number
  /** Bytes buffered on the socket above which sending waits for the socket to drain. */
  readonly highWaterMark: number
  /** Bytes buffered on the socket above which it is closed with 1013 (the client does not read). */
  readonly maxBuffered: number
  /** Most envelope bytes read from the store per page (one larger envelope comes alone); default unbounded. */
  readonly maxPageBytes?: number
}

const PAGE = 200
const ID_MAX_LENGTH = 128

/** One authenticated live session. */
export class LiveSession {
  readonly mailbox: string
  readonly #socket: WebSocket
  readonly #deps: LiveDeps
  readonly #sent = new Set<string>()
  /** Every message of the mailbox with an id <= this was sent in this session or is gone. */
  #cursor: string | undefined
  #pumping = false
  #again = false
  #wantFull = false
  #closed = false

  constructor(socket: WebSocket, mailbox: string, deps: LiveDeps) {
    this.#socket = socket
    this.mailbox = mailbox
    this.#deps = deps
  }

  /** True once the socket is closing or closed. */
  get closed(): boolean {
    return this.#closed
  }

  /** Marks the session closed; pending pumps stop at their next step. */
  markClosed(): void {
    this.#closed = true
  }

  /** A deposit landed in this mailbox: sends what follows the cursor. */
  notify(): void {
    // With a full window nothing could be sent; acks (or the heartbeat) pump again.
    if (this.#sent.size >= this.#deps.window) return
    void this.#run(false)
  }

  /** Rescans the whole mailbox and sends every queued envelope not yet sent, within the window. */
  pump(): Promise<void> {
    return this.#run(true)
  }

  async #run(full: boolean): Promise<void> {
    if (full) this.#wantFull = true
    if (this.#pumping) {
      this.#again = true
      return
    }
    this.#pumping = true
    try {
      do {
        this.#again = false
        const wantFull = this.#wantFull
        this.#wantFull = false
        await (wantFull ? this.#scan() : this.#scanNew())
      } while (this.#again && !this.#closed)
    } catch (e) {
      this.#deps.log.warn({ err: e }, 'live delivery failed')
      this.close(1011, 'internal error')
    } finally {
      this.#pumping = false
    }
  }

  async #scan(): Promise<void> {
    const { store, metrics, window } = this.#deps
    const seen = new Set<string>()
    let after: string | undefined
    // Until the first message the window had no room for, everything listed was sent.
    let blocked = false
    let cursor: string | undefined
    for (;;) {
      if (this.#closed) return
      const page = await store.list(this.mailbox, this.#pageOptions(after))
      for (const m of page) {
        seen.add(m.id)
        if (!this.#sent.has(m.id)) {
          if (this.#sent.size >= window) {
            blocked = true
            continue
          }
          if (this.#closed) return
          await this.#deliver(m.id, m.envelope)
          metrics.deliveries.ws++
        }
        if (!blocked) cursor = m.id
      }
      // A page cut by bytes is short too: only an empty one ends the mailbox (one query more per scan).
      if (page.length === 0) break
      after = page[page.length - 1]!.id
    }
    // A full scan is authoritative (an unsent id found below the old cursor moves it back).
    if (blocked || cursor !== undefined) this.#cursor = cursor
    // Ids acked elsewhere (HTTP, another instance) or expired no longer hold window slots.
    for (const id of this.#sent) if (!seen.has(id)) this.#sent.delete(id)
  }

  /** Sends what follows the cursor, within the window. */
  async #scanNew(): Promise<void> {
    const { store, metrics, window } = this.#deps
    for (;;) {
      if (this.#closed || this.#sent.size >= window) return
      const page = await store.list(this.mailbox, this.#pageOptions(this.#cursor))
      for (const m of page) {
        if (!this.#sent.has(m.id)) {
          if (this.#closed || this.#sent.size >= window) return
          await this.#deliver(m.id, m.envelope)
          metrics.deliveries.ws++
        }
        if (this.#cursor === undefined || m.id > this.#cursor) this.#cursor = m.id
      }
      // A short page may also be one cut by bytes: the rest follows on the next deposit, on the acks
      // of what was just sent (each frees a slot and sends more) or at the heartbeat's rescan.
      if (page.length < PAGE) return
    }
  }

  /** The options of one page read after `after`: `PAGE` envelopes and at most `maxPageBytes`. */
  #pageOptions(after: string | undefined): { after?: string; limit: number; now: number; maxBytes?: number } {
    const { clock, maxPageBytes } = this.#deps
    return {
      ...(after === undefined ? {} : { after }),
      limit: PAGE,
      now: clock(),
      ...(maxPageBytes === undefined ? {} : { maxBytes: maxPageBytes }),
    }
  }

  #deliver(id: string, envelope: string): Promise<void> {
    this.#sent.add(id)
    // The stored envelope is JSON the relay wrote itself: it is spliced in without re-parsing.
    return this.#send(`{"type":"message","id":${JSON.stringify(id)},"envelope":${envelope}}`)
  }

  /**
   * Sends a reply frame (pong, acked, error) without waiting. A client that floods frames and never
   * reads would grow the send buffer without bound: past `maxBuffered` the socket is closed (1013).
   * @returns false when the socket is not open or was closed for it
   */
  #reply(data: string): boolean {
    if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) return false
    if (this.#socket.bufferedAmount + data.length > this.#deps.maxBuffered) {
      this.close(1013, 'client too slow')
      return false
    }
    this.#socket.send(data)
    return true
  }

  #send(data: string): Promise<void> {
    if (this.#socket.bufferedAmount + data.length > this.#deps.maxBuffered) {
      this.close(1013, 'client too slow')
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      let waited = false
      this.#socket.send(data, () => {
        if (waited) resolve()
      })
      if (this.#socket.bufferedAmount > this.#deps.highWaterMark) waited = true
      else resolve()
    })
  }

  /**
   * Handles one frame from the client (already authenticated). The caller runs the frames of one
   * session one at a time (never two `store.ack` of one socket concurrently).
   */
  async onFrame(raw: string): Promise<void> {
    if (this.#closed) return
    let frame: unknown
    try {
      frame = JSON.parse(raw)
    } catch {
      this.sendError('ERR_REQUEST_INVALID', 'frame is not JSON')
      return
    }
    const f = (typeof frame === 'object' && frame !== null ? frame : {}) as Record<string, unknown>
    if (f.type === 'ack') {
      const ids = checkIds(f.ids, this.#deps.maxAckIds)
      if (ids === null) {
        this.sendError('ERR_REQUEST_INVALID', `"ids" must be 1..${this.#deps.maxAckIds} id strings`)
        return
      }
      const deleted = await this.#deps.store.ack(this.mailbox, ids)
      this.#deps.metrics.acks += deleted
      let freed = 0
      for (const id of ids) if (this.#sent.delete(id)) freed++
      if (!this.#reply(JSON.stringify({ type: 'acked', ids, deleted }))) return
      // Only an ack that freed window slots sends more (what follows the cursor). One that freed
      // none (made-up ids, ids of another session) changes nothing here and must not cost a rescan
      // of the whole mailbox; slots held by ids acked elsewhere are freed by the heartbeat's rescan.
      if (freed > 0) void this.#run(false)
      return
    }
    if (f.type === 'ping') {
      this.#reply('{"type":"pong"}')
      return
    }
    this.sendError('ERR_REQUEST_INVALID', 'unknown frame type')
  }

  /** Sends an error frame (closing the socket instead when its send buffer is over `maxBuffered`). */
  sendError(code: string, message: string): void {
    this.#reply(JSON.stringify({ type: 'error', error: { code, message } }))
  }

  /** Closes the socket. */
  close(code: number, reason: string): void {
    this.#closed = true
    if (this.#socket.readyState === this.#socket.OPEN || this.#socket.readyState === this.#socket.CONNECTING)
      this.#socket.close(code, reason)
  }
}

/**
 * Checks a list of message ids from a client.
 * @returns the ids, or null when malformed
 */
export function checkIds(ids: unknown, max: number): string[] | null {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > max) return null
  for (const id of ids)
    if (typeof id !== 'string' || id.length === 0 || id.length > ID_MAX_LENGTH) return null
  return ids as string[]
}
