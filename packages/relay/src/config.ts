/**
 * @module config
 * The relay's configuration from defaults < a JSON config file (`--config`, `KILT_RELAY_CONFIG`)
 * < environment (`KILT_RELAY_*`) < command-line flags (`node:util` `parseArgs`).
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createHttpResolver } from '@kilt-messaging/core'
import { invalidOption as invalid } from './lib/errors.js'
import {
  checkMetricsToken,
  DEFAULT_LIMITS,
  hasControlCharacter,
  LIMIT_ALIASES,
  type Limits,
  limitName,
  type RelayOptions,
  resolveSettings,
} from './lib/options.js'
import { publicOrigins } from './lib/public-origins.js'

/** The complete configuration of a relay process. */
export interface RelayConfig {
  readonly port: number
  readonly host: string
  /** SQLite file (default `kilt-relay.db`), unless `postgres` is set. */
  readonly db?: string
  /** PostgreSQL connection string. */
  readonly postgres?: string
  /** PostgreSQL schema holding the relay's tables (default `kilt_relay`). */
  readonly postgresSchema?: string
  readonly synchronous?: 'FULL' | 'NORMAL'
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Limit overrides; may hold deprecated alias names (see `LIMIT_ALIASES`), resolved by `createRelay`. */
  readonly limits: Partial<Limits> & { readonly senderDepositsPerMinute?: number }
  readonly tokenTtlMs?: number
  readonly challengeTtlMs?: number
  readonly messageTtlMs?: number
  readonly deploymentId?: string
  readonly corsOrigins?: readonly string[] | '*'
  /** true/false, or the proxies trusted (comma-separated IPs, IP/prefix, `loopback`, …: Fastify `trustProxy`). */
  readonly trustProxy?: boolean | string
  /** A DID resolver HTTP endpoint (Universal Resolver style) so full DIDs can log in. */
  readonly resolverUrl?: string
  /** The URL(s) clients reach the relay at, as origins; login challenges are bound to them. */
  readonly publicUrl?: readonly string[]
  /** A bearer token that `GET /metrics` requires (prefer the environment: flags show in `ps`). */
  readonly metricsToken?: string
  readonly help: boolean
}

/** Usage text of `kilt-relay`. */
export const USAGE = `Usage: kilt-relay [options]

  --port <n>            listen port (default 8787; KILT_RELAY_PORT)
  --host <addr>         listen address (default 127.0.0.1; KILT_RELAY_HOST)
  --public-url <urls>   comma-separated URL(s) clients reach this relay at, e.g.
                        https://relay.example (KILT_RELAY_PUBLIC_URL). Login challenges are
                        bound to these origins only; a login via any other Host is refused.
                        Default: http://127.0.0.1:<port>, http://localhost:<port>,
                        http://[::1]:<port> and http://<host>:<port> for a specific --host.
                        Required behind a domain or a TLS-terminating proxy
  --db <file>           SQLite database file (default kilt-relay.db; KILT_RELAY_DB)
  --postgres <url>      PostgreSQL connection string instead of SQLite (KILT_RELAY_POSTGRES)
  --postgres-schema <s> PostgreSQL schema for the tables (default kilt_relay; lower-case
                        identifier of 1..48 characters; KILT_RELAY_POSTGRES_SCHEMA)
  --config <file>       JSON config file (KILT_RELAY_CONFIG); keys as in this list, camelCase,
                        plus "limits": { maxEnvelopeBytes, mailboxMaxCount, ... }
  --log-level <level>   fatal|error|warn|info|debug|trace|silent (default info; KILT_RELAY_LOG_LEVEL)
  --cors <origins>      comma-separated allowed origins such as https://app.example (no
                        path), or * (KILT_RELAY_CORS_ORIGINS)
  --trust-proxy         take client IPs from X-Forwarded-For, whoever sends it
                        (KILT_RELAY_TRUST_PROXY=1|0|true|false, or only from the listed proxies:
                        KILT_RELAY_TRUST_PROXY=10.0.0.0/8,loopback — IPs, IP/prefix, loopback,
                        linklocal, uniquelocal)
  --message-ttl-ms <n>  message lifetime (default 7 days; KILT_RELAY_MESSAGE_TTL_MS)
  --token-ttl-ms <n>    bearer token lifetime (default 15 min; KILT_RELAY_TOKEN_TTL_MS)
  --deployment-id <id>  name bound into tokens (KILT_RELAY_DEPLOYMENT_ID)
  --metrics-token <t>   bearer token GET /metrics requires, 16..256 characters (prefer
                        KILT_RELAY_METRICS_TOKEN: flags show in process lists); default: open
  --resolver-url <url>  HTTP DID resolver for full-DID logins (KILT_RELAY_RESOLVER_URL);
                        without it only light DIDs can log in (resolved offline) and
                        deposits for full-DID receivers are refused (400 ERR_ENVELOPE_INVALID):
                        the relay could not see a full DID's key rotation
  -h, --help            this text

Environment or config file only: KILT_RELAY_CHALLENGE_TTL_MS (login challenge lifetime,
default 2 min), KILT_RELAY_SYNCHRONOUS (FULL|NORMAL, SQLite durability, default FULL: a
deposit is on disk before its 201; NORMAL may lose the last commits on a power cut).

Limits by environment: KILT_RELAY_LIMIT_<NAME> (per instance; the README's relay section says what each
bounds). Deposit rate limits are per minute, 0 disables: IP_REQUESTS_PER_MINUTE (every route),
IP_MAILBOX_DEPOSITS_PER_MINUTE (one client IP into one mailbox; old name SENDER_DEPOSITS_PER_MINUTE),
MAILBOX_DEPOSITS_PER_MINUTE (one mailbox from all senders). Every limit, with its default:
${limitList()}
`

