import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessagingError } from '@kilt-messaging/core'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { ENV_KEYS, envName, FLAGS, loadConfig, USAGE } from '../../src/config.js'
import { checkEnvelope } from '../../src/lib/envelope.js'
import { RelayError } from '../../src/lib/errors.js'
import { DEFAULT_LIMITS } from '../../src/lib/options.js'
import { defaultPublicOrigins } from '../../src/lib/public-origins.js'
import { DepositLimiter, DepositTicket, WindowLimiter } from '../../src/lib/sender-limiter.js'
import { mintToken, verifyToken } from '../../src/lib/token.js'
import { envelope, makeIdentity } from '../helpers/identities.js'

const alice = makeIdentity()
const bob = makeIdentity('sr25519')
const subject = alice.did.slice(17, 65)
const secret = new Uint8Array(32).fill(7)

describe('tokens', () => {
  it('verify with the same secret and deployment id until they expire', () => {
    const t = mintToken(secret, 'd1', subject, 2000)
    expect(verifyToken(secret, 'd1', t, 1999)).toEqual({ subject, expiresAt: 2000 })
    expect(verifyToken(secret, 'd1', t, 2000)).toBeNull()
    expect(verifyToken(new Uint8Array(32).fill(8), 'd1', t, 0)).toBeNull()
    expect(verifyToken(secret, 'd2', t, 0)).toBeNull()
  })

  it('never verify after any single-character change', () => {
    const t = mintToken(secret, 'd1', subject, 2000)
    fc.assert(
      fc.property(fc.nat(t.length - 1), fc.constantFrom(...'0123456789abcdefXYZ.'), (i, c) => {
        fc.pre(t[i] !== c)
        const changed = t.slice(0, i) + c + t.slice(i + 1)
        expect(verifyToken(secret, 'd1', changed, 0)).toBeNull()
      }),
      { numRuns: 200 },
    )
  })

  it('refuse garbage without throwing', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        expect(verifyToken(secret, 'd1', x, 0)).toBeNull()
      }),
      { numRuns: 200 },
    )
  })
})

