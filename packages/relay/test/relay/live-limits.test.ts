/**
 * Live WebSocket resource limits: serial frames, frame rate, send-buffer high-water mark,
 * unauthenticated sockets per IP, and only authenticated sessions counting as connections.
 */
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createRelay, type Limits } from '../../src/index.js'
import { LiveSession } from '../../src/lib/live.js'
import { RelayMetrics } from '../../src/lib/metrics.js'
import { envelope, type Identity, makeIdentity } from '../helpers/identities.js'
import { createMemoryStore, type MemoryStore } from '../helpers/memory-store.js'
import { relayToken } from '../helpers/token.js'

const apps: FastifyInstance[] = []
const sockets: WebSocket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate()
  for (const a of apps.splice(0)) await a.close()
})

async function start(store: MemoryStore, limits: Partial<Limits> = {}) {
  const app = await createRelay({ store, logger: false, expireIntervalMs: 0, limits })
  apps.push(app)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  const url = `http://127.0.0.1:${address.port}`
  const host = new URL(url).host
  const token = (who: Identity): Promise<string> => relayToken(app, who, host)
  return { app, url, token, live: `${url.replace('http', 'ws')}/v1/inbox/live` }
}

/** Opens a socket; resolves 'open' or the HTTP status of a refused upgrade. */
type Frame = { type: string; [k: string]: unknown }

