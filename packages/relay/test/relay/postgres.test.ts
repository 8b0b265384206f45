/**
 * Two relay instances on one PostgreSQL database: cross-instance live delivery and shared tokens.
 * Needs KILT_TEST_POSTGRES_URL (skipped with a message otherwise).
 */
import { createRelayClient } from '@kilt-messaging/core'
import type { FastifyInstance } from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createRelay } from '../../src/index.js'
import { createPostgresStore, type PostgresMailboxStore } from '../../src/store/index.js'
import { envelope, makeIdentity } from '../helpers/identities.js'
import { buildRelay, startRelayProcess } from '../helpers/process.js'
import { pgAvailable } from '../store/helpers.js'

const url = process.env.KILT_TEST_POSTGRES_URL
const hasPg = pgAvailable('relay/postgres.test.ts')

const schema = `relay_live_${process.pid}`
const apps: FastifyInstance[] = []
const stores: PostgresMailboxStore[] = []

afterAll(async () => {
  for (const a of apps) await a.close()
  if (stores[0] !== undefined) await stores[0].pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  for (const s of stores) await s.close()
})

async function instance(): Promise<string> {
  const store = createPostgresStore({ connectionString: url!, schema })
  stores.push(store)
  const app = await createRelay({ store, logger: false, expireIntervalMs: 0 })
  apps.push(app)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return `http://127.0.0.1:${address.port}`
}

describe.skipIf(!hasPg)('two relay instances on one PostgreSQL database', () => {
  it('pushes a deposit made on instance B to a live socket on instance A; tokens work on both', async () => {
    const [a, b] = [await instance(), await instance()]
    const receiver = makeIdentity('sr25519')
    const login = {
      did: receiver.did,
      keyUri: receiver.authKeyUri,
      sign: (d: Uint8Array) => receiver.auth.sign(d),
    }
    const onA = createRelayClient({ url: a, WebSocket })
    await onA.login(login)
    const got: string[] = []
    let open = false
    const sub = onA.subscribe((m) => void got.push(m.id), { onOpen: () => (open = true) })
    await expect.poll(() => open, { timeout: 5000 }).toBe(true)

    const sender = createRelayClient({ url: b })
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await sender.send(envelope(makeIdentity(), receiver))).id)
    await expect.poll(() => got.length, { timeout: 10_000 }).toBe(5)
    expect(got).toEqual(ids)

    expect(await sub.ack(ids.slice(0, 2))).toBe(2)
    // Same deployment secret: the token from A lists on B.
    const onB = createRelayClient({ url: b })
    await onB.login(login)
    expect((await onB.fetchInbox()).messages.map((m) => m.id)).toEqual(ids.slice(2))
    sub.close()
  })
})

describe.skipIf(!hasPg)('kilt-relay bin on PostgreSQL', () => {
  it('creates its tables in the schema given by --postgres-schema', async () => {
    buildRelay()
    const binSchema = `relay_bin_${process.pid}`
    const p = await startRelayProcess(
      ['--port', '0', '--postgres', url!, '--postgres-schema', binSchema, '--log-level', 'warn'],
      { KILT_RELAY_DB: '', KILT_RELAY_CONFIG: '' },
    )
    try {
      const r = await fetch(`${p.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(envelope(makeIdentity(), makeIdentity())),
      })
      expect(r.status).toBe(201)
      const check = createPostgresStore({ connectionString: url!, schema: binSchema })
      await check.init()
      try {
        expect(await check.depth()).toBe(1)
        await check.pool.query(`DROP SCHEMA ${binSchema} CASCADE`)
      } finally {
        await check.close()
      }
    } finally {
      p.child.kill('SIGTERM')
      await p.exited
    }
  }, 240_000)
})
