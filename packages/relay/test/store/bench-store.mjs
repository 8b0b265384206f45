// Deposits/s through the store API alone (no HTTP), with group commit, SQLite (FULL) and PostgreSQL.
// Not a test. Usage: node packages/relay/test/store/bench-store.mjs [seconds=5] [inFlight=200] [mailboxes=50]
// PostgreSQL is measured when KILT_TEST_POSTGRES_URL is set (a random schema, dropped afterwards).
// KILT_BENCH_STORES=postgres (or sqlite) measures only that store. KILT_BENCH_SRC=<dir> takes the
// sources from another checkout (e.g. `git archive <commit> packages | tar -x -C <dir>`) for A/B runs.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import pg from 'pg'
import ts from 'typescript'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '../../../..')
const seconds = Number(process.argv[2] ?? 5)
const inFlight = Number(process.argv[3] ?? 200)
const mailboxCount = Number(process.argv[4] ?? 50)
const only = process.env.KILT_BENCH_STORES ?? ''

// Node 20 cannot run TypeScript: transpile src/store (and core's errors) into a temp directory.
const tmp = mkdtempSync(join(tmpdir(), 'kilt-bench-'))
symlinkSync(join(repo, 'node_modules'), join(tmp, 'node_modules'), 'dir')
const build = join(tmp, 'build')
const coreOut = join(build, 'core-errors.js')
function transpile(src, out) {
  const js = ts.transpileModule(readFileSync(src, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  }).outputText
  let rel = relative(dirname(out), coreOut).split(sep).join('/')
  if (!rel.startsWith('.')) rel = `./${rel}`
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, js.replaceAll("from '@kilt-messaging/core'", `from '${rel}'`))
}
const walk = (d) =>
  readdirSync(d).flatMap((n) =>
    statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.ts') ? [join(d, n)] : [],
  )
const srcRoot = process.env.KILT_BENCH_SRC ?? repo
transpile(join(srcRoot, 'packages/core/src/errors.ts'), coreOut)
const storeSrc = join(srcRoot, 'packages/relay/src/store')
for (const f of walk(storeSrc)) transpile(f, join(build, relative(storeSrc, f).replace(/\.ts$/, '.js')))
const { createSqliteStore, createPostgresStore } = await import(pathToFileURL(join(build, 'index.js')).href)

const envelope = JSON.stringify({
  receivedAt: Date.now(),
  senderKeyUri: 'did:kilt:4rrzTRmFCgYXhT8QZQuQ3ZbXiEmfbTbzhTxGp8zoXXd8eaNV#0x1234',
  receiverKeyUri: 'did:kilt:4siJtc4dYq2gPre8Xj6KJcSjVAdi1gmjctUzjf3AwrtNnhvy#0x5678',
  nonce: `0x${'ab'.repeat(24)}`,
  ciphertext: `0x${'cd'.repeat(230)}`,
})
const size = Buffer.byteLength(envelope)
const quota = { maxCount: 1e9, maxBytes: 1e15 }

async function run(name, store) {
  await store.init()
  let done = 0
  let stop = false
  const lat = []
  const worker = async (w) => {
    while (!stop) {
      const t = performance.now()
      const now = Date.now()
      await store.deposit(
        [
          {
            mailbox: `mb${w % mailboxCount}`,
            envelope,
            senderKeyUri: 's',
            size,
            receivedAt: now,
            expiresAt: now + 86_400_000,
          },
        ],
        quota,
      )
      lat.push(performance.now() - t)
      done++
    }
  }
  const started = performance.now()
  const workers = Array.from({ length: inFlight }, (_, w) => worker(w))
  await new Promise((r) => setTimeout(r, seconds * 1000))
  stop = true
  await Promise.all(workers)
  const elapsed = (performance.now() - started) / 1000
  lat.sort((a, b) => a - b)
  const q = (p) => lat[Math.floor(p * (lat.length - 1))].toFixed(1)
  console.log(
    `${name}: ${Math.round(done / elapsed)} deposits/s (${done} in ${elapsed.toFixed(1)} s, ${inFlight} in flight over ${mailboxCount} mailboxes, ${size}-byte envelopes), latency p50 ${q(0.5)} ms p99 ${q(0.99)} ms`,
  )
  await store.close()
}

try {
  if (only !== 'postgres') {
    await run('SQLite FULL, group commit', createSqliteStore({ file: join(tmp, 'bench.db') }))
    await run(
      'SQLite NORMAL, group commit',
      createSqliteStore({ file: join(tmp, 'bench-normal.db'), synchronous: 'NORMAL' }),
    )
  }
  const url = process.env.KILT_TEST_POSTGRES_URL
  if (only === 'sqlite') {
    // PostgreSQL not requested
  } else if (url) {
    const schema = `bench_${process.pid}`
    try {
      await run('PostgreSQL, unnest batches', createPostgresStore({ connectionString: url, schema }))
    } finally {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await c.end()
    }
  } else {
    console.log('PostgreSQL: skipped (KILT_TEST_POSTGRES_URL unset)')
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
