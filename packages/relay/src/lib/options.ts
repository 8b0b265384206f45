/**
 * @module lib/options
 * The relay's options, limits and their defaults.
 */
import { isIP } from 'node:net'
import type { DidResolver } from '@kilt-messaging/core'
import type { Logger } from 'pino'
import type { MailboxStore } from '../store/types.js'
import { invalidOption as invalid } from './errors.js'
import { publicOrigins } from './public-origins.js'

/** Operator limits. Every one has a safe default. */
export interface Limits {
  /** Largest stored envelope (JSON, bytes). Default 256 KiB. */
  readonly maxEnvelopeBytes: number
  /** Most envelopes in one batch deposit. Default 100. */
  readonly maxBatch: number
  /** Body limit of the deposit route (bytes; at least one envelope plus overhead). Default 4 MiB. */
  readonly maxRequestBytes: number
  /** Body limit of every other route (bytes). Default 16 KiB. */
  readonly maxSmallRequestBytes: number
  /** Most queued envelopes per mailbox. Default 10,000. */
  readonly mailboxMaxCount: number
  /** Most queued bytes per mailbox. Default 64 MiB. */
  readonly mailboxMaxBytes: number
  /** Largest `limit` of one inbox page. Default 500. */
  readonly maxPageSize: number
  /**
   * Most envelope bytes in one inbox page, and in one page a live session reads from the store (one
   * envelope larger than it still comes alone). Default
   * 4 MiB: half of what core's client reads by default, and a page never holds a whole mailbox.
   */
  readonly maxPageBytes: number
  /**
   * Most `GET /v1/inbox` requests of one mailbox in progress at once, per instance (each may hold a
   * page of up to `maxPageBytes` until it is sent); more are refused with 429. Default 4.
   */
  readonly maxConcurrentReadsPerMailbox: number
  /** Most ids in one ack. Default 1,000. */
  readonly maxAckIds: number
  /** Requests per IP per minute (0 disables). Default 6,000. */
  readonly ipRequestsPerMinute: number
  /**
   * Deposits per client IP into one receiver mailbox per minute, per instance (0 disables).
   * Default 60 (a mailbox's 10,000-message quota takes one IP about three hours).
   * Alias (deprecated): `senderDepositsPerMinute`.
   */
  readonly ipMailboxDepositsPerMinute: number
  /** Deposits into one receiver mailbox per minute from all senders, per instance (0 disables). Default 600. */
  readonly mailboxDepositsPerMinute: number
  /** Most authenticated live WebSocket sessions per instance. Default 10,000. */
  readonly maxLiveConnections: number
  /**
   * Most authenticated live WebSocket sessions of one mailbox per instance (a few devices of one
   * DID), so one token cannot take every session slot. Default 8.
   */
  readonly maxLiveSessionsPerMailbox: number
  /** Most live WebSockets of one client IP still waiting for their auth frame (10 s at most). Default 20. */
  readonly maxUnauthenticatedLivePerIp: number
  /** Most client frames per second on one live socket; more closes it with 1008. Default 1000 (a receiver acking 1,000 messages/s, one frame each, stays below it). */
  readonly liveFramesPerSecond: number
  /** Bytes buffered unsent on one live socket above which it is closed with 1013 (a client not reading). Default 4 MiB. */
  readonly liveMaxBufferedBytes: number
  /** Most envelopes in flight un-acked on one live session. Default 256. */
  readonly liveWindow: number
}