/** `NAME=default` of every limit, wrapped at 100 columns (from DEFAULT_LIMITS: never stale). */
function limitList(): string {
  const lines: string[] = []
  let line = ' '
  for (const [key, value] of Object.entries(DEFAULT_LIMITS)) {
    const item = ` ${envName(`limit.${key}`).slice('KILT_RELAY_LIMIT_'.length)}=${value}`
    if (line.length + item.length > 100) {
      lines.push(line)
      line = ' '
    }
    line += item
  }
  lines.push(line)
  return lines.join('\n')
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

/** The flag setting each configuration key (keys without one: environment or config file only). @internal */
export const FLAGS: Readonly<Record<string, string>> = {
  port: '--port',
  host: '--host',
  db: '--db',
  postgres: '--postgres',
  postgresSchema: '--postgres-schema',
  logLevel: '--log-level',
  corsOrigins: '--cors',
  trustProxy: '--trust-proxy',
  messageTtlMs: '--message-ttl-ms',
  tokenTtlMs: '--token-ttl-ms',
  deploymentId: '--deployment-id',
  resolverUrl: '--resolver-url',
  publicUrl: '--public-url',
  metricsToken: '--metrics-token',
}

/** The keys an environment variable can set: `KILT_RELAY_<KEY IN SNAKE CASE>` (limits: `KILT_RELAY_LIMIT_<NAME>`). @internal */
export const ENV_KEYS: readonly string[] = [
  'port',
  'host',
  'db',
  'postgres',
  'postgresSchema',
  'synchronous',
  'logLevel',
  'corsOrigins',
  'trustProxy',
  'messageTtlMs',
  'tokenTtlMs',
  'challengeTtlMs',
  'deploymentId',
  'resolverUrl',
  'publicUrl',
  'metricsToken',
]

/** The `parseArgs` options: every flag of {@link FLAGS} (a value, `--trust-proxy` a switch), `--config`, `--help`. */
const PARSE_OPTIONS = {
  ...Object.fromEntries(
    Object.entries(FLAGS).map(([key, flag]) => [
      flag.slice(2),
      { type: key === 'trustProxy' ? ('boolean' as const) : ('string' as const) },
    ]),
  ),
  config: { type: 'string' as const },
  help: { type: 'boolean' as const, short: 'h' },
}

/** Every key a config file may hold. */
const FILE_KEYS: ReadonlySet<string> = new Set([...ENV_KEYS, 'limits'])

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Names a configuration key the way its source spells it (`--port`, `KILT_RELAY_PORT`, ...). */
type Namer = (key: string) => string

/** Checks options as `createRelay` would; a refusal names `name` (the flag, variable or key). */
function checkAsRelay(name: string, options: Omit<RelayOptions, 'store'>): void {
  try {
    resolveSettings(options)
  } catch (e) {
    invalid(`${name}: ${messageOf(e)}`)
  }
}

/** A decimal string as a number (environment and flags); anything else unchanged. */
function numeric(value: unknown): unknown {
  return typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value
}

function int(value: unknown, name: string, min: number, max: number): number {
  const n = numeric(value)
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max)
    invalid(`${name} must be an integer of ${min}..${max}`)
  return n
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096 || hasControlCharacter(value))
    invalid(`${name} must be a non-empty string of at most 4096 characters, without control characters`)
  return value
}

/** The boolean a switch, `1`/`true` or `0`/`false` stands for, else undefined. */
function truthOf(value: unknown): boolean | undefined {
  if (value === true || value === '1' || value === 'true') return true
  if (value === false || value === '0' || value === 'false') return false
  return undefined
}

