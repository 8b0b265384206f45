/**
 * @module cli/lib/relay
 * Starting a relay (the relay package, loaded only when needed so other commands start fast)
 * and creating relay clients (with `ws` as the WebSocket on Node 20).
 */
import { createRelayClient, type RelayClient, type WebSocketConstructor } from '@kilt-messaging/core'
import { CliError } from './errors.js'

/** A running relay. */
export interface RunningRelay {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  /** Closes the server, then the store. */
  close(): Promise<void>
}

/** Options of {@link startRelay}. */
export interface StartRelayOptions {
  /** SQLite file. */
  readonly db?: string
  /** PostgreSQL connection string (instead of `db`). */
  readonly postgres?: string
  readonly port: number
  readonly host: string
  /** Log JSON requests to stdout (pino). Default false. */
  readonly log?: boolean
}

/**
 * Starts the relay of `@kilt-messaging/relay` on a store.
 *
 * @throws CliError ERR_USAGE for a port in use or a bad address; the store's errors
 * @example
 * const relay = await startRelay({ db: 'relay.db', port: 0, host: '127.0.0.1' })
 */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  const relayPkg = await import('@kilt-messaging/relay')
  const store =
    options.postgres !== undefined
      ? relayPkg.openStore({ postgres: options.postgres })
      : relayPkg.openStore({ db: options.db ?? ':memory:' })
  let app: Awaited<ReturnType<typeof relayPkg.createRelay>>
  try {
    app = await relayPkg.createRelay(options.log ? { store } : { store, logger: false })
    await app.listen({ port: options.port, host: options.host })
  } catch (e) {
    await store.close().catch(() => {})
    const code = (e as { code?: string }).code
    if (code === 'EADDRINUSE') throw new CliError('ERR_USAGE', `port ${options.port} is in use`)
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new CliError('ERR_USAGE', `cannot listen on ${options.host}`)
    throw e
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${host}:${port}`,
    async close() {
      await app.close()
      await store.close()
    },
  }
}

/**
 * Checks a relay URL given by the user (flag, argument, environment or saved setting).
 * @param what - how the error names it, e.g. `--relay`
 * @returns `url` unchanged (undefined stays undefined)
 * @throws CliError ERR_USAGE unless it is an http(s) URL
 */
export function checkRelayUrl(url: string | undefined, what: string): string | undefined {
  if (url === undefined) return undefined
  try {
    const u = new URL(url)
    if (u.protocol === 'http:' || u.protocol === 'https:') return url
  } catch {}
  throw new CliError('ERR_USAGE', `${what} expected an http(s) URL, got "${url.slice(0, 80)}"`)
}

let wsCtor: WebSocketConstructor | undefined

/** The WebSocket constructor: the platform's, else the `ws` package. */
export async function webSocket(): Promise<WebSocketConstructor> {
  if (wsCtor !== undefined) return wsCtor
  const g = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  wsCtor = g ?? ((await import('ws')).WebSocket as unknown as WebSocketConstructor)
  return wsCtor
}

/** Whether `KILT_MSG_ALLOW_LOCAL_RELAY=1` asks to accept loopback/private/http relays found by discovery. */
export function allowLocalRelayFromEnv(): boolean {
  return process.env.KILT_MSG_ALLOW_LOCAL_RELAY === '1'
}

/**
 * A relay client for `url` (the own mailbox; also the fallback target of `send`).
 * @param live - with a WebSocket for `subscribe`
 * @param allowLocalDiscovery - accept discovered relay endpoints that are plain http or name a
 *   loopback/private address (the core client refuses them by default); for local demos and tests
 * @example
 * const client = await relayClient('http://127.0.0.1:8080')
 */
export async function relayClient(
  url: string | undefined,
  live = false,
  allowLocalDiscovery = false,
): Promise<RelayClient> {
  return createRelayClient({
    ...(url === undefined ? {} : { url }),
    ...(live ? { WebSocket: await webSocket() } : {}),
    ...(allowLocalDiscovery ? { allowInsecureDiscovery: true } : {}),
  })
}
