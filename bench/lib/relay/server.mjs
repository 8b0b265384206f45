/**
 * Child process of the relay benchmark. Usage: `node server.mjs <mode>` with a JSON config in the
 * environment variable `KILT_BENCH_SERVER` (modes: `ceiling`, `relay-postgres`, `relay-sqlite`).
 *
 * - `ceiling`: a bare Fastify (the relay's version, no logger) with the relay's deposit body limit;
 *   `POST /v1/messages` lets Fastify parse the JSON body and answers 201 with a receipt-shaped body,
 *   storing nothing.
 * - `relay-postgres` / `relay-sqlite`: `createRelay` on `createPostgresStore({ connectionString,
 *   schema })` / `createSqliteStore({ file })` with the given limits and a pino logger at `warn`
 *   (as the bin with `--log-level warn`). Used for PostgreSQL because the bin cannot choose a schema.
 *
 * Prints `listening on http://…` when ready; SIGTERM closes the server (and the store) and exits 0.
 */
import { randomBytes } from 'node:crypto'
import Fastify from 'fastify'
import { pino } from 'pino'

const mode = process.argv[2]
const config = JSON.parse(process.env.KILT_BENCH_SERVER ?? '{}')

/** The relay's deposit route body limit with its default limits (see packages/relay/src/lib/app.ts). */
const DEPOSIT_BODY_LIMIT = Math.max(4 * 1024 * 1024, 256 * 1024 + 4096)

async function ceiling() {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 })
  app.post('/v1/messages', { bodyLimit: DEPOSIT_BODY_LIMIT }, async (request, reply) => {
    const body = request.body
    if (typeof body !== 'object' || body === null) return reply.status(400).send({ error: 'body' })
    return reply.status(201).send({ id: randomBytes(12).toString('base64url'), receivedAt: Date.now() })
  })
  return { app, close: async () => {} }
}

async function relay(kind) {
  const { createRelay, createPostgresStore, createSqliteStore } = await import(
    '../../../packages/relay/dist/index.js'
  )
  const { createRegistryResolver } = await import('../../../packages/core/dist/index.js')
  const store =
    kind === 'postgres'
      ? createPostgresStore({ connectionString: config.connectionString, schema: config.schema })
      : createSqliteStore({ file: config.file, synchronous: 'FULL' })
  const app = await createRelay({
    store,
    logger: pino({ level: 'warn' }),
    limits: config.limits ?? {},
    // Deposits go to full DIDs: the relay accepts them only with a full-DID resolver (never called here).
    resolver: createRegistryResolver([]),
  })
  return { app, close: () => store.close() }
}

const server =
  mode === 'ceiling'
    ? await ceiling()
    : mode === 'relay-postgres'
      ? await relay('postgres')
      : mode === 'relay-sqlite'
        ? await relay('sqlite')
        : (() => {
            throw new Error(`unknown mode ${mode}`)
          })()

await server.app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`listening on http://127.0.0.1:${server.app.server.address().port}\n`)

let stopping = false
process.on('SIGTERM', () => {
  if (stopping) return
  stopping = true
  server.app
    .close()
    .then(() => server.close())
    .then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`close failed: ${e?.message ?? e}\n`)
        process.exit(1)
      },
    )
})