/** The environment variable of a key (`messageTtlMs` → `KILT_RELAY_MESSAGE_TTL_MS`; `limit.x` → `KILT_RELAY_LIMIT_X`). @internal */
export function envName(key: string): string {
  return `KILT_RELAY_${key
    .replace('.', '_')
    .replace(/[A-Z]/g, (c) => `_${c}`)
    .toUpperCase()}`
}

type Mutable = {
  -readonly [K in keyof RelayConfig]?: RelayConfig[K]
}

/**
 * Checks and copies the keys of one source. `name` spells a key as the source does; `file` (a
 * config file) prefixes the messages of checks that name the key themselves. `where` records the
 * name that set each key.
 */
function apply(
  target: Mutable,
  source: Record<string, unknown>,
  name: Namer,
  where: Map<string, string>,
  file?: string,
): void {
  const about = (key: string): string => file ?? name(key)
  const s = source
  if (s.port !== undefined) target.port = int(s.port, name('port'), 0, 65535)
  if (s.host !== undefined) target.host = str(s.host, name('host'))
  if (s.db !== undefined) target.db = str(s.db, name('db'))
  if (s.postgres !== undefined) target.postgres = str(s.postgres, name('postgres'))
  if (s.postgresSchema !== undefined) {
    const v = str(s.postgresSchema, name('postgresSchema'))
    if (!/^[a-z_][a-z0-9_]{0,47}$/.test(v))
      invalid(`${name('postgresSchema')} must be a lower-case identifier of 1..48 characters`)
    target.postgresSchema = v
  }
  if (s.synchronous !== undefined) {
    if (s.synchronous !== 'FULL' && s.synchronous !== 'NORMAL')
      invalid(`${name('synchronous')} must be FULL or NORMAL`)
    target.synchronous = s.synchronous
  }
  if (s.logLevel !== undefined) {
    if (typeof s.logLevel !== 'string' || !LEVELS.has(s.logLevel))
      invalid(`${name('logLevel')} must be one of ${[...LEVELS].join(', ')}`)
    target.logLevel = s.logLevel as RelayConfig['logLevel']
  }
  for (const k of ['tokenTtlMs', 'challengeTtlMs', 'messageTtlMs'] as const)
    if (s[k] !== undefined) {
      const v = numeric(s[k])
      checkAsRelay(about(k), { [k]: v })
      target[k] = v as number
    }
  if (s.resolverUrl !== undefined) {
    const u = str(s.resolverUrl, name('resolverUrl'))
    try {
      if (!/^https?:\/\//.test(u)) throw new Error('not http(s)')
      createHttpResolver({ baseUrl: u })
    } catch {
      invalid(`${name('resolverUrl')} must be an http(s) URL without query or fragment`)
    }
    target.resolverUrl = u
  }
  if (s.publicUrl !== undefined) {
    const p = s.publicUrl
    if (typeof p !== 'string' && !(Array.isArray(p) && p.every((u) => typeof u === 'string')))
      invalid(`${name('publicUrl')} must be a comma-separated string or an array of URLs`)
    try {
      target.publicUrl = publicOrigins(p as string | string[])
    } catch (e) {
      invalid(`${about('publicUrl')}: ${messageOf(e)}`)
    }
  }
  if (s.deploymentId !== undefined) {
    checkAsRelay(about('deploymentId'), { deploymentId: s.deploymentId as string })
    target.deploymentId = s.deploymentId as string
  }
  if (s.metricsToken !== undefined) {
    try {
      target.metricsToken = checkMetricsToken(s.metricsToken)
    } catch (e) {
      invalid(`${about('metricsToken')}: ${messageOf(e)}`)
    }
  }
  if (s.corsOrigins !== undefined) {
    const c = s.corsOrigins
    const origins =
      typeof c === 'string' && c !== '*'
        ? c
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean)
        : c
    if (typeof c !== 'string' && !Array.isArray(c))
      invalid(`${name('corsOrigins')} must be "*", a comma-separated string or an array`)
    // `--cors ','` or `"corsOrigins": []` names nobody: a slip, not a way to turn CORS off (leave it unset)
    if (Array.isArray(origins) && origins.length === 0)
      invalid(`${name('corsOrigins')} names no origin (leave it unset for no CORS headers)`)
    checkAsRelay(about('corsOrigins'), { cors: { origins: origins as string[] | '*' } })
    target.corsOrigins = origins === '*' ? '*' : [...(origins as string[])]
  }
  if (s.trustProxy !== undefined) {
    const t = s.trustProxy
    // a switch or 1/0/true/false; otherwise the list of trusted proxies, checked as createRelay does
    const truth = truthOf(t)
    if (truth === undefined) checkAsRelay(about('trustProxy'), { trustProxy: t as string })
    target.trustProxy = truth ?? (t as string)
  }
  if (s.limits !== undefined) {
    if (typeof s.limits !== 'object' || s.limits === null || Array.isArray(s.limits))
      invalid(`${name('limits')} must be an object`)
    const limits: Record<string, number> = { ...(target.limits ?? {}) }
    for (const [k, v] of Object.entries(s.limits)) {
      if (limitName(k) === undefined) invalid(`${name(`limits.${k.slice(0, 40)}`)} is not a limit`)
      const n = numeric(v)
      checkAsRelay(file ?? name(`limits.${k}`), { limits: { [k]: n as number } })
      limits[k] = n as number
    }
    target.limits = limits
  }
  for (const k of Object.keys(s)) if (k !== 'limits') where.set(k, name(k))
}