/** Default limits. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxEnvelopeBytes: 256 * 1024,
  maxBatch: 100,
  maxRequestBytes: 4 * 1024 * 1024,
  maxSmallRequestBytes: 16 * 1024,
  mailboxMaxCount: 10_000,
  mailboxMaxBytes: 64 * 1024 * 1024,
  maxPageSize: 500,
  maxPageBytes: 4 * 1024 * 1024,
  maxConcurrentReadsPerMailbox: 4,
  maxAckIds: 1000,
  ipRequestsPerMinute: 6000,
  ipMailboxDepositsPerMinute: 60,
  mailboxDepositsPerMinute: 600,
  maxLiveConnections: 10_000,
  maxLiveSessionsPerMailbox: 8,
  maxUnauthenticatedLivePerIp: 20,
  liveFramesPerSecond: 1000,
  liveMaxBufferedBytes: 4 * 1024 * 1024,
  liveWindow: 256,
})

/** Options of `createRelay`. */
export interface RelayOptions {
  /** The mailbox store (SQLite, PostgreSQL or in-memory). The caller owns it and closes it. */
  readonly store: MailboxStore
  /** Resolves login keys. Default: the offline light-DID resolver (full DIDs cannot log in). */
  readonly resolver?: DidResolver
  /**
   * Whether `resolver` resolves full DIDs (on chain, over HTTP, from a registry). Default: true
   * when `resolver` is given, false otherwise. Without one, deposits for a full-DID receiver are
   * refused (400 ERR_ENVELOPE_INVALID): the relay could not tell that the full DID rotated or
   * removed the authentication key its address encodes, so an old key would read the mailbox.
   */
  readonly resolvesFullDids?: boolean
  /** Overrides of {@link DEFAULT_LIMITS} (and the deprecated aliases of {@link LIMIT_ALIASES}). */
  readonly limits?: Partial<Limits> & { readonly senderDepositsPerMinute?: number }
  /** Current time in ms. Default `Date.now`. */
  readonly clock?: () => number
  /** A pino logger, or false for none. Default: pino at level `info` on stdout. */
  readonly logger?: Logger | false
  /** Bearer token lifetime (ms). Default 15 minutes. */
  readonly tokenTtlMs?: number
  /** Login challenge lifetime (ms). Default 2 minutes. */
  readonly challengeTtlMs?: number
  /** Message lifetime (ms). Default 7 days. */
  readonly messageTtlMs?: number
  /** Period of the expiry sweep (ms, 0 disables). Default 60 s. */
  readonly expireIntervalMs?: number
  /** Period of WebSocket heartbeat pings (ms). Default 30 s. */
  readonly heartbeatMs?: number
  /** Name of the deployment, bound into tokens. Default `'kilt-relay'`. */
  readonly deploymentId?: string
  /**
   * Allowed browser origins, each exactly as browsers send it (`https://app.example`,
   * `http://localhost:5173`: lower case, no path, no default port), or `'*'`; absent: no CORS headers.
   */
  readonly cors?: { readonly origins: readonly string[] | '*' }
  /**
   * Fastify `trustProxy` (client IPs from `X-Forwarded-For`, for the per-IP limit): true, or the
   * trusted proxies as comma-separated IPs, CIDRs (`10.0.0.0/8`) or `loopback`, `linklocal`,
   * `uniquelocal`. Default false.
   */
  readonly trustProxy?: boolean | string
  /**
   * The URL(s) clients reach this relay at (one, several comma-separated, or a list; each
   * normalized to its origin). Login challenges are bound only to these origins, and a challenge
   * request whose protocol + Host names another origin is refused (400). Default: the listen
   * address's origins (`http://127.0.0.1:<port>`, `http://localhost:<port>`, `http://[::1]:<port>`,
   * and `http://<address>:<port>` for a specific address), known once the server listens. Set it
   * whenever clients reach the relay by another name (a domain, a TLS proxy).
   */
  readonly publicUrl?: string | readonly string[]
  /**
   * A secret that `GET /metrics` requires as `Authorization: Bearer <token>` (16..256 characters).
   * Absent: `/metrics` is open (it shows counters and the total queue depth, no DIDs or mailboxes).
   */
  readonly metricsToken?: string
}

/** Options after defaults. */
export interface ResolvedRelayOptions {
  /** The mailbox store (checked to have every {@link MailboxStore} method). */
  readonly store: MailboxStore
  /** The login key resolver; undefined: the offline light-DID resolver. */
  readonly resolver: DidResolver | undefined
  readonly limits: Limits
  readonly clock: () => number
  /** The pino logger, false for none, undefined for the default (pino at `info`). */
  readonly logger: Logger | false | undefined
  readonly tokenTtlMs: number
  readonly challengeTtlMs: number
  readonly messageTtlMs: number
  readonly expireIntervalMs: number
  readonly heartbeatMs: number
  readonly deploymentId: string
  /** Allowed browser origins (a copy); undefined: no CORS headers. */
  readonly cors: { readonly origins: readonly string[] | '*' } | undefined
  readonly trustProxy: boolean | string
  /** Whether full DIDs are resolvable (deposits for full-DID receivers accepted). */
  readonly resolvesFullDids: boolean
  /** Normalized `publicUrl` origins; undefined: derived from the listen address. */
  readonly publicOrigins: readonly string[] | undefined
  /** The token `/metrics` requires, if any. */
  readonly metricsToken: string | undefined
}

/** Every option name of {@link RelayOptions}: any other name is refused. */
const OPTION_NAMES: ReadonlySet<string> = new Set<keyof RelayOptions>([
  'store',
  'resolver',
  'resolvesFullDids',
  'limits',
  'clock',
  'logger',
  'tokenTtlMs',
  'challengeTtlMs',
  'messageTtlMs',
  'expireIntervalMs',
  'heartbeatMs',
  'deploymentId',
  'cors',
  'trustProxy',
  'publicUrl',
  'metricsToken',
])