describe('checkEnvelope', () => {
  it('throws only RelayError for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (x) => {
        try {
          checkEnvelope(x, 0, 1024)
        } catch (e) {
          expect(e).toBeInstanceOf(RelayError)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('throws only RelayError for mutated envelopes, and accepts the unmutated one', () => {
    const base = envelope(alice, bob)
    expect(checkEnvelope(base, 5, 4096).size).toBeGreaterThan(0)
    fc.assert(
      fc.property(
        fc.constantFrom('ciphertext', 'nonce', 'senderKeyUri', 'receiverKeyUri', 'receivedAt', 'other'),
        fc.oneof(
          fc.string(),
          fc.integer(),
          fc.constant(null),
          fc.uint8Array({ maxLength: 40 }).map((b) => `0x${Buffer.from(b).toString('hex')}`),
        ),
        (key, value) => {
          try {
            checkEnvelope({ ...base, [key]: value }, 0, 4096)
          } catch (e) {
            expect(e).toBeInstanceOf(RelayError)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('WindowLimiter', () => {
  it('counts per key and resets each window', () => {
    const l = new WindowLimiter(3, 1000)
    expect(l.take('a', 2, 0)).toBe(true)
    expect(l.take('a', 2, 10)).toBe(false)
    expect(l.take('a', 1, 10)).toBe(true)
    expect(l.take('b', 3, 10)).toBe(true)
    expect(l.take('a', 1, 999)).toBe(false)
    expect(l.take('a', 3, 1000)).toBe(true)
  })

  it('tracks at most maxEntries keys per window (untracked keys pass)', () => {
    const l = new WindowLimiter(1, 1000, 2)
    expect(l.take('a', 1, 0)).toBe(true)
    expect(l.take('b', 1, 0)).toBe(true)
    expect(l.take('c', 1, 0)).toBe(true)
    expect(l.take('c', 1, 0)).toBe(true)
    expect(l.take('a', 1, 0)).toBe(false)
  })
})

describe('DepositLimiter', () => {
  it('limits per (ip, mailbox) and per mailbox, all or nothing', () => {
    const l = new DepositLimiter(2, 3, 1000)
    expect(l.take('ip1', new Map([['m', 2]]), 0)).toBeInstanceOf(DepositTicket)
    expect(l.take('ip1', new Map([['m', 1]]), 0)).toBe('ip-mailbox')
    expect(l.take('ip2', new Map([['m', 2]]), 0)).toBe('mailbox')
    // Refused as a whole: 'n' took nothing.
    expect(
      l.take(
        'ip2',
        new Map([
          ['n', 1],
          ['m', 2],
        ]),
        0,
      ),
    ).toBe('mailbox')
    expect(l.take('ip3', new Map([['n', 2]]), 0)).toBeInstanceOf(DepositTicket)
    expect(l.take('ip2', new Map([['m', 1]]), 0)).toBeInstanceOf(DepositTicket)
    expect(l.take('ip2', new Map([['m', 1]]), 1000)).toBeInstanceOf(DepositTicket)
  })

  const ticket = (taken: ReturnType<DepositLimiter['take']>): DepositTicket => {
    if (!(taken instanceof DepositTicket)) throw new Error(`refused: ${taken}`)
    return taken
  }

  it('gives back what was not stored, to both budgets, never more than was taken', () => {
    const l = new DepositLimiter(3, 5, 1000)
    const t = ticket(
      l.take(
        'ip1',
        new Map([
          ['m', 3],
          ['n', 1],
        ]),
        0,
      ),
    )
    expect(l.take('ip1', new Map([['m', 1]]), 0)).toBe('ip-mailbox')
    // Two of m's three were not stored (a full mailbox): two come back, not three.
    t.refund(new Map([['m', 2]]))
    expect(l.take('ip1', new Map([['m', 3]]), 0)).toBe('ip-mailbox')
    // More than it took, or a mailbox it did not take: only the last one of m comes back.
    t.refund(
      new Map([
        ['m', 5],
        ['other', 1],
      ]),
    )
    expect(l.take('ip1', new Map([['m', 3]]), 0)).toBeInstanceOf(DepositTicket)
    // Spent: a further refund gives nothing back, to either budget.
    t.refund(new Map([['m', 1]]))
    expect(l.take('ip1', new Map([['m', 1]]), 0)).toBe('ip-mailbox')
    expect(l.take('ip2', new Map([['m', 2]]), 0)).toBeInstanceOf(DepositTicket)
    expect(l.take('ip2', new Map([['m', 1]]), 0)).toBe('mailbox')
    // n was stored: nothing of it came back.
    expect(l.take('ip1', new Map([['n', 3]]), 0)).toBe('ip-mailbox')
  })

  it('gives nothing back into a later window', () => {
    const l = new DepositLimiter(2, 0, 1000)
    const old = ticket(l.take('ip1', new Map([['m', 2]]), 0))
    const now = ticket(l.take('ip1', new Map([['m', 2]]), 1000))
    old.refund(new Map([['m', 2]]))
    expect(l.take('ip1', new Map([['m', 1]]), 1000)).toBe('ip-mailbox')
    now.refund(new Map([['m', 1]]))
    expect(l.take('ip1', new Map([['m', 1]]), 1000)).toBeInstanceOf(DepositTicket)
    expect(l.take('ip1', new Map([['m', 1]]), 1000)).toBe('ip-mailbox')
  })
})

describe('defaultPublicOrigins', () => {
  it('is the loopback origins plus a specific listen host', () => {
    const loop = ['http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787']
    expect(defaultPublicOrigins('0.0.0.0', 8787)).toEqual(loop)
    expect(defaultPublicOrigins('::', 8787)).toEqual(loop)
    expect(defaultPublicOrigins('127.0.0.1', 8787)).toEqual(loop)
    expect(defaultPublicOrigins('192.168.1.5', 8787)).toEqual([...loop, 'http://192.168.1.5:8787'])
    expect(defaultPublicOrigins('fe80::1', 8787)).toEqual([...loop, 'http://[fe80::1]:8787'])
    expect(defaultPublicOrigins('relay.lan', 80)).toEqual([
      'http://127.0.0.1',
      'http://localhost',
      'http://[::1]',
      'http://relay.lan',
    ])
    expect(() => defaultPublicOrigins('127.0.0.1', 0)).toThrow(TypeError)
  })
})

describe('loadConfig with arbitrary input (fast-check)', () => {
  const value = fc.oneof(
    {
      arbitrary: fc.constantFrom(
        '',
        ' ',
        '0',
        '-1',
        '1e3',
        'true',
        'false',
        'FULL',
        'NORMAL',
        '*',
        ',',
        'info',
        'x'.repeat(5000),
      ),
      weight: 4,
    },
    { arbitrary: fc.string({ maxLength: 40, unit: 'binary' }), weight: 2 },
    fc.string({ maxLength: 12 }),
    fc.integer({ min: -2, max: 2 ** 40 }).map(String),
    fc.constantFrom(
      'https://a.example',
      'http://127.0.0.1:8787',
      'postgres://x/y',
      '10.0.0.0/8,loopback',
      'a_b',
    ),
  )
  const names = [
    ...ENV_KEYS.map(envName),
    'KILT_RELAY_LIMIT_MAX_BATCH',
    'KILT_RELAY_LIMIT_IP_REQUESTS_PER_MINUTE',
  ]

  /** A config, or ERR_ARGUMENT_INVALID whose message starts with one of `sources`: never anything else. */
  function configOrNamedRefusal(run: () => unknown, sources: readonly string[]): void {
    try {
      expect(typeof run()).toBe('object')
    } catch (e) {
      expect(e).toBeInstanceOf(MessagingError)
      expect((e as MessagingError).code).toBe('ERR_ARGUMENT_INVALID')
      if (sources.length > 0) expect(sources.some((n) => (e as Error).message.startsWith(n))).toBe(true)
    }
  }

  it('environment variables: a config, or one refusal naming a variable that was set', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 4 }), (env) => {
        configOrNamedRefusal(() => loadConfig([], env), Object.keys(env))
      }),
      { numRuns: 1000 },
    )
  })

  it('flags: a config or ERR_ARGUMENT_INVALID, whatever the arguments', () => {
    const flag = fc.constantFrom(...Object.values(FLAGS), '--config', '--help', '-h', '--nope', '--', 'x')
    fc.assert(
      fc.property(fc.array(fc.oneof(flag, value), { maxLength: 6 }), (argv) => {
        configOrNamedRefusal(() => loadConfig(argv, {}), [])
      }),
      { numRuns: 400 },
    )
  })

  it('config files of arbitrary JSON: a config, or one refusal naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kilt-relay-config-fc-'))
    const file = join(dir, 'relay.json')
    const key = fc.constantFrom(...ENV_KEYS, 'limits', 'nope', '__proto__')
    try {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.jsonValue({ maxDepth: 2 }),
            fc.dictionary(key, fc.oneof(value, fc.jsonValue({ maxDepth: 1 }))),
          ),
          (content) => {
            writeFileSync(file, JSON.stringify(content) ?? 'null')
            configOrNamedRefusal(() => loadConfig(['--config', file], {}), [`config file ${file}`])
          },
        ),
        { numRuns: 300 },
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('loadConfig', () => {
  it('documents every flag and every environment variable in its usage text and README', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8')
    for (const flag of Object.values(FLAGS)) {
      expect(USAGE).toContain(`${flag} `)
      expect(readme).toContain(flag)
    }
    for (const key of ENV_KEYS) {
      const name = envName(key)
      expect(USAGE).toContain(name)
      // the name a variable is documented under is the one loadConfig reads
      expect(() => loadConfig([], { [name]: '\u0000' })).toThrow(new RegExp(`^${name}`))
    }
  })

  it('lists every limit with its default in the usage text, under the name loadConfig reads', () => {
    for (const [key, value] of Object.entries(DEFAULT_LIMITS)) {
      const name = envName(`limit.${key}`)
      expect(USAGE).toContain(` ${name.slice('KILT_RELAY_LIMIT_'.length)}=${value}`)
      expect(loadConfig([], { [name]: '7' }).limits).toMatchObject({ [key]: 7 })
    }
  })

  it('has safe defaults', () => {
    const c = loadConfig([], {})
    expect(c).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      db: 'kilt-relay.db',
      logLevel: 'info',
      limits: {},
    })
  })

  it('takes the PostgreSQL schema from --postgres-schema or KILT_RELAY_POSTGRES_SCHEMA, checked', () => {
    const env = { KILT_RELAY_POSTGRES: 'postgres://x/db', KILT_RELAY_POSTGRES_SCHEMA: 'from_env' }
    expect(loadConfig([], env)).toMatchObject({ postgres: 'postgres://x/db', postgresSchema: 'from_env' })
    expect(loadConfig(['--postgres-schema', 'from_flag'], env).postgresSchema).toBe('from_flag')
    expect(loadConfig([], {}).postgresSchema).toBeUndefined()
    for (const bad of ['Upper', '1x', 'a-b', 'x'.repeat(49)])
      expect(() => loadConfig(['--postgres-schema', bad], env)).toThrow(/^--postgres-schema /)
  })

  it('takes deposit limits from the environment, the old sender limit name too', () => {
    const c = loadConfig([], {
      KILT_RELAY_LIMIT_IP_MAILBOX_DEPOSITS_PER_MINUTE: '5',
      KILT_RELAY_LIMIT_MAILBOX_DEPOSITS_PER_MINUTE: '0',
      KILT_RELAY_LIMIT_SENDER_DEPOSITS_PER_MINUTE: '0',
    })
    expect(c.limits).toEqual({
      ipMailboxDepositsPerMinute: 5,
      mailboxDepositsPerMinute: 0,
      senderDepositsPerMinute: 0,
    })
  })

  it('takes the metrics token from KILT_RELAY_METRICS_TOKEN or --metrics-token, checked', () => {
    expect(loadConfig([], {}).metricsToken).toBeUndefined()
    const env = { KILT_RELAY_METRICS_TOKEN: 'from-env-0123456789' }
    expect(loadConfig([], env).metricsToken).toBe('from-env-0123456789')
    expect(loadConfig(['--metrics-token', 'from-flag-0123456789'], env).metricsToken).toBe(
      'from-flag-0123456789',
    )
    for (const bad of ['short', 'has space 0123456789'])
      expect(() => loadConfig(['--metrics-token', bad], {})).toThrow(/metricsToken/)
  })

  it('takes public URLs from --public-url or KILT_RELAY_PUBLIC_URL as origins, checked', () => {
    expect(loadConfig([], {}).publicUrl).toBeUndefined()
    const env = { KILT_RELAY_PUBLIC_URL: 'https://relay.example/x/, http://127.0.0.1:8787' }
    expect(loadConfig([], env).publicUrl).toEqual(['https://relay.example', 'http://127.0.0.1:8787'])
    expect(loadConfig(['--public-url', 'https://flag.example:8443'], env).publicUrl).toEqual([
      'https://flag.example:8443',
    ])
    for (const bad of ['relay.example', 'ftp://relay.example', ','])
      expect(() => loadConfig(['--public-url', bad], {})).toThrow(/publicUrl/)
  })

  it('takes CORS origins from --cors or KILT_RELAY_CORS_ORIGINS, each an exact origin, at least one', () => {
    expect(loadConfig(['--cors', 'https://a.example, http://localhost:5173'], {}).corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ])
    expect(loadConfig([], { KILT_RELAY_CORS_ORIGINS: '*' }).corsOrigins).toBe('*')
    for (const bad of [',', ' ', 'https://a.example/', 'https://A.example', 'a.example'])
      expect(() => loadConfig(['--cors', bad], {})).toThrow(/^--cors/)
    expect(() => loadConfig([], { KILT_RELAY_CORS_ORIGINS: ' , ' })).toThrow(/^KILT_RELAY_CORS_ORIGINS/)
    // an empty list in a config file names nobody either (as `--cors ','`): refused, naming the file
    const file = join(tmpdir(), `kilt-relay-cors-${process.pid}.json`)
    writeFileSync(file, JSON.stringify({ corsOrigins: [] }))
    expect(() => loadConfig(['--config', file], {})).toThrow(/corsOrigins.*names no origin/)
    writeFileSync(file, JSON.stringify({ corsOrigins: ['https://a.example'] }))
    expect(loadConfig(['--config', file], {}).corsOrigins).toEqual(['https://a.example'])
    rmSync(file, { force: true })
  })

  it('layers file < environment < flags', () => {
    const file = join(tmpdir(), `kilt-relay-config-${process.pid}.json`)
    writeFileSync(
      file,
      JSON.stringify({
        port: 1000,
        host: '0.0.0.0',
        limits: { maxEnvelopeBytes: 1000, maxBatch: 5 },
        corsOrigins: ['https://a'],
      }),
    )
    const c = loadConfig(['--config', file, '--port', '3000'], {
      KILT_RELAY_PORT: '2000',
      KILT_RELAY_LIMIT_MAX_BATCH: '7',
      KILT_RELAY_POSTGRES: 'postgres://x/y',
    })
    expect(c.port).toBe(3000)
    expect(c.host).toBe('0.0.0.0')
    expect(c.limits).toEqual({ maxEnvelopeBytes: 1000, maxBatch: 7 })
    expect(c.corsOrigins).toEqual(['https://a'])
    expect(c.postgres).toBe('postgres://x/y')
    expect(c.db).toBeUndefined()
    expect(
      loadConfig([], { KILT_RELAY_RESOLVER_URL: 'https://r.example/1.0/identifiers/' }).resolverUrl,
    ).toBe('https://r.example/1.0/identifiers/')
    // A flag naming SQLite overrides PostgreSQL from the environment.
    expect(loadConfig(['--db', 'x.db'], { KILT_RELAY_POSTGRES: 'postgres://x/y' })).toMatchObject({
      db: 'x.db',
    })
  })

  /** The error `loadConfig` throws, which must be a MessagingError ERR_ARGUMENT_INVALID. */
  function refusal(argv: unknown, env: unknown): MessagingError {
    try {
      loadConfig(argv as string[], env as Record<string, string>)
    } catch (e) {
      expect(e).toBeInstanceOf(MessagingError)
      expect((e as MessagingError).code).toBe('ERR_ARGUMENT_INVALID')
      return e as MessagingError
    }
    throw new Error(`loadConfig accepted ${JSON.stringify([argv, env])}`)
  }

  const configDir = mkdtempSync(join(tmpdir(), 'kilt-relay-config-'))
  afterAll(() => rmSync(configDir, { recursive: true, force: true }))
  let configFiles = 0
  function configFile(content: unknown): string {
    const file = join(configDir, `${++configFiles}.json`)
    writeFileSync(file, JSON.stringify(content))
    return file
  }

  it.each([
    [['--port', '70000'], {}, /^--port must be an integer of 0\.\.65535$/],
    [['--port', 'abc'], {}, /^--port /],
    [[], { KILT_RELAY_PORT: '8080x' }, /^KILT_RELAY_PORT /],
    [['--nope'], {}, /^Unknown option '--nope' \(kilt-relay --help lists the flags\)$/],
    [['--port'], {}, /'--port <value>'/],
    [['stray'], {}, /'stray'/],
    [['--trust-proxy=false'], {}, /'--trust-proxy'/],
    [[], { KILT_RELAY_LOG_LEVEL: 'loud' }, /^KILT_RELAY_LOG_LEVEL /],
    [
      [],
      { KILT_RELAY_LIMIT_MAX_BATCH: '-1' },
      /^KILT_RELAY_LIMIT_MAX_BATCH: "limits.maxBatch" must be a positive/,
    ],
    [
      [],
      { KILT_RELAY_DB: 'a.db', KILT_RELAY_POSTGRES: 'postgres://x' },
      /KILT_RELAY_DB .*KILT_RELAY_POSTGRES/,
    ],
    [
      ['--config', '/nonexistent/file.json'],
      {},
      /^cannot read config file \/nonexistent\/file\.json \(--config\)/,
    ],
    [[], { KILT_RELAY_CONFIG: '/nonexistent/file.json' }, /\(KILT_RELAY_CONFIG\)/],
    [['--config', ''], {}, /^--config /],
    [['--resolver-url', 'ftp://x'], {}, /^--resolver-url /],
    [['--resolver-url', 'https://r.example/?q=1'], {}, /^--resolver-url /],
    [['--deployment-id', 'x'.repeat(129)], {}, /^--deployment-id: "deploymentId"/],
  ])('refuses %j %j with ERR_ARGUMENT_INVALID naming the flag or variable', (argv, env, message) => {
    expect(refusal(argv, env).message).toMatch(message)
  })

  it('refuses limits of 0 where createRelay does, naming the variable or config key', () => {
    for (const name of ['MAX_BATCH', 'MAX_ENVELOPE_BYTES', 'MAILBOX_MAX_COUNT', 'LIVE_WINDOW'])
      expect(refusal([], { [`KILT_RELAY_LIMIT_${name}`]: '0' }).message).toMatch(
        new RegExp(`^KILT_RELAY_LIMIT_${name}: "limits\\.[a-zA-Z]+" must be a positive integer$`),
      )
    const file = configFile({ limits: { mailboxMaxBytes: 0 } })
    expect(refusal(['--config', file], {}).message).toBe(
      `config file ${file} (--config): "limits.mailboxMaxBytes" must be a positive integer`,
    )
    expect(refusal(['--config', configFile({ limits: { nope: 1 } })], {}).message).toMatch(
      /: "limits\.nope" is not a limit$/,
    )
    // The rate limits still take 0 (disabled).
    expect(loadConfig([], { KILT_RELAY_LIMIT_IP_REQUESTS_PER_MINUTE: '0' }).limits).toEqual({
      ipRequestsPerMinute: 0,
    })
  })

  it('refuses lifetimes no timer can hold, as createRelay does', () => {
    expect(refusal([], { KILT_RELAY_TOKEN_TTL_MS: String(2 ** 31) }).message).toMatch(
      /^KILT_RELAY_TOKEN_TTL_MS: "tokenTtlMs" must be a positive integer of at most 2147483647$/,
    )
    expect(refusal(['--message-ttl-ms', '0'], {}).message).toMatch(/^--message-ttl-ms: "messageTtlMs"/)
    expect(loadConfig([], { KILT_RELAY_TOKEN_TTL_MS: String(2 ** 31 - 1) }).tokenTtlMs).toBe(2 ** 31 - 1)
  })

  it('reads trustProxy as true/1, false/0 or a list of proxies, and refuses anything else naming its source', () => {
    expect(loadConfig([], {}).trustProxy).toBeUndefined()
    expect(loadConfig(['--trust-proxy'], {}).trustProxy).toBe(true)
    for (const [v, want] of [
      ['1', true],
      ['true', true],
      ['0', false],
      ['false', false],
    ] as const)
      expect(loadConfig([], { KILT_RELAY_TRUST_PROXY: v }).trustProxy).toBe(want)
    expect(loadConfig(['--config', configFile({ trustProxy: false })], {}).trustProxy).toBe(false)
    expect(loadConfig(['--config', configFile({ trustProxy: true })], {}).trustProxy).toBe(true)
    // The environment overrides the file, the flag both.
    const on = configFile({ trustProxy: true })
    expect(loadConfig(['--config', on], { KILT_RELAY_TRUST_PROXY: '0' }).trustProxy).toBe(false)
    expect(loadConfig(['--trust-proxy'], { KILT_RELAY_TRUST_PROXY: 'false' }).trustProxy).toBe(true)
    // anything else is a list of trusted proxies, checked as createRelay checks it
    for (const list of ['10.0.0.0/8', '10.0.0.0/8, loopback', '192.0.2.7,2001:db8::/32'])
      expect(loadConfig([], { KILT_RELAY_TRUST_PROXY: list }).trustProxy).toBe(list)
    expect(loadConfig(['--config', configFile({ trustProxy: '192.0.2.7' })], {}).trustProxy).toBe('192.0.2.7')
    const notProxies = '"trustProxy" must be a boolean or comma-separated proxy addresses'
    for (const bad of ['yes', 'on', 'TRUE', '2', '10.0.0.0/33', '10.0.0.1,'])
      expect(refusal([], { KILT_RELAY_TRUST_PROXY: bad }).message).toMatch(
        new RegExp(`^KILT_RELAY_TRUST_PROXY: ${notProxies}`),
      )
    for (const bad of ['on', 1, null, ['true']]) {
      const file = configFile({ trustProxy: bad })
      expect(refusal(['--config', file], {}).message).toMatch(
        new RegExp(`^config file ${file} \\(--config\\): ${notProxies}`),
      )
    }
  })

  it('refuses unknown config file keys', () => {
    const file = configFile({ port: 1, trust_proxy: true })
    expect(refusal([], { KILT_RELAY_CONFIG: file }).message).toBe(
      `config file ${file} (KILT_RELAY_CONFIG): unknown key "trust_proxy"`,
    )
  })

  it('refuses argv and env that are not an array of strings and an object', () => {
    for (const [argv, env] of [
      [null, {}],
      [undefined, {}],
      ['--port 1', {}],
      [[1], {}],
      [[], null],
      [[], undefined],
      [[], []],
      [[], { KILT_RELAY_PORT: 8080 }],
    ])
      expect(refusal(argv, env).message).toMatch(/^("argv"|"env"|KILT_RELAY_PORT) must be/)
  })
})