/** One line for a `parseArgs` error (an unknown flag, a missing value, a stray argument). */
function flagError(e: unknown): never {
  const first = messageOf(e).split(/\.\s/)[0] ?? ''
  const line = first.length > 160 ? `${first.slice(0, 160)}…` : first
  return invalid(`${line} (kilt-relay --help lists the flags)`)
}

/**
 * Reads the configuration.
 * @param argv - command-line arguments (without `node` and the script)
 * @param env - the environment
 * @throws MessagingError ERR_ARGUMENT_INVALID on a bad flag, variable or config file; the message
 *   names the flag (`--port`), the variable (`KILT_RELAY_PORT`) or the config file and key. Values
 *   that `createRelay` checks (limits, lifetimes, deployment id, CORS origins, metrics token,
 *   public URLs) are checked here by the same code, so a config that loads is one it accepts.
 * @example
 * const config = loadConfig(process.argv.slice(2), process.env)
 */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RelayConfig {
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string'))
    invalid('"argv" must be an array of strings')
  if (typeof env !== 'object' || env === null || Array.isArray(env))
    invalid('"env" must be an object of environment variables')
  const variable = (name: string): string | undefined => {
    const v = env[name]
    if (v !== undefined && typeof v !== 'string') invalid(`${name} must be a string`)
    return v === '' ? undefined : v
  }
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: PARSE_OPTIONS,
    }).values
  } catch (e) {
    flagError(e)
  }
  const out: Mutable = {
    port: 8787,
    host: '127.0.0.1',
    logLevel: 'info',
    limits: {},
    help: values.help === true,
  }
  const where = new Map<string, string>()

  if (values.config === '') invalid('--config must name a JSON file')
  const file = (values.config as string | undefined) ?? variable('KILT_RELAY_CONFIG')
  if (file !== undefined) {
    const from = `config file ${file} (${values.config === undefined ? 'KILT_RELAY_CONFIG' : '--config'})`
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'))
    } catch (e) {
      invalid(`cannot read ${from}: ${messageOf(e)}`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      invalid(`${from} must hold a JSON object`)
    for (const k of Object.keys(parsed))
      if (!FILE_KEYS.has(k)) invalid(`${from}: unknown key ${JSON.stringify(k.slice(0, 40))}`)
    apply(out, parsed as Record<string, unknown>, (k) => `${from}: ${JSON.stringify(k)}`, where, from)
  }

  const fromEnv: Record<string, unknown> = {}
  for (const key of ENV_KEYS) {
    const v = variable(envName(key))
    if (v !== undefined) fromEnv[key] = v
  }
  const envLimits: Record<string, unknown> = {}
  for (const k of [...Object.keys(DEFAULT_LIMITS), ...Object.keys(LIMIT_ALIASES)]) {
    const v = variable(envName(`limit.${k}`))
    if (v !== undefined) envLimits[k] = v
  }
  if (Object.keys(envLimits).length > 0) fromEnv.limits = envLimits
  apply(out, fromEnv, (k) => envName(k.startsWith('limits.') ? `limit.${k.slice(7)}` : k), where)

  const fromFlags: Record<string, unknown> = {}
  for (const [key, flag] of Object.entries(FLAGS)) {
    const v = values[flag.slice(2)]
    if (v !== undefined && v !== false) fromFlags[key] = v
  }
  apply(out, fromFlags, (k) => FLAGS[k] ?? k, where)
  // A flag naming one backend overrides the other backend named in the file or environment.
  if (values.db !== undefined) delete out.postgres
  if (values.postgres !== undefined) delete out.db

  if (out.db !== undefined && out.postgres !== undefined)
    invalid(
      `${where.get('db')} names a SQLite file and ${where.get('postgres')} a PostgreSQL URL: give one of them`,
    )
  if (out.db === undefined && out.postgres === undefined) out.db = 'kilt-relay.db'
  return out as RelayConfig
}