/** The methods a {@link MailboxStore} has. */
const STORE_METHODS = [
  'init',
  'deposit',
  'list',
  'ack',
  'usage',
  'expire',
  'depth',
  'onDeposit',
  'putChallenge',
  'takeChallenge',
  'deploymentSecret',
  'ping',
  'close',
] as const satisfies readonly (keyof MailboxStore)[]

/** The methods Fastify requires of a logger instance. */
const LOGGER_METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'child'] as const

/** Longest period of a timer (`setTimeout`/`setInterval` fire at once above it). */
const MAX_TIMER_MS = 2 ** 31 - 1
/** Longest message lifetime (100 years): receipt time plus it stays a safe integer. */
const MAX_MESSAGE_TTL_MS = 100 * 365 * 24 * 3600_000

/** Named address ranges Fastify's `trustProxy` (proxy-addr) knows. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal'])

/** True when `text` has a C0 or C1 control character or DEL (never meant in a name, path or URL). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true
  }
  return false
}

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return isObject(value) && methods.every((m) => typeof value[m] === 'function')
}

function positive(
  value: unknown,
  name: string,
  fallback: number,
  allowZero = false,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 0 ||
    (!allowZero && value === 0) ||
    value > max
  )
    invalid(
      `"${name}" must be a ${allowZero ? 'non-negative' : 'positive'} integer${max < Number.MAX_SAFE_INTEGER ? ` of at most ${max}` : ''}`,
    )
  return value
}

const ZERO_ALLOWED = new Set<keyof Limits>([
  'ipRequestsPerMinute',
  'ipMailboxDepositsPerMinute',
  'mailboxDepositsPerMinute',
])

/**
 * Deprecated limit names still accepted, and the limit they set. `senderDepositsPerMinute` was
 * keyed by the unauthenticated sender key URI; it now sets the per-(IP, mailbox) limit.
 */
export const LIMIT_ALIASES: Readonly<Record<string, keyof Limits>> = Object.freeze({
  senderDepositsPerMinute: 'ipMailboxDepositsPerMinute',
})

/** The limit a name (or a deprecated alias) sets, or undefined for an unknown name. */
export function limitName(name: string): keyof Limits | undefined {
  if (Object.hasOwn(DEFAULT_LIMITS, name)) return name as keyof Limits
  return Object.hasOwn(LIMIT_ALIASES, name) ? LIMIT_ALIASES[name] : undefined
}

function checkLimits(given: unknown): Limits {
  const limits = { ...DEFAULT_LIMITS } as Record<keyof Limits, number>
  if (given === undefined) return limits
  if (!isObject(given)) invalid('"limits" must be an object')
  const entries = Object.entries(given)
  // An alias never overrides the limit it stands for when both are given.
  entries.sort(
    ([a], [b]) => Number(Object.hasOwn(DEFAULT_LIMITS, a)) - Number(Object.hasOwn(DEFAULT_LIMITS, b)),
  )
  for (const [name, value] of entries) {
    const key = limitName(name)
    if (key === undefined) invalid(`unknown limit "limits.${name.slice(0, 40)}"`)
    limits[key] = positive(value, `limits.${name}`, limits[key], ZERO_ALLOWED.has(key))
  }
  return limits
}

function resolvesFullDids(options: Pick<RelayOptions, 'resolvesFullDids' | 'resolver'>): boolean {
  const v = options.resolvesFullDids
  if (v === undefined) return options.resolver !== undefined
  if (typeof v !== 'boolean') invalid('"resolvesFullDids" must be a boolean')
  if (v && options.resolver === undefined)
    invalid('"resolvesFullDids" needs a "resolver" that resolves full DIDs')
  return v
}

function checkLogger(value: unknown): Logger | false | undefined {
  if (value === undefined || value === false) return value
  if (!hasMethods(value, LOGGER_METHODS))
    invalid(`"logger" must be false or a pino logger (with ${LOGGER_METHODS.join(', ')})`)
  return value as unknown as Logger
}

/**
 * True for a serialized http(s) origin — `scheme://host[:port]`, lower case, no default port, no
 * path — the only form a browser's `Origin` header takes, so the only form that can ever match.
 */
function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return false
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value
  } catch {
    return false
  }
}

function checkCors(value: unknown): ResolvedRelayOptions['cors'] {
  if (value === undefined) return undefined
  if (!isObject(value)) invalid('"cors" must be an object { origins }')
  for (const k of Object.keys(value)) if (k !== 'origins') invalid(`unknown option "cors.${k.slice(0, 40)}"`)
  const o = value.origins
  if (o === '*') return { origins: '*' }
  if (!Array.isArray(o)) invalid('"cors.origins" must be "*" or an array of origin strings')
  const bad = (o as unknown[]).find((x) => !isOrigin(x))
  // An origin written with a path, upper case or a default port would never equal a browser's
  // Origin header: refused rather than silently matching nothing.
  if (bad !== undefined)
    invalid(
      `"cors.origins" entry ${JSON.stringify(String(bad).slice(0, 80))} is not an origin like "https://app.example" (http(s), lower case, no path)`,
    )
  return { origins: [...(o as string[])] }
}

