/**
 * Relay benchmark (`npm run bench:relay`): deposits/s of the relay against a bare-Fastify ceiling,
 * deposit → live-push delivery latency and the relay's memory, on SQLite and (when configured)
 * PostgreSQL. Everything on loopback; autocannon (programmatic) in this process, every server in a
 * child process so the load generator never shares its event loop.
 *
 * 1. ceiling: bare Fastify (same version, same deposit body limit) parsing the JSON body, 201, no store
 * 2. relay on SQLite: the bin (`packages/relay/dist/bin.js`, temp file, synchronous=FULL, log level
 *    warn, rate limits off and mailbox quotas raised through `KILT_RELAY_LIMIT_*`)
 * 3. delivery latency: a light-DID receiver logged in with the core relay client over WebSocket, a
 *    sender depositing 1,000 messages/s (real `encryptMessage` envelopes, matched by nonce)
 * 4. memory: the relay child's peak VmRSS (from /proc) during each case
 * 5. PostgreSQL: the same with `createPostgresStore` in a fresh schema (dropped afterwards) when
 *    `KILT_BENCH_POSTGRES_URL` or `KILT_TEST_POSTGRES_URL` is set (child: bench/lib/relay/server.mjs)
 *
 * Usage: `npm run bench:relay [-- flags]`; flags: `--json` (one JSON object on stdout, progress on
 * stderr), `--quick` (3 s passes), `--seconds <n>` (per pass, default 10), `--passes <n>` (default 3),
 * `--connections <n>` (default 50), `--rate <n>` (delivery deposits/s, default 1000), `--mailboxes <n>`
 * (receivers of the deposit passes, default 20: each connection cycles through them),
 * `--real-envelope` (POST a whole 1.2 KB real envelope instead of the ~700-byte one), `--no-postgres`,
 * `--cpu-prof` (the relay children write V8 CPU profiles into a printed directory, kept).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { peakSampler, startServer } from './lib/relay/child.mjs'
import { makeDepositBody, makeEnvelopes, makeFullIdentity, makeIdentity } from './lib/relay/fixtures.mjs'
import { bestOf, deliveryPass } from './lib/relay/load.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..')
const { values: flags } = parseArgs({
  options: {
    json: { type: 'boolean' },
    quick: { type: 'boolean' },
    seconds: { type: 'string' },
    passes: { type: 'string' },
    connections: { type: 'string' },
    rate: { type: 'string' },
    mailboxes: { type: 'string' },
    'real-envelope': { type: 'boolean' },
    'no-postgres': { type: 'boolean' },
    'cpu-prof': { type: 'boolean' },
  },
})
const JSON_OUT = flags.json === true
const QUICK = flags.quick === true
const SECONDS = Number(flags.seconds ?? (QUICK ? 3 : 10))
const PASSES = Number(flags.passes ?? (QUICK ? 2 : 3))
const WARMUP = QUICK ? 1 : 3
const CONNECTIONS = Number(flags.connections ?? 50)
const RATE = Number(flags.rate ?? 1000)
const MAILBOXES = Number(flags.mailboxes ?? 20)
const DELIVERY_SECONDS = QUICK ? 4 : 10
const DELIVERY_WARMUP = 1
const PG_URL = flags['no-postgres']
  ? undefined
  : (process.env.KILT_BENCH_POSTGRES_URL ?? process.env.KILT_TEST_POSTGRES_URL)
for (const [name, v] of Object.entries({ SECONDS, PASSES, CONNECTIONS, RATE, MAILBOXES }))
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`)

const log = JSON_OUT ? (...a) => process.stderr.write(`${a.join(' ')}\n`) : (...a) => console.log(...a)

/** The relay's limits for the bench: no rate limits, mailbox quotas out of reach. */
const BENCH_LIMITS = {
  ipRequestsPerMinute: 0,
  ipMailboxDepositsPerMinute: 0,
  mailboxDepositsPerMinute: 0,
  mailboxMaxCount: 1_000_000_000,
  mailboxMaxBytes: 1_000_000_000_000,
}
const limitEnv = Object.fromEntries(
  Object.entries(BENCH_LIMITS).map(([k, v]) => [
    `KILT_RELAY_LIMIT_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
    String(v),
  ]),
)

/** A DID resolution driver on loopback that answers 404 notFound for every DID; closed at exit. */
let resolverServer
async function emptyResolver() {
  if (resolverServer === undefined) {
    resolverServer = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"notFound"}')
    })
    await new Promise((resolve) => resolverServer.listen(0, '127.0.0.1', resolve))
    resolverServer.unref()
  }
  return `http://127.0.0.1:${resolverServer.address().port}`
}

const tmp = mkdtempSync(join(tmpdir(), 'kilt-relay-bench-'))
const profDir = flags['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'kilt-relay-bench-prof-')) : undefined
const nodeArgs = profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`]
const servers = new Set()
let pgSchema
const results = []
const notes = []

async function start(options) {
  const s = await startServer(options)
  servers.add(s)
  return s
}
async function stop(s) {
  const code = await s.stop()
  servers.delete(s)
  if (code !== 0) notes.push(`a server exited with ${code}: ${s.stderr().slice(-400)}`)
}

/** Deposit passes and the delivery pass against one relay child. */
async function relayCases(name, server, body, ceiling, delivery) {
  log(`  ${name}: deposits (${CONNECTIONS} connections, ${PASSES} × ${SECONDS} s after ${WARMUP} s warm-up)`)
  const mem = peakSampler(server.rssMb)
  const d = await bestOf({
    url: server.url,
    body,
    connections: CONNECTIONS,
    seconds: SECONDS,
    passes: PASSES,
    warmupSeconds: WARMUP,
    log,
  })
  const depositRss = mem.stop()
  results.push({
    case: `${name} deposit`,
    reqPerSec: Math.round(d.reqPerSec),
    p50Ms: d.p50Ms,
    p99Ms: d.p99Ms,
    ratioToCeiling: ceiling === undefined ? undefined : round(d.reqPerSec / ceiling, 3),
    rssMb: round(depositRss, 1),
    passes: d.passes,
    errors: d.bad,
  })
  log(
    `  ${name}: delivery latency (${RATE} deposits/s for ${DELIVERY_SECONDS} s after ${DELIVERY_WARMUP} s warm-up)`,
  )
  const mem2 = peakSampler(server.rssMb)
  const l = await deliveryPass({
    url: server.url,
    ...delivery,
    rate: RATE,
    warmupSeconds: DELIVERY_WARMUP,
    log,
  })
  const deliveryRss = mem2.stop()
  results.push({
    case: `${name} delivery`,
    reqPerSec: Math.round(l.reqPerSec),
    p50Ms: round(l.p50Ms, 2),
    p99Ms: round(l.p99Ms, 2),
    rssMb: round(deliveryRss, 1),
    maxMs: round(l.maxMs, 1),
    depositP50Ms: round(l.depositP50Ms, 2),
    depositP99Ms: round(l.depositP99Ms, 2),
    measured: l.measured,
    lost: l.lost,
    errors: l.not201,
  })
}

function round(x, digits) {
  if (x === undefined || x === null || !Number.isFinite(x)) return undefined
  const f = 10 ** digits
  return Math.round(x * f) / f
}

async function main() {
  const load0 = loadavg()
  log(
    `relay bench: ${PASSES} passes × ${SECONDS} s, ${CONNECTIONS} connections; loadavg ${load0.map((x) => x.toFixed(2)).join(' ')}`,
  )
  const sender = makeFullIdentity()
  const depositReceivers = Array.from({ length: MAILBOXES }, () => makeFullIdentity())
  const liveReceiver = makeIdentity()
  const bodies = []
  for (const r of depositReceivers)
    bodies.push(await makeDepositBody(sender, r, flags['real-envelope'] ? 0 : 700))
  const deposit = { json: bodies.map((b) => b.json), bytes: bodies[0].bytes, real: bodies[0].real }
  log(
    `  deposit bodies: ${deposit.bytes} bytes (${deposit.real ? 'real envelopes' : 'real envelopes with their ciphertext cut to fit'}), to ${MAILBOXES} receiver mailbox(es)`,
  )
  const count = RATE * (DELIVERY_SECONDS + DELIVERY_WARMUP)
  log(`  encrypting ${count} envelopes for the delivery passes…`)
  const envelopes = await makeEnvelopes(sender, liveReceiver, count)
  const delivery = { receiver: liveReceiver, envelopes }

  // 1. ceiling
  log(
    `  ceiling: bare Fastify (${CONNECTIONS} connections, ${PASSES} × ${SECONDS} s after ${WARMUP} s warm-up)`,
  )
  const bare = await start({ script: join(here, 'lib/relay/server.mjs'), args: ['ceiling'] })
  const c = await bestOf({
    url: bare.url,
    body: deposit.json,
    connections: CONNECTIONS,
    seconds: SECONDS,
    passes: PASSES,
    warmupSeconds: WARMUP,
    log,
  })
  await stop(bare)
  const ceiling = c.reqPerSec
  results.push({
    case: 'ceiling (bare Fastify)',
    reqPerSec: Math.round(c.reqPerSec),
    p50Ms: c.p50Ms,
    p99Ms: c.p99Ms,
    ratioToCeiling: 1,
    passes: c.passes,
    errors: c.bad,
  })

  // 2–4. SQLite via the bin
  const sqlite = await start({
    script: join(repo, 'packages/relay/dist/bin.js'),
    args: ['--db', join(tmp, 'relay.db'), '--port', '0', '--log-level', 'warn'],
    env: {
      ...limitEnv,
      KILT_RELAY_CONFIG: '',
      KILT_RELAY_POSTGRES: '',
      KILT_RELAY_SYNCHRONOUS: 'FULL',
      // Deposits go to full DIDs, which a relay accepts only with a full-DID resolver: a stand-in
      // driver that knows no DID (so the light-DID receiver of the delivery pass is not upgraded).
      KILT_RELAY_RESOLVER_URL: await emptyResolver(),
    },
    nodeArgs,
  })
  await relayCases('sqlite', sqlite, deposit.json, ceiling, delivery)
  await stop(sqlite)

  // 5. PostgreSQL in a fresh schema
  if (PG_URL !== undefined && PG_URL !== '') {
    pgSchema = `kilt_bench_${randomBytes(6).toString('hex')}`
    const server = await start({
      script: join(here, 'lib/relay/server.mjs'),
      args: ['relay-postgres'],
      env: {
        KILT_BENCH_SERVER: JSON.stringify({
          connectionString: PG_URL,
          schema: pgSchema,
          limits: BENCH_LIMITS,
        }),
      },
      nodeArgs,
    })
    await relayCases('postgres', server, deposit.json, ceiling, delivery)
    await stop(server)
  } else notes.push('PostgreSQL skipped: set KILT_BENCH_POSTGRES_URL or KILT_TEST_POSTGRES_URL')

  const load1 = loadavg()
  report(load0, load1, deposit)
}

function report(load0, load1, deposit) {
  const clean = results.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)))
  const KEYS = ['case', 'reqPerSec', 'p50Ms', 'p99Ms', 'ratioToCeiling', 'rssMb']
  if (JSON_OUT)
    process.stdout.write(
      `${JSON.stringify({
        results: clean.map((r) => Object.fromEntries(KEYS.filter((k) => k in r).map((k) => [k, r[k]]))),
      })}\n`,
    )
  // The table (on stderr with --json).
  const rows = [['case', 'req/s', 'p50 ms', 'p99 ms', '÷ ceiling', 'RSS MB', 'notes']]
  for (const r of clean) {
    const note = []
    if (r.passes !== undefined) note.push(`passes ${r.passes.join('/')}`)
    if (r.maxMs !== undefined)
      note.push(
        `max ${r.maxMs} ms; POST→201 p50/p99 ${r.depositP50Ms}/${r.depositP99Ms} ms; ${r.measured} measured, lost ${r.lost}`,
      )
    if (r.errors > 0) note.push(`${r.errors} non-2xx/errors`)
    rows.push([
      r.case,
      String(r.reqPerSec),
      String(r.p50Ms),
      String(r.p99Ms),
      r.ratioToCeiling === undefined ? '' : r.ratioToCeiling.toFixed(2),
      r.rssMb === undefined ? '' : r.rssMb.toFixed(0),
      note.join('; '),
    ])
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  log('')
  for (const [k, row] of rows.entries()) {
    log(
      row
        .map((cell, i) => (i === 0 || i === 6 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  '),
    )
    if (k === 0) log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
  log('')
  log('targets: deposit ÷ ceiling ≥ 0.50, delivery p99 < 20 ms, RSS < 200 MB')
  log(
    `deposit body ${deposit.bytes} bytes to ${MAILBOXES} mailbox(es); delivery: ${RATE}/s, latency = POST start → onMessage of the live client; RSS = peak VmRSS of the relay child process during the case`,
  )
  log(
    `node ${process.version}; loadavg at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}`,
  )
  for (const n of notes) log(`note: ${n}`)
  if (profDir !== undefined) log(`CPU profiles of the relay children: ${profDir}`)
}

async function cleanup() {
  for (const s of [...servers]) await stop(s).catch(() => {})
  if (pgSchema !== undefined) {
    const client = new pg.Client({ connectionString: PG_URL })
    try {
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`)
    } finally {
      await client.end().catch(() => {})
    }
  }
  rmSync(tmp, { recursive: true, force: true })
}

let failed = false
try {
  await main()
} catch (e) {
  failed = true
  process.stderr.write(`bench:relay failed: ${e?.stack ?? e}\n`)
} finally {
  await cleanup().catch((e) => {
    failed = true
    process.stderr.write(`cleanup failed: ${e?.message ?? e}\n`)
  })
}
process.exit(failed ? 1 : 0)
