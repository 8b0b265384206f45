/**
 * Resource and input hardening of the relay on its real stores (SQLite always, PostgreSQL when
 * KILT_TEST_POSTGRES_URL is set): byte-bounded inbox pages, control characters in key URIs, length
 * limits shared by the HTTP layer and the store, per-mailbox live sessions, oversized batches.
 */
import { get as httpGet } from 'node:http'
import { connect } from 'node:net'
import { didSubject } from '@kilt-messaging/core'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createRelay, type Limits, type MailboxStore, type RelayOptions } from '../../src/index.js'
import { createPostgresStore, createSqliteStore } from '../../src/store/index.js'
import { envelope, type Identity, makeIdentity } from '../helpers/identities.js'
import { relayToken } from '../helpers/token.js'
import { dropSchema, PG_URL, pgAvailable, pgQuery, randomSchema, tempDir } from '../store/helpers.js'

const INJECT_HOST = 'localhost:80'
const hasPg = pgAvailable('relay/hardening.test.ts')

interface Backend {
  readonly name: string
  open(): {
    store: MailboxStore
    destroy: () => Promise<void>
    /** Runs SQL on another connection of the store's database; `{s}` is the schema prefix of its tables. */
    sql: (text: string) => Promise<void>
    /** PostgreSQL: the store's schema. */
    schema?: string
  }
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    open() {
      const dir = tempDir()
      const file = `${dir.dir}/relay.db`
      const store = createSqliteStore({ file })
      const sql = async (text: string) => {
        const db = new Database(file)
        try {
          db.exec(text.replaceAll('{s}', ''))
        } finally {
          db.close()
        }
      }
      return { store, destroy: async () => dir.remove(), sql }
    },
  },
]
if (hasPg)
  backends.push({
    name: 'PostgreSQL',
    open() {
      const schema = randomSchema()
      const store = createPostgresStore({ connectionString: PG_URL!, schema })
      const sql = async (text: string) => {
        await pgQuery(PG_URL!, text.replaceAll('{s}', `"${schema}".`))
      }
      return { store, destroy: () => dropSchema(PG_URL!, schema), sql, schema }
    },
  })

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A relay on a fresh store of `backend`, served at http://localhost for `inject`. */
async function relay(
  backend: Backend,
  limits: Partial<Limits> = {},
  extra: Partial<RelayOptions> = {},
): Promise<{
  app: FastifyInstance
  store: MailboxStore
  sql: (text: string) => Promise<void>
  schema: string | undefined
}> {
  const { store, destroy, sql, schema } = backend.open()
  cleanups.push(destroy)
  cleanups.push(() => store.close())
  const app = await createRelay({
    store,
    logger: false,
    expireIntervalMs: 0,
    publicUrl: 'http://localhost',
    limits,
    ...extra,
  })
  cleanups.push(() => app.close())
  return { app, store, sql, schema }
}

function deposit(app: FastifyInstance, payload: unknown, ip = '127.0.0.1') {
  return app.inject({ method: 'POST', url: '/v1/messages', payload: payload as object, remoteAddress: ip })
}

function inbox(app: FastifyInstance, token: string, query: string) {
  return app.inject({
    method: 'GET',
    url: `/v1/inbox?${query}`,
    headers: { authorization: `Bearer ${token}` },
  })
}

const login = (app: FastifyInstance, who: Identity) => relayToken(app, who, INJECT_HOST)

type Frame = { type: string; [k: string]: unknown }

/** Listens on 127.0.0.1; returns the live URL and a token maker for that origin. */
async function listening(app: FastifyInstance) {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  const host = `127.0.0.1:${address.port}`
  return { live: `ws://${host}/v1/inbox/live`, token: (who: Identity) => relayToken(app, who, host) }
}

/** Opens a live socket with a bearer token: 'open' with its frames, or the refused upgrade's status. */
function openLive(
  url: string,
  token: string,
): Promise<{ ws: WebSocket; got: Frame[]; result: 'open' | number }> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } })
  cleanups.push(async () => ws.terminate())
  const got: Frame[] = []
  ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Frame))
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, got, result: 'open' }))
    ws.on('unexpected-response', (_req, res) => {
      res.resume()
      resolve({ ws, got, result: res.statusCode ?? 0 })
    })
    ws.on('error', reject)
  })
}