function checkTrustProxy(value: unknown): boolean | string {
  if (value === undefined) return false
  if (typeof value === 'boolean') return value
  const fail = (): never =>
    invalid(
      '"trustProxy" must be a boolean or comma-separated proxy addresses (IP, IP/prefix, loopback, ...)',
    )
  if (typeof value !== 'string' || value.length > 4096) fail()
  for (const raw of (value as string).split(',')) {
    const item = raw.trim()
    if (PROXY_RANGES.has(item)) continue
    const [ip = '', prefix, ...rest] = item.split('/')
    const family = isIP(ip)
    if (family === 0 || rest.length > 0) fail()
    if (prefix === undefined) continue
    const bits = /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN
    if (!(bits <= (family === 4 ? 32 : 128)) && !(family === 4 && isIP(prefix) === 4)) fail()
  }
  return value as string
}

/**
 * Checks a metrics token: 16..256 characters without whitespace (shared with the config loader).
 * @throws MessagingError ERR_ARGUMENT_INVALID otherwise
 */
export function checkMetricsToken(value: unknown): string {
  if (typeof value !== 'string' || value.length < 16 || value.length > 256 || /\s/.test(value))
    invalid('"metricsToken" must be a string of 16..256 characters without whitespace')
  return value
}

/**
 * Applies defaults and checks every option: the one place `createRelay`'s input is validated.
 * @throws MessagingError ERR_ARGUMENT_INVALID on a malformed or unknown option, naming it
 */
export function resolveOptions(options: RelayOptions): ResolvedRelayOptions {
  if (!isObject(options)) invalid('"options" must be an object')
  if (!hasMethods(options.store, STORE_METHODS)) invalid('"store" must be a MailboxStore')
  return { store: options.store, ...resolveSettings(options) }
}

/**
 * Every check and default of {@link resolveOptions} except the store: for configuration loaders,
 * which check values before any store is opened.
 * @throws MessagingError ERR_ARGUMENT_INVALID on a malformed or unknown option, naming it
 */
export function resolveSettings(
  options: Omit<RelayOptions, 'store'> & { readonly store?: unknown },
): Omit<ResolvedRelayOptions, 'store'> {
  if (!isObject(options)) invalid('"options" must be an object')
  for (const name of Object.keys(options))
    if (!OPTION_NAMES.has(name)) invalid(`unknown option "${name.slice(0, 40)}"`)
  if (options.resolver !== undefined && !hasMethods(options.resolver, ['resolve', 'resolveKey']))
    invalid('"resolver" must be a DidResolver (with resolve and resolveKey)')
  if (options.clock !== undefined && typeof options.clock !== 'function')
    invalid('"clock" must be a function')
  const deploymentId = options.deploymentId === undefined ? 'kilt-relay' : options.deploymentId
  // bound into every token's MAC input, one line of it: no line breaks or other control characters
  if (
    typeof deploymentId !== 'string' ||
    deploymentId.length === 0 ||
    deploymentId.length > 128 ||
    hasControlCharacter(deploymentId)
  )
    invalid('"deploymentId" must be a string of 1..128 characters without control characters')
  let origins: string[] | undefined
  if (options.publicUrl !== undefined) origins = publicOrigins(options.publicUrl)
  return {
    resolver: options.resolver,
    limits: checkLimits(options.limits),
    clock: options.clock ?? Date.now,
    logger: checkLogger(options.logger),
    tokenTtlMs: positive(options.tokenTtlMs, 'tokenTtlMs', 15 * 60_000, false, MAX_TIMER_MS),
    challengeTtlMs: positive(options.challengeTtlMs, 'challengeTtlMs', 2 * 60_000, false, MAX_TIMER_MS),
    messageTtlMs: positive(
      options.messageTtlMs,
      'messageTtlMs',
      7 * 24 * 3600_000,
      false,
      MAX_MESSAGE_TTL_MS,
    ),
    expireIntervalMs: positive(options.expireIntervalMs, 'expireIntervalMs', 60_000, true, MAX_TIMER_MS),
    heartbeatMs: positive(options.heartbeatMs, 'heartbeatMs', 30_000, false, MAX_TIMER_MS),
    deploymentId,
    cors: checkCors(options.cors),
    trustProxy: checkTrustProxy(options.trustProxy),
    resolvesFullDids: resolvesFullDids(options),
    publicOrigins: origins,
    metricsToken: options.metricsToken === undefined ? undefined : checkMetricsToken(options.metricsToken),
  }
}
