/**
 * @module store/lib/pg-listener
 * A dedicated PostgreSQL connection that LISTENs on one channel and reconnects (with capped
 * exponential back-off) whenever the connection drops. Notifications sent while it was down are lost
 * (LISTEN/NOTIFY keeps no backlog); listeners treat a notification as a hint to look, not as data.
 */

import pg from 'pg'
import { quoteIdent } from './postgres-schema.js'

/** Options of {@link PgListener}. */
export interface PgListenerOptions {
  readonly connectionString: string
  readonly channel: string
  /** Called with each notification's payload and the sending backend's process id. */
  readonly onNotify: (payload: string, processId: number) => void
}

const MIN_BACKOFF_MS = 50
const MAX_BACKOFF_MS = 5000

/** One LISTEN connection with reconnection. */
export class PgListener {
  readonly #options: PgListenerOptions
  #client: pg.Client | undefined
  #stopped = false
  #backoff = MIN_BACKOFF_MS
  #timer: NodeJS.Timeout | undefined
  #connects = 0

  constructor(options: PgListenerOptions) {
    this.#options = options
  }

  /** How many times the connection was (re)established. */
  get connects(): number {
    return this.#connects
  }

  /** True while the LISTEN connection is up. */
  get connected(): boolean {
    return this.#client !== undefined
  }

  /** Connects and LISTENs; rejects if the first attempt fails. */
  async start(): Promise<void> {
    await this.#connect()
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      application_name: 'kilt-relay-listener',
    })
    let dropped = false
    const onDrop = () => {
      if (dropped) return
      dropped = true
      if (this.#client === client) this.#client = undefined
      client.removeAllListeners('notification')
      client.end().catch(() => undefined)
      this.#schedule()
    }
    client.on('error', onDrop)
    client.on('end', onDrop)
    client.on('notification', (n: pg.Notification) => {
      if (n.channel === this.#options.channel && n.payload !== undefined) {
        this.#options.onNotify(n.payload, n.processId)
      }
    })
    try {
      await client.connect()
      await client.query(`LISTEN ${quoteIdent(this.#options.channel)}`)
    } catch (e) {
      dropped = true
      client.removeAllListeners()
      client.on('error', () => undefined)
      await client.end().catch(() => undefined)
      throw e
    }
    if (this.#stopped) {
      dropped = true
      await client.end().catch(() => undefined)
      return
    }
    this.#client = client
    this.#connects += 1
    this.#backoff = MIN_BACKOFF_MS
  }

  #schedule(): void {
    if (this.#stopped || this.#timer !== undefined) return
    const delay = this.#backoff
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#connect().catch(() => this.#schedule())
    }, delay)
    this.#timer.unref()
  }

  /** Stops listening and closes the connection. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    const client = this.#client
    this.#client = undefined
    if (client !== undefined) {
      client.removeAllListeners('end')
      client.removeAllListeners('notification')
      await client.end().catch(() => undefined)
    }
  }
}