async function until(check: () => boolean, timeoutMs = 5000, refresh?: () => Promise<void>): Promise<void> {
  const began = Date.now()
  await refresh?.()
  while (!check()) {
    if (Date.now() - began > timeoutMs) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
    await refresh?.()
  }
}

describe.each(backends)('hardening on $name', (backend) => {
  it('bounds an inbox page in bytes; the cursor pages through the rest, an oversized envelope comes alone', async () => {
    const { app } = await relay(backend, { maxPageBytes: 6000 })
    const alice = makeIdentity()
    const bob = makeIdentity()
    // ~2.5 KB each, then one of ~8 KB (over the budget alone), then ~2.5 KB again.
    const sizes = [1000, 1000, 1000, 1000, 1000, 4000, 1000]
    const ids: string[] = []
    for (const n of sizes) {
      const res = await deposit(app, envelope(alice, bob, n))
      expect(res.statusCode).toBe(201)
      ids.push(res.json().id)
    }
    const token = await login(app, bob)
    const pages: string[][] = []
    let after: string | undefined
    for (let i = 0; i < 20; i++) {
      const res = await inbox(app, token, `limit=500${after === undefined ? '' : `&after=${after}`}`)
      expect(res.statusCode).toBe(200)
      const body = res.json() as { messages: Array<{ id: string; envelope: unknown }>; cursor: string | null }
      if (body.messages.length === 0) break
      const bytes = body.messages.reduce((sum, m) => sum + JSON.stringify(m.envelope).length, 0)
      if (body.messages.length > 1) expect(bytes).toBeLessThanOrEqual(6000)
      pages.push(body.messages.map((m) => m.id))
      expect(body.cursor).toBe(body.messages[body.messages.length - 1]!.id)
      after = body.cursor!
    }
    expect(pages.flat()).toEqual(ids)
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1, 1, 1])
  })

  it.each([
    ['NUL', '\u0000'],
    ['a C0 control', '\u0001'],
    ['DEL', '\u007f'],
    ['a C1 control', '\u0085'],
  ])('refuses key URIs and DIDs holding %s with 400, storing nothing', async (_name, c) => {
    const { app, store } = await relay(backend)
    const alice = makeIdentity()
    const bob = makeIdentity()
    const good = envelope(alice, bob)
    for (const bad of [
      { ...good, senderKeyUri: `${alice.did}#x${c}y` },
      { ...good, receiverKeyUri: `${bob.did}#x${c}y` },
      { messages: [good, { ...good, senderKeyUri: `${alice.did}#${c}` }] },
    ]) {
      const res = await deposit(app, bad)
      expect(res.statusCode).toBe(400)
      expect(res.json().error.code).toBe('ERR_ENVELOPE_INVALID')
    }
    expect(await store.depth()).toBe(0)
    const challenge = await app.inject({
      method: 'POST',
      url: '/v1/auth/challenge',
      payload: { did: `${alice.did}${c}` },
    })
    expect(challenge.statusCode).toBe(400)
    expect(challenge.json().error.code).toBe('ERR_REQUEST_INVALID')
    // A good deposit still lands.
    expect((await deposit(app, good)).statusCode).toBe(201)
  })

  it('agrees with the store on lengths: what the HTTP layer accepts is stored, what it refuses is a 4xx', async () => {
    const { app, store } = await relay(backend)
    const alice = makeIdentity()
    const bob = makeIdentity()
    // A challenge longer than the store's old limit (1024): unknown, so 401 — not 503.
    const challenge = `kilt-relay-login/v1\nhttp://localhost\n${'a'.repeat(1100)}`
    const token = await app.inject({
      method: 'POST',
      url: '/v1/auth/token',
      payload: { did: alice.did, challenge, keyUri: alice.authKeyUri, signature: `0x${'00'.repeat(64)}` },
    })
    expect(token.statusCode).toBe(401)
    expect(token.json().error.code).toBe('ERR_CHALLENGE_INVALID')
    // Key URIs up to the HTTP limit (4096) are stored; one more character is refused with 400.
    for (const length of [1254, 4096]) {
      const senderKeyUri = `${alice.did}#${'x'.repeat(length - alice.did.length - 1)}`
      expect(senderKeyUri.length).toBe(length)
      const res = await deposit(app, { ...envelope(alice, bob), senderKeyUri })
      expect(res.statusCode).toBe(201)
    }
    const tooLong = await deposit(app, {
      ...envelope(alice, bob),
      senderKeyUri: `${alice.did}#${'x'.repeat(4096)}`,
    })
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.json().error.code).toBe('ERR_ENVELOPE_INVALID')
    expect(await store.depth()).toBe(2)
    // A long light DID (with a details part) gets a challenge like a short one; over 4096, a 400.
    for (const [length, status] of [
      [1255, 200],
      [4097, 400],
    ] as const) {
      const did = `${alice.did}:z${'1'.repeat(length - alice.did.length - 2)}`
      expect(did.length).toBe(length)
      const res = await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { did } })
      expect(res.statusCode).toBe(status)
    }
  })

  it('answers a value the store refuses with 400, not 503 (store unavailable)', async () => {
    const { store, destroy } = backend.open()
    cleanups.push(destroy)
    cleanups.push(() => store.close())
    // The store itself refuses the over-long mailbox this wrapper hands it.
    const picky: MailboxStore = {
      ...store,
      deposit: (items, quota) =>
        store.deposit(
          items.map((i) => ({ ...i, mailbox: 'x'.repeat(300) })),
          quota,
        ),
    }
    const app = await createRelay({ store: picky, logger: false, expireIntervalMs: 0 })
    cleanups.push(() => app.close())
    const res = await deposit(app, envelope(makeIdentity(), makeIdentity()))
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('ERR_ENVELOPE_INVALID')
  })

  it('an ack that frees no window slot does not rescan the mailbox; one that frees a slot sends more', async () => {
    const { store, destroy } = backend.open()
    cleanups.push(destroy)
    cleanups.push(() => store.close())
    let lists = 0
    const counting: MailboxStore = {
      ...store,
      list: (mailbox, options) => {
        lists++
        return store.list(mailbox, options)
      },
    }
    const app = await createRelay({
      store: counting,
      logger: false,
      expireIntervalMs: 0,
      limits: { liveWindow: 2 },
    })
    cleanups.push(() => app.close())
    const { live, token } = await listening(app)
    const alice = makeIdentity()
    const bob = makeIdentity()
    for (let i = 0; i < 3; i++) expect((await deposit(app, envelope(alice, bob))).statusCode).toBe(201)
    const { ws, got } = await openLive(live, await token(bob))
    const messages = () => got.filter((f) => f.type === 'message')
    const acked = () => got.filter((f) => f.type === 'acked')
    await until(() => messages().length === 2)
    // The window is full (2 of 3 sent). Made-up ids free nothing.
    ws.send(JSON.stringify({ type: 'ping' }))
    await until(() => got.some((f) => f.type === 'pong'))
    const before = lists
    for (let i = 0; i < 10; i++) ws.send(JSON.stringify({ type: 'ack', ids: [`made-up-${i}`] }))
    await until(() => acked().length === 10)
    ws.send(JSON.stringify({ type: 'ping' }))
    await until(() => got.filter((f) => f.type === 'pong').length === 2)
    expect(lists).toBe(before)
    expect(messages().length).toBe(2)
    // A real ack frees a slot: the third message follows.
    ws.send(JSON.stringify({ type: 'ack', ids: [messages()[0]!.id] }))
    await until(() => messages().length === 3)
    expect(acked()[10]).toMatchObject({ deleted: 1 })
  })

  it('caps live sessions per mailbox: 429 before the upgrade, 1013 after a first-frame auth; other mailboxes unaffected', async () => {
    const { app } = await relay(backend, { maxLiveSessionsPerMailbox: 2 })
    const { live } = await listening(app)
    const bob = makeIdentity()
    const carol = makeIdentity()
    const bobToken = await login(app, bob)
    const ready = async (s: { got: Frame[]; result: 'open' | number }) => {
      expect(s.result).toBe('open')
      await until(() => s.got.some((f) => f.type === 'ready'))
    }
    const first = await openLive(live, bobToken)
    await ready(first)
    await ready(await openLive(live, bobToken))
    expect((await openLive(live, bobToken)).result).toBe(429)
    // Token in the first frame: accepted as a socket, then closed with 1013.
    const late = new WebSocket(live)
    cleanups.push(async () => late.terminate())
    const code = new Promise<number>((resolve) => late.on('close', (c) => resolve(c)))
    late.on('open', () => late.send(JSON.stringify({ type: 'auth', token: bobToken })))
    expect(await code).toBe(1013)
    await ready(await openLive(live, await login(app, carol)))
    // A closed session frees its slot.
    first.ws.close()
    await until(() => first.ws.readyState === WebSocket.CLOSED)
    let again = await openLive(live, bobToken)
    for (let i = 0; i < 50 && again.result !== 'open'; i++) {
      await new Promise((r) => setTimeout(r, 20))
      again = await openLive(live, bobToken)
    }
    await ready(again)
  })

  it("answers requests arriving during shutdown with 503 ERR_UNAVAILABLE in the relay's error shape", async () => {
    const { app } = await relay(backend)
    await listening(app)
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('no address')
    // One keep-alive connection: a request in progress (its body half sent) keeps it open through
    // close(); the request pipelined behind it arrives while the relay is shutting down.
    const socket = connect(address.port, '127.0.0.1')
    cleanups.push(async () => void socket.destroy())
    let received = ''
    socket.on('data', (d: Buffer) => {
      received += d.toString()
    })
    await new Promise<void>((resolve) => socket.on('connect', resolve))
    const body = JSON.stringify({ did: makeIdentity().did })
    let requests = 0
    app.server.on('request', () => requests++)
    socket.write(
      `POST /v1/auth/challenge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    )
    await until(() => requests === 1)
    const closed = app.close()
    await until(() => !app.server.listening)
    socket.write(`${body.slice(5)}GET /v1/inbox HTTP/1.1\r\nHost: localhost\r\n\r\n`)
    await until(() => received.split('HTTP/1.1 ').length === 3)
    await closed
    const [first, second] = received.split('HTTP/1.1 ').slice(1)
    expect(first).toMatch(/^200 /)
    expect(second).toMatch(/^503 /)
    expect(second!.toLowerCase()).toContain('connection: close')
    expect(JSON.parse(second!.slice(second!.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'ERR_UNAVAILABLE', message: 'the relay is shutting down' },
    })
  })

  it('skips expiry ticks while a sweep is still running: one sweep at a time', async () => {
    const { store } = await relay(backend, {}, { expireIntervalMs: 5 })
    const expire = store.expire.bind(store)
    let calls = 0
    let running = 0
    let most = 0
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    store.expire = async (now) => {
      calls++
      most = Math.max(most, ++running)
      try {
        if (calls === 1) await gate
        return await expire(now)
      } finally {
        running--
      }
    }
    await until(() => calls >= 1)
    // Many intervals pass while the first sweep hangs: none starts another.
    await new Promise((r) => setTimeout(r, 100))
    expect(calls).toBe(1)
    release()
    await until(() => calls >= 3)
    expect(most).toBe(1)
  })

  it('refuses a batch that alone exceeds a per-mailbox deposit limit with 400 (it could never pass), not 429', async () => {
    const { app, store } = await relay(backend, {
      ipMailboxDepositsPerMinute: 5,
      mailboxDepositsPerMinute: 8,
    })
    const alice = makeIdentity()
    const bob = makeIdentity()
    const carol = makeIdentity()
    const batch = (n: number, to = bob) => ({
      messages: Array.from({ length: n }, () => envelope(alice, to)),
    })
    const tooMany = await deposit(app, batch(6))
    expect(tooMany.statusCode).toBe(400)
    expect(tooMany.json().error.code).toBe('ERR_REQUEST_INVALID')
    expect(tooMany.headers['retry-after']).toBeUndefined()
    // Spread over two mailboxes, the same 6 fit; a full budget is still a 429.
    expect(
      (await deposit(app, { messages: [...batch(3).messages, ...batch(3, carol).messages] })).statusCode,
    ).toBe(201)
    expect((await deposit(app, batch(2))).statusCode).toBe(201)
    const later = await deposit(app, batch(2))
    expect(later.statusCode).toBe(429)
    expect(await store.depth()).toBe(8)
    // The same for the limit of all senders together.
    const { app: strict } = await relay(backend, {
      ipMailboxDepositsPerMinute: 0,
      mailboxDepositsPerMinute: 4,
    })
    expect((await deposit(strict, batch(5))).statusCode).toBe(400)
    expect((await deposit(strict, batch(4))).statusCode).toBe(201)
  })

  it('gives back the deposit budget of deposits refused for a full mailbox (507), in a batch only theirs', async () => {
    const { app, store } = await relay(backend, {
      ipMailboxDepositsPerMinute: 3,
      mailboxDepositsPerMinute: 3,
      mailboxMaxCount: 2,
    })
    const alice = makeIdentity()
    const bob = makeIdentity()
    const mailbox = didSubject(bob.did)
    // 3 taken, 2 stored: the third item's deposit comes back.
    const first = await deposit(app, { messages: [1, 2, 3].map(() => envelope(alice, bob)) })
    expect(first.statusCode).toBe(201)
    const results = first.json().results as Array<{ id?: string; error?: { code: string } }>
    expect(results.map((r) => r.error?.code ?? 'stored')).toEqual(['stored', 'stored', 'ERR_QUOTA_EXCEEDED'])
    // Refused for the full mailbox, again and again: none of them spends the budget.
    for (let i = 0; i < 3; i++) {
      const full = await deposit(app, envelope(alice, bob))
      expect(full.statusCode).toBe(507)
      expect(full.json().error.code).toBe('ERR_QUOTA_EXCEEDED')
    }
    expect(await store.ack(mailbox, [results[0]!.id!, results[1]!.id!])).toBe(2)
    // One deposit is left of both budgets (per address and mailbox, per mailbox), not more.
    expect((await deposit(app, envelope(alice, bob))).statusCode).toBe(201)
    const spent = await deposit(app, envelope(alice, bob), '127.0.0.2')
    expect(spent.statusCode).toBe(429)
    expect(spent.json().error.code).toBe('ERR_RATE_LIMITED')
    expect((await deposit(app, envelope(alice, bob))).statusCode).toBe(429)
    expect(await store.depth()).toBe(1)
  })

  it('gives back the deposit budget of deposits the store failed to store (503)', async () => {
    const { app, store, sql } = await relay(backend, {
      ipMailboxDepositsPerMinute: 2,
      mailboxDepositsPerMinute: 2,
    })
    const alice = makeIdentity()
    const bob = makeIdentity()
    expect((await deposit(app, envelope(alice, bob))).statusCode).toBe(201)
    // A real store failure: the messages table is gone for a while.
    await sql('ALTER TABLE {s}messages RENAME TO messages_away')
    for (let i = 0; i < 3; i++) {
      const down = await deposit(app, i === 2 ? { messages: [envelope(alice, bob)] } : envelope(alice, bob))
      expect(down.statusCode).toBe(503)
      expect(down.json().error.code).toBe('ERR_UNAVAILABLE')
    }
    await sql('ALTER TABLE {s}messages_away RENAME TO messages')
    expect((await deposit(app, envelope(alice, bob))).statusCode).toBe(201)
    expect((await deposit(app, envelope(alice, bob))).statusCode).toBe(429)
    expect(await store.depth()).toBe(2)
  })

  // PostgreSQL reads wait while another session locks the table; SQLite reads never wait (WAL).
  it.runIf(backend.name === 'PostgreSQL')(
    'caps the inbox reads of one mailbox in progress (429, Retry-After: 1) while the database is slow',
    async () => {
      const { app, schema } = await relay(backend, { maxConcurrentReadsPerMailbox: 2 })
      const alice = makeIdentity()
      const bob = makeIdentity()
      const id = (await deposit(app, envelope(alice, bob))).json().id as string
      const token = await login(app, bob)
      const other = await login(app, alice)
      const { locker, waiting } = await lockMessages(schema)
      const held = [inbox(app, token, ''), inbox(app, token, '')]
      let n = 0
      for (let i = 0; i < 500 && n < 2; i++) n = await waiting()
      expect(n).toBe(2)
      // A third read of bob's mailbox is refused at once; alice's waits for the database like bob's two.
      let third: Awaited<ReturnType<typeof inbox>> | undefined
      void inbox(app, token, '').then((r) => {
        third = r
      })
      const alices = inbox(app, other, '')
      for (let i = 0; i < 500 && third === undefined && n < 4; i++) n = await waiting()
      await locker.query('COMMIT')
      await until(() => third !== undefined)
      expect(third!.statusCode).toBe(429)
      expect(third!.json()).toEqual({ error: { code: 'ERR_RATE_LIMITED', message: expect.any(String) } })
      expect(third!.headers['retry-after']).toBe('1')
      for (const res of await Promise.all(held)) {
        expect(res.statusCode).toBe(200)
        expect(res.json().messages.map((m: { id: string }) => m.id)).toEqual([id])
      }
      expect((await alices).statusCode).toBe(200)
      // The slots came back with the answers.
      const again = await Promise.all([inbox(app, token, ''), inbox(app, token, '')])
      expect(again.map((r) => r.statusCode)).toEqual([200, 200])
    },
  )

  it.runIf(backend.name === 'PostgreSQL')(
    'a read whose client hung up (real HTTP) keeps its slot until the store has answered',
    async () => {
      const { app, schema } = await relay(backend, { maxConcurrentReadsPerMailbox: 1 })
      const bob = makeIdentity()
      expect((await deposit(app, envelope(makeIdentity(), bob))).statusCode).toBe(201)
      const token = await login(app, bob)
      await app.listen({ host: '127.0.0.1', port: 0 })
      const address = app.server.address()
      if (address === null || typeof address === 'string') throw new Error('no address')
      const { locker, waiting } = await lockMessages(schema)
      const hungUp = httpGet({
        host: '127.0.0.1',
        port: address.port,
        path: '/v1/inbox',
        headers: { authorization: `Bearer ${token}` },
      })
      hungUp.on('error', () => undefined)
      let n = 0
      for (let i = 0; i < 500 && n < 1; i++) n = await waiting()
      expect(n).toBe(1)
      // The client goes away while its page is still being read.
      await new Promise<void>((resolve) => {
        hungUp.once('close', () => resolve())
        hungUp.destroy()
      })
      let next: Awaited<ReturnType<typeof inbox>> | undefined
      void inbox(app, token, '').then((r) => {
        next = r
      })
      for (let i = 0; i < 500 && next === undefined && n < 2; i++) n = await waiting()
      await locker.query('COMMIT')
      await until(() => next !== undefined)
      expect(next!.statusCode).toBe(429)
      // Once the store answered (the hung-up read counted its delivery), the slot is free again.
      const httpDeliveries = async () =>
        /kilt_relay_deliveries_total\{channel="http"\} (\d+)/.exec(
          (await app.inject({ method: 'GET', url: '/metrics' })).body,
        )?.[1]
      let delivered: string | undefined
      await until(
        () => delivered === '1',
        5000,
        async () => {
          delivered = await httpDeliveries()
        },
      )
      expect((await inbox(app, token, '')).statusCode).toBe(200)
    },
  )
})

/**
 * Locks the messages table of `schema` from another PostgreSQL session (released by committing
 * `locker`, ended at cleanup); `waiting()` counts the lock requests queued behind it.
 */
async function lockMessages(
  schema: string | undefined,
): Promise<{ locker: pg.Client; waiting: () => Promise<number> }> {
  if (schema === undefined) throw new Error('a PostgreSQL relay has a schema')
  const table = `"${schema}".messages`
  const locker = new pg.Client({ connectionString: PG_URL! })
  await locker.connect()
  cleanups.push(() => locker.end())
  await locker.query('BEGIN')
  await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`)
  const waiting = async () =>
    Number(
      (
        await pgQuery<{ n: string }>(
          PG_URL!,
          'SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = $1::regclass',
          [table],
        )
      )[0]!.n,
    )
  return { locker, waiting }
}
