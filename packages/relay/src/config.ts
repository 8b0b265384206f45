/**
 * @module config
 * The relay's configuration from defaults < a JSON config file (`--config`, `KILT_RELAY_CONFIG`)
 * < environment (`KILT_RELAY_*`) < command-line flags (`node:util` `parseArgs`).
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { checkMetricsToken, DEFAULT_LIMITS, LIMIT_ALIASES, type Limits, limitName } from './lib/options.js'
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
  readonly trustProxy?: boolean
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
  --cors <origins>      comma-separated allowed origins, or * (KILT_RELAY_CORS_ORIGINS)
  --trust-proxy         take client IPs from X-Forwarded-For (KILT_RELAY_TRUST_PROXY=1)
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

Limits by environment: KILT_RELAY_LIMIT_<NAME> with NAME in upper snake case, e.g.
KILT_RELAY_LIMIT_MAX_ENVELOPE_BYTES=262144, KILT_RELAY_LIMIT_MAILBOX_MAX_COUNT=10000.
Deposit rate limits (per instance, per minute; 0 disables): IP_REQUESTS_PER_MINUTE (6000, every
route), IP_MAILBOX_DEPOSITS_PER_MINUTE (60, one client IP into one mailbox; old name
SENDER_DEPOSITS_PER_MINUTE), MAILBOX_DEPOSITS_PER_MINUTE (600, one mailbox from all senders).
`

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

function int(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer of ${min}..${max}`)
  return n
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096)
    throw new Error(`${name} must be a non-empty string`)
  return value
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()
}

type Mutable = {
  -readonly [K in keyof RelayConfig]?: RelayConfig[K]
}

function apply(target: Mutable, source: Record<string, unknown>, origin: string): void {
  const s = source
  if (s.port !== undefined) target.port = int(s.port, `${origin} port`, 0, 65535)
  if (s.host !== undefined) target.host = str(s.host, `${origin} host`)
  if (s.db !== undefined) target.db = str(s.db, `${origin} db`)
  if (s.postgres !== undefined) target.postgres = str(s.postgres, `${origin} postgres`)
  if (s.postgresSchema !== undefined) {
    const v = str(s.postgresSchema, `${origin} postgresSchema`)
    if (!/^[a-z_][a-z0-9_]{0,47}$/.test(v))
      throw new Error(`${origin} postgresSchema must be a lower-case identifier of 1..48 characters`)
    target.postgresSchema = v
  }
  if (s.synchronous !== undefined) {
    if (s.synchronous !== 'FULL' && s.synchronous !== 'NORMAL')
      throw new Error(`${origin} synchronous must be FULL or NORMAL`)
    target.synchronous = s.synchronous
  }
  if (s.logLevel !== undefined) {
    if (typeof s.logLevel !== 'string' || !LEVELS.has(s.logLevel))
      throw new Error(`${origin} logLevel is invalid`)
    target.logLevel = s.logLevel as RelayConfig['logLevel']
  }
  for (const k of ['tokenTtlMs', 'challengeTtlMs', 'messageTtlMs'] as const)
    if (s[k] !== undefined) target[k] = int(s[k], `${origin} ${k}`, 1)
  if (s.resolverUrl !== undefined) {
    const u = str(s.resolverUrl, `${origin} resolverUrl`)
    if (!/^https?:\/\//.test(u)) throw new Error(`${origin} resolverUrl must be an http(s) URL`)
    target.resolverUrl = u
  }
  if (s.publicUrl !== undefined) {
    const p = s.publicUrl
    if (typeof p !== 'string' && !(Array.isArray(p) && p.every((u) => typeof u === 'string')))
      throw new Error(`${origin} publicUrl must be a comma-separated string or an array of URLs`)
    try {
      target.publicUrl = publicOrigins(p as string | string[])
    } catch (e) {
      throw new Error(`${origin} ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  if (s.deploymentId !== undefined) target.deploymentId = str(s.deploymentId, `${origin} deploymentId`)
  if (s.metricsToken !== undefined) {
    try {
      target.metricsToken = checkMetricsToken(s.metricsToken)
    } catch (e) {
      throw new Error(`${origin} ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  if (s.corsOrigins !== undefined) {
    const c = s.corsOrigins
    if (c === '*') target.corsOrigins = '*'
    else if (typeof c === 'string')
      target.corsOrigins = c
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    else if (Array.isArray(c) && c.every((o) => typeof o === 'string')) target.corsOrigins = c as string[]
    else throw new Error(`${origin} corsOrigins must be "*", a comma-separated string or an array`)
  }
  if (s.trustProxy !== undefined) {
    const t = s.trustProxy
    target.trustProxy = t === true || t === '1' || t === 'true'
  }
  if (s.limits !== undefined) {
    if (typeof s.limits !== 'object' || s.limits === null)
      throw new Error(`${origin} limits must be an object`)
    const limits: Record<string, number> = { ...(target.limits ?? {}) }
    for (const [k, v] of Object.entries(s.limits)) {
      if (limitName(k) === undefined) throw new Error(`${origin} unknown limit "${k.slice(0, 40)}"`)
      limits[k] = int(v, `${origin} limits.${k}`, 0)
    }
    target.limits = limits
  }
}

/**
 * Reads the configuration.
 * @param argv - command-line arguments (without `node` and the script)
 * @param env - the environment
 * @throws Error with a human-readable message on a bad flag, variable or file
 * @example
 * const config = loadConfig(process.argv.slice(2), process.env)
 */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RelayConfig {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      postgres: { type: 'string' },
      'postgres-schema': { type: 'string' },
      config: { type: 'string' },
      'log-level': { type: 'string' },
      cors: { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'message-ttl-ms': { type: 'string' },
      'token-ttl-ms': { type: 'string' },
      'deployment-id': { type: 'string' },
      'resolver-url': { type: 'string' },
      'public-url': { type: 'string' },
      'metrics-token': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const out: Mutable = {
    port: 8787,
    host: '127.0.0.1',
    logLevel: 'info',
    limits: {},
    help: values.help === true,
  }

  const file = values.config ?? env.KILT_RELAY_CONFIG
  if (file !== undefined && file !== '') {
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'))
    } catch (e) {
      throw new Error(`cannot read config file ${file}: ${e instanceof Error ? e.message : String(e)}`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error(`config file ${file} must hold a JSON object`)
    apply(out, parsed as Record<string, unknown>, 'config file')
  }

  const fromEnv: Record<string, unknown> = {}
  const map: Record<string, string> = {
    KILT_RELAY_PORT: 'port',
    KILT_RELAY_HOST: 'host',
    KILT_RELAY_DB: 'db',
    KILT_RELAY_POSTGRES: 'postgres',
    KILT_RELAY_POSTGRES_SCHEMA: 'postgresSchema',
    KILT_RELAY_SYNCHRONOUS: 'synchronous',
    KILT_RELAY_LOG_LEVEL: 'logLevel',
    KILT_RELAY_CORS_ORIGINS: 'corsOrigins',
    KILT_RELAY_TRUST_PROXY: 'trustProxy',
    KILT_RELAY_MESSAGE_TTL_MS: 'messageTtlMs',
    KILT_RELAY_TOKEN_TTL_MS: 'tokenTtlMs',
    KILT_RELAY_CHALLENGE_TTL_MS: 'challengeTtlMs',
    KILT_RELAY_DEPLOYMENT_ID: 'deploymentId',
    KILT_RELAY_RESOLVER_URL: 'resolverUrl',
    KILT_RELAY_PUBLIC_URL: 'publicUrl',
    KILT_RELAY_METRICS_TOKEN: 'metricsToken',
  }
  for (const [name, key] of Object.entries(map))
    if (env[name] !== undefined && env[name] !== '') fromEnv[key] = env[name]
  const envLimits: Record<string, unknown> = {}
  for (const k of [...Object.keys(DEFAULT_LIMITS), ...Object.keys(LIMIT_ALIASES)]) {
    const v = env[`KILT_RELAY_LIMIT_${snake(k)}`]
    if (v !== undefined && v !== '') envLimits[k] = v
  }
  if (Object.keys(envLimits).length > 0) fromEnv.limits = envLimits
  apply(out, fromEnv, 'environment')

  const fromFlags: Record<string, unknown> = {}
  if (values.port !== undefined) fromFlags.port = values.port
  if (values.host !== undefined) fromFlags.host = values.host
  if (values.db !== undefined) fromFlags.db = values.db
  if (values.postgres !== undefined) fromFlags.postgres = values.postgres
  if (values['postgres-schema'] !== undefined) fromFlags.postgresSchema = values['postgres-schema']
  if (values['log-level'] !== undefined) fromFlags.logLevel = values['log-level']
  if (values.cors !== undefined) fromFlags.corsOrigins = values.cors
  if (values['trust-proxy'] === true) fromFlags.trustProxy = true
  if (values['message-ttl-ms'] !== undefined) fromFlags.messageTtlMs = values['message-ttl-ms']
  if (values['token-ttl-ms'] !== undefined) fromFlags.tokenTtlMs = values['token-ttl-ms']
  if (values['deployment-id'] !== undefined) fromFlags.deploymentId = values['deployment-id']
  if (values['resolver-url'] !== undefined) fromFlags.resolverUrl = values['resolver-url']
  if (values['public-url'] !== undefined) fromFlags.publicUrl = values['public-url']
  if (values['metrics-token'] !== undefined) fromFlags.metricsToken = values['metrics-token']
  apply(out, fromFlags, 'flag')
  // A flag naming one backend overrides the other backend named in the file or environment.
  if (values.db !== undefined) delete out.postgres
  if (values.postgres !== undefined) delete out.db

  if (out.db !== undefined && out.postgres !== undefined)
    throw new Error('give either a SQLite file (db) or a PostgreSQL URL (postgres), not both')
  if (out.db === undefined && out.postgres === undefined) out.db = 'kilt-relay.db'
  return out as RelayConfig
}