function open(
  url: string,
  token?: string,
): Promise<{ ws: WebSocket; got: Frame[]; result: 'open' | number; body?: string }> {
  const ws = new WebSocket(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
  sockets.push(ws)
  const got: Frame[] = []
  ws.on('message', (d) => got.push(JSON.parse(d.toString())))
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, got, result: 'open' }))
    ws.on('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (d: Buffer) => {
        body += d.toString()
      })
      res.on('end', () => resolve({ ws, got, result: res.statusCode ?? 0, body }))
    })
    ws.on('error', reject)
  })
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.on('close', (code) => resolve(code)))
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const began = Date.now()
  while (!check()) {
    if (Date.now() - began > timeoutMs) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('live limits', () => {
  it('processes the ack frames of one session one at a time', async () => {
    const store = createMemoryStore()
    let running = 0
    let most = 0
    const ack = store.ack.bind(store)
    store.ack = async (mailbox, ids) => {
      running++
      most = Math.max(most, running)
      await new Promise((r) => setTimeout(r, 20))
      running--
      return ack(mailbox, ids)
    }
    const { token, live } = await start(store)
    const receiver = makeIdentity()
    const { ws, got } = await open(live, await token(receiver))
    await until(() => got.some((f) => f.type === 'ready'))
    for (let i = 0; i < 10; i++) ws.send(JSON.stringify({ type: 'ack', ids: [`id${i}`] }))
    await until(() => got.filter((f) => f.type === 'acked').length === 10)
    expect(most).toBe(1)
    // Replies in frame order.
    expect(got.filter((f) => f.type === 'acked').map((f) => (f.ids as string[])[0])).toEqual(
      Array.from({ length: 10 }, (_, i) => `id${i}`),
    )
  })

  it('closes a socket sending more frames per second than allowed with 1008', async () => {
    const { token, live } = await start(createMemoryStore(), { liveFramesPerSecond: 5 })
    const { ws, got } = await open(live, await token(makeIdentity()))
    await until(() => got.some((f) => f.type === 'ready'))
    const code = closed(ws)
    for (let i = 0; i < 20; i++) ws.send('{"type":"ping"}')
    expect(await code).toBe(1008)
    expect(got.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(5)
  })

  it('caps unauthenticated sockets per IP and counts only authenticated sessions as connections', async () => {
    const store = createMemoryStore()
    const { token, live } = await start(store, { maxUnauthenticatedLivePerIp: 2, maxLiveConnections: 1 })
    const a = await open(live)
    const b = await open(live)
    expect([a.result, b.result]).toEqual(['open', 'open'])
    expect((await open(live)).result).toBe(429)
    // Two pending sockets do not use up the single live session.
    const receiver = makeIdentity()
    const t = await token(receiver)
    const authed = await open(live, t)
    expect(authed.body).toBeUndefined()
    expect(authed.result).toBe('open')
    expect((await open(live, t)).result).toBe(429)
    // A pending socket that authenticates frees its pending slot, but the session limit holds.
    const code = closed(a.ws)
    a.ws.send(JSON.stringify({ type: 'auth', token: t }))
    expect(await code).toBe(1013)
    // While the sessions are full, new sockets are refused before the upgrade.
    expect((await open(live)).result).toBe(429)
    // Closing the authenticated session frees its slot.
    const done = closed(authed.ws)
    authed.ws.close()
    await done
    await new Promise((r) => setTimeout(r, 50))
    const c = await open(live)
    expect(c.result).toBe('open')
    const got = c.got
    c.ws.send(JSON.stringify({ type: 'auth', token: t }))
    await until(() => got.some((f) => f.type === 'ready'))
  })
})

describe('LiveSession send buffer', () => {
  function fakeSocket(bufferedAmount: number) {
    const sent: string[] = []
    const closes: Array<[number, string]> = []
    const socket = {
      OPEN: 1,
      CONNECTING: 0,
      readyState: 1,
      bufferedAmount,
      send: (d: string, cb?: () => void) => {
        sent.push(d)
        cb?.()
      },
      close: (code: number, reason: string) => {
        closes.push([code, reason])
        socket.readyState = 3
      },
    }
    return { socket, sent, closes }
  }

  function session(
    socket: unknown,
    store = createMemoryStore(),
    mailbox = 'mailbox',
    more: { window?: number; maxPageBytes?: number } = {},
  ) {
    return new LiveSession(socket as WebSocket, mailbox, {
      store,
      clock: Date.now,
      metrics: new RelayMetrics(),
      log: { warn: () => {} } as never,
      window: 4,
      maxAckIds: 10,
      highWaterMark: 1024,
      maxBuffered: 4096,
      ...more,
    })
  }

  /** Deposits `n` envelopes into a new mailbox, each counted as `size` bytes by the store. */
  async function filled(n: number, size: number) {
    const store = createMemoryStore()
    const from = makeIdentity()
    const to = makeIdentity()
    const mailbox = to.did.slice(17, 65)
    const item = {
      mailbox,
      envelope: JSON.stringify({ ...envelope(from, to), receivedAt: 1 }),
      senderKeyUri: from.encKeyUri,
      size,
      receivedAt: 1,
      expiresAt: Date.now() + 60_000,
    }
    await store.deposit(
      Array.from({ length: n }, () => item),
      { maxCount: 1000, maxBytes: 1e9 },
    )
    return { store, mailbox }
  }

  it('reads the mailbox in pages bounded in bytes, and a full scan still reaches every queued envelope', async () => {
    const { store, mailbox } = await filled(10, 3000)
    const { socket, sent, closes } = fakeSocket(0)
    const s = session(socket, store, mailbox, { window: 256, maxPageBytes: 10_000 })
    const before = store.calls.list
    await s.pump()
    expect(closes).toEqual([])
    expect(sent.filter((f) => f.startsWith('{"type":"message"'))).toHaveLength(10)
    // pages of 3 (9,000 bytes), then 1, then the empty page that ends the scan
    expect(store.calls.list - before).toBe(5)
  })

  it('closes with 1013 instead of sending pong, acked or error frames past the high-water mark', async () => {
    for (const frame of ['{"type":"ping"}', '{"type":"ack","ids":["x"]}', 'not json']) {
      const { socket, sent, closes } = fakeSocket(5000)
      await session(socket).onFrame(frame)
      expect(sent).toEqual([])
      expect(closes).toEqual([[1013, 'client too slow']])
    }
    const { socket, sent, closes } = fakeSocket(0)
    await session(socket).onFrame('{"type":"ping"}')
    expect(sent).toEqual(['{"type":"pong"}'])
    expect(closes).toEqual([])
  })

  it('closes with 1013 instead of delivering past the high-water mark', async () => {
    const store = createMemoryStore()
    const from = makeIdentity()
    const to = makeIdentity()
    const mailbox = to.did.slice(17, 65)
    await store.deposit(
      [
        {
          mailbox,
          envelope: JSON.stringify({ ...envelope(from, to), receivedAt: 1 }),
          senderKeyUri: from.encKeyUri,
          size: 10,
          receivedAt: 1,
          expiresAt: Date.now() + 60_000,
        },
      ],
      { maxCount: 10, maxBytes: 1_000_000 },
    )
    const { socket, sent, closes } = fakeSocket(5000)
    const s = session(socket, store, mailbox)
    await s.pump()
    expect(sent).toEqual([])
    expect(closes[0]?.[0]).toBe(1013)
  })
})
