/**
 * Resource and input hardening of the relay on its real stores (SQLite always, PostgreSQL when
 * KILT_TEST_POSTGRES_URL is set): byte-bounded inbox pages, control characters in key URIs, length
 * limits shared by the HTTP layer and the store, per-mailbox live sessions, oversized batches.
 */
import { connect } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createRelay, type Limits, type MailboxStore, type RelayOptions } from '../../src/index.js'
import { createPostgresStore, createSqliteStore } from '../../src/store/index.js'
import { envelope, type Identity, makeIdentity } from '../helpers/identities.js'
import { relayToken } from '../helpers/token.js'
import { dropSchema, PG_URL, pgAvailable, randomSchema, tempDir } from '../store/helpers.js'

const INJECT_HOST = 'localhost:80'
const hasPg = pgAvailable('relay/hardening.test.ts')

interface Backend {
  readonly name: string
  open(): { store: MailboxStore; destroy: () => Promise<void> }
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    open() {
      const dir = tempDir()
      const store = createSqliteStore({ file: `${dir.dir}/relay.db` })
      return { store, destroy: async () => dir.remove() }
    },
  },
]
if (hasPg)
  backends.push({
    name: 'PostgreSQL',
    open() {
      const schema = randomSchema()
      const store = createPostgresStore({ connectionString: PG_URL!, schema })
      return { store, destroy: () => dropSchema(PG_URL!, schema) }
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
): Promise<{ app: FastifyInstance; store: MailboxStore }> {
  const { store, destroy } = backend.open()
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
  return { app, store }
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

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const began = Date.now()
  while (!check()) {
    if (Date.now() - began > timeoutMs) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
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
})
