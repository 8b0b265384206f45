/**
 * Relay client against real HTTP and WebSocket servers on 127.0.0.1: discovery failures and
 * deadlines of `send`, and the live subscription's deadlines (ready, keep-alive, ack), backoff
 * against a relay that drops every connection right after `ready`, `close()` and `onOpen` guards.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type WebSocket as ServerSocket, WebSocket, WebSocketServer } from 'ws'
import { createLightDid } from '../../src/did/light-did.js'
import { MessagingError } from '../../src/errors.js'
import { randomSigningKeyPair } from '../../src/keys/signing-pairs.js'
import { randomX25519 } from '../../src/keys/x25519.js'
import { createHttpResolver, createRegistryResolver } from '../../src/resolver/index.js'
import type { DidResolver } from '../../src/resolver/types.js'
import { createRelayClient, RELAY_SERVICE_TYPE } from '../../src/transport/index.js'
import type { RelayClient } from '../../src/transport/types.js'
import { fullDocument } from '../resolver/fixtures.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function listen(server: Server): Promise<string> {
  const sockets = new Set<Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** A relay's HTTP side: `POST /v1/messages` (counted) and the login routes. */
async function httpRelay(): Promise<{ url: string; deposits: string[]; server: Server }> {
  const deposits: string[] = []
  let url = ''
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => {
      if (req.url === '/v1/messages') {
        deposits.push(req.url)
        json(res, 201, { id: 'ID1', receivedAt: 1 })
      } else if (req.url === '/v1/auth/challenge')
        json(res, 200, { challenge: `kilt-relay-login/v1\n${url}\n${'ab'.repeat(32)}`, expiresAt: 1 })
      else if (req.url === '/v1/auth/token') json(res, 200, { token: 't', expiresAt: Date.now() + 3600_000 })
      else json(res, 404, {})
    })
  })
  url = await listen(server)
  return { url, deposits, server }
}

const receiver = fullDocument('bob')
const receiverKeyUri = `${receiver.uri}${receiver.keyAgreement![0]!.id}` as const
const sender = fullDocument('alice')
const envelope = {
  ciphertext: `0x${'ab'.repeat(32)}`,
  nonce: `0x${'00'.repeat(24)}`,
  senderKeyUri: `${sender.uri}${sender.keyAgreement![0]!.id}` as const,
  receiverKeyUri,
}
const frameEnvelope = { ...envelope, receivedAt: 1 }

async function loggedIn(client: RelayClient): Promise<void> {
  const auth = randomSigningKeyPair('ed25519')
  const doc = createLightDid({
    authentication: [{ type: 'ed25519', publicKey: auth.publicKey }],
    keyAgreement: [{ type: 'x25519', publicKey: randomX25519().publicKey }],
  })
  await client.login({ did: doc.uri, keyUri: `${doc.uri}#authentication`, sign: (d) => auth.sign(d) })
}

function causeCode(e: unknown): string | undefined {
  return e instanceof MessagingError && e.cause instanceof MessagingError ? e.cause.code : undefined
}

describe('send: discovery failures are errors, not a fallback to the own relay', () => {
  it('rejects with ERR_TRANSPORT (cause ERR_RESOLVER_FAILED) when the resolver is down', async () => {
    const own = await httpRelay()
    const down = createServer((_req, res) => {
      res.writeHead(503)
      res.end()
    })
    const resolverUrl = await listen(down)
    const resolver = createHttpResolver({ baseUrl: resolverUrl, cache: false, timeoutMs: 2000 })
    const client = createRelayClient({ url: own.url, resolver })
    const e = await client.send(envelope).catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_TRANSPORT' })
    expect(causeCode(e)).toBe('ERR_RESOLVER_FAILED')
    expect((e as Error).message).toContain('503')
    await expect(client.discover(receiver.uri)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    expect(own.deposits).toEqual([])
  })

  it('rejects deactivated and unknown receivers, and a throwing resolver', async () => {
    const own = await httpRelay()
    const deleted = createRegistryResolver()
    deleted.deactivate(receiver.uri)
    const e1 = await createRelayClient({ url: own.url, resolver: deleted })
      .send(envelope)
      .catch((x: unknown) => x)
    expect(e1).toMatchObject({ code: 'ERR_TRANSPORT' })
    expect(causeCode(e1)).toBe('ERR_DID_DEACTIVATED')
    const e2 = await createRelayClient({ url: own.url, resolver: createRegistryResolver() })
      .send(envelope)
      .catch((x: unknown) => x)
    expect(e2).toMatchObject({ code: 'ERR_TRANSPORT' })
    expect(causeCode(e2)).toBe('ERR_DID_NOT_FOUND')
    const throwing: DidResolver = {
      resolve: async () => {
        throw new Error('chain connection lost')
      },
      resolveKey: async () => {
        throw new Error('unused')
      },
    }
    await expect(
      createRelayClient({ url: own.url, resolver: throwing }).send(envelope),
    ).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
      message: expect.stringContaining('chain connection lost'),
    })
    expect(own.deposits).toEqual([])
  })

  it('falls back to the own relay when the document simply announces no relay (and for full DIDs offline)', async () => {
    const own = await httpRelay()
    const registry = createRegistryResolver([receiver])
    expect(await createRelayClient({ url: own.url, resolver: registry }).send(envelope)).toEqual({
      id: 'ID1',
      receivedAt: 1,
    })
    // The default offline resolver cannot resolve full DIDs at all: unchanged behaviour.
    await createRelayClient({ url: own.url }).send(envelope)
    expect(own.deposits).toHaveLength(2)
    // A light receiver announcing a relay is still discovered.
    const other = await httpRelay()
    const light = createLightDid({
      authentication: [{ type: 'ed25519', publicKey: randomSigningKeyPair('ed25519').publicKey }],
      keyAgreement: [{ type: 'x25519', publicKey: randomX25519().publicKey }],
      service: [{ id: '#relay', type: [RELAY_SERVICE_TYPE], serviceEndpoint: [other.url] }],
    })
    await createRelayClient({ url: own.url, allowInsecureDiscovery: true }).send({
      ...envelope,
      receiverKeyUri: `${light.uri}#encryption`,
    })
    expect(other.deposits).toHaveLength(1)
    expect(own.deposits).toHaveLength(2)
  })
})

describe('send: discovery honours timeoutMs and signal', () => {
  const never = (seen: Array<AbortSignal | undefined>): DidResolver => ({
    resolve: (_did, options) => {
      seen.push(options?.signal)
      return new Promise(() => {})
    },
    resolveKey: () => new Promise(() => {}),
  })

  it('times out a resolver that never answers, and passes it the signal', async () => {
    const own = await httpRelay()
    const seen: Array<AbortSignal | undefined> = []
    const client = createRelayClient({ url: own.url, resolver: never(seen), timeoutMs: 50 })
    await expect(client.send(envelope)).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
      message: expect.stringContaining('timed out'),
    })
    expect(seen[0]).toBeInstanceOf(AbortSignal)
    expect(seen[0]!.aborted).toBe(true)
    expect(own.deposits).toEqual([])
  })

  it('stops at the caller’s abort', async () => {
    const own = await httpRelay()
    const client = createRelayClient({ url: own.url, resolver: never([]), timeoutMs: 600_000 })
    const controller = new AbortController()
    const sent = client.send(envelope, { signal: controller.signal })
    controller.abort()
    await expect(sent).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
      message: expect.stringContaining('aborted'),
    })
    await expect(client.send(envelope, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
    })
    expect(own.deposits).toEqual([])
  })
})

/** A relay with a live endpoint scripted by `onAuth` (called with the socket after the auth frame). */
async function liveRelay(
  onAuth: (ws: ServerSocket, n: number) => void,
  onFrame?: (ws: ServerSocket, f: unknown) => void,
) {
  const relay = await httpRelay()
  const wss = new WebSocketServer({ server: relay.server })
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close(() => resolve())
      }),
  )
  const connections: ServerSocket[] = []
  const frames: unknown[] = []
  wss.on('connection', (ws) => {
    connections.push(ws)
    const n = connections.length
    ws.on('message', (data) => {
      const f: unknown = JSON.parse(String(data))
      frames.push(f)
      if ((f as { type?: unknown }).type === 'auth') onAuth(ws, n)
      else onFrame?.(ws, f)
    })
  })
  const client = createRelayClient({ url: relay.url, WebSocket })
  await loggedIn(client)
  return { client, connections, frames, url: relay.url, server: relay.server }
}

function ready(ws: ServerSocket): void {
  ws.send(JSON.stringify({ type: 'ready', expiresAt: Date.now() + 3600_000 }))
}

function messages(errors: Error[]): string[] {
  return errors.map((e) => e.message)
}

describe('subscribe: deadlines', () => {
  it('gives up on an upgrade that is never answered and reconnects', async () => {
    const relay = await httpRelay()
    let upgrades = 0
    relay.server.on('upgrade', () => {
      upgrades++
    })
    const client = createRelayClient({ url: relay.url, WebSocket })
    await loggedIn(client)
    const errors: Error[] = []
    const sub = client.subscribe(() => {}, {
      timeoutMs: 50,
      minDelayMs: 10,
      maxDelayMs: 20,
      onError: (e) => errors.push(e),
    })
    cleanups.push(() => sub.close())
    await vi.waitFor(() => expect(upgrades).toBeGreaterThanOrEqual(3), { timeout: 5000 })
    expect(messages(errors)).toContainEqual(expect.stringContaining('not ready within 50 ms'))
    expect(errors[0]).toMatchObject({ code: 'ERR_TRANSPORT' })
  })

  it('gives up on an auth frame that is never answered', async () => {
    const relay = await liveRelay(() => {})
    const errors: Error[] = []
    const sub = relay.client.subscribe(() => {}, {
      timeoutMs: 50,
      minDelayMs: 10,
      maxDelayMs: 20,
      onError: (e) => errors.push(e),
    })
    cleanups.push(() => sub.close())
    await vi.waitFor(() => expect(relay.connections.length).toBeGreaterThanOrEqual(2), { timeout: 5000 })
    expect(messages(errors)).toContainEqual(expect.stringContaining('not ready'))
  })

  it('pings the relay and replaces a connection that stops answering', async () => {
    const relay = await liveRelay((ws) => ready(ws))
    const errors: Error[] = []
    const sub = relay.client.subscribe(() => {}, {
      timeoutMs: 50,
      pingIntervalMs: 20,
      minDelayMs: 10,
      maxDelayMs: 20,
      onError: (e) => errors.push(e),
    })
    cleanups.push(() => sub.close())
    await vi.waitFor(() => expect(relay.connections.length).toBeGreaterThanOrEqual(2), { timeout: 5000 })
    expect(relay.frames).toContainEqual({ type: 'ping' })
    expect(messages(errors)).toContainEqual(expect.stringContaining('keep-alive ping'))
  })

  it('keeps a connection whose pings are answered', async () => {
    let pings = 0
    const relay = await liveRelay(
      (ws) => ready(ws),
      (ws, f) => {
        if ((f as { type?: unknown }).type === 'ping') {
          pings++
          ws.send('{"type":"pong"}')
        }
      },
    )
    const errors: Error[] = []
    const sub = relay.client.subscribe(() => {}, {
      timeoutMs: 5000,
      pingIntervalMs: 10,
      onError: (e) => errors.push(e),
    })
    cleanups.push(() => sub.close())
    await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(5), { timeout: 5000 })
    expect(relay.connections).toHaveLength(1)
    expect(errors).toEqual([])
  })

  it('rejects an ack that is never answered, so a handler awaiting it goes on', async () => {
    const relay = await liveRelay((ws) => {
      ready(ws)
      ws.send(JSON.stringify({ type: 'message', id: 'm1', envelope: frameEnvelope }))
      ws.send(JSON.stringify({ type: 'message', id: 'm2', envelope: frameEnvelope }))
    })
    const handled: string[] = []
    const ackErrors: unknown[] = []
    const sub = relay.client.subscribe(
      async (m) => {
        handled.push(m.id)
        await sub.ack([m.id]).catch((e: unknown) => ackErrors.push(e))
      },
      { timeoutMs: 50, pingIntervalMs: 0, minDelayMs: 10, maxDelayMs: 20, onError: () => {} },
    )
    cleanups.push(() => sub.close())
    await vi.waitFor(() => expect(handled).toContain('m2'), { timeout: 5000 })
    expect(ackErrors[0]).toMatchObject({ code: 'ERR_TRANSPORT', message: expect.stringContaining('ack') })
    expect(relay.frames).toContainEqual({ type: 'ack', ids: ['m1'] })
  })

  it('refuses malformed timeoutMs and pingIntervalMs', async () => {
    const client = createRelayClient({ url: 'http://127.0.0.1:9', WebSocket })
    expect(() => client.subscribe(() => {}, { timeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
    expect(() => client.subscribe(() => {}, { pingIntervalMs: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
  })
})

describe('subscribe: backoff against a relay that drops every connection after ready', () => {
  /**
   * Waits for socket I/O without moving the fake clock (vi.waitFor advances fake timers on every
   * poll); setImmediate is left real.
   */
  async function until(cond: () => boolean): Promise<void> {
    const end = Date.now() + 5000
    while (!cond() && Date.now() < end) await new Promise((r) => setImmediate(r))
    expect(cond()).toBe(true)
  }

  it('keeps growing the delay while connections close right after ready, and resets after a stable one', async () => {
    // Connection 4 stays up; every other one is closed right after ready.
    const relay = await liveRelay((ws, n) => {
      ready(ws)
      if (n !== 4) ws.close(1011, 'internal error')
    })
    let opens = 0
    let constructed = 0
    let closes = 0
    class CountingSocket extends WebSocket {
      constructor(url: string) {
        super(url)
        constructed++
        this.addEventListener('close', () => {
          closes++
        })
      }
    }
    const client = createRelayClient({ url: relay.url, WebSocket: CountingSocket })
    await loggedIn(client)
    vi.spyOn(Math, 'random').mockReturnValue(1) // no jitter: each delay is exactly min·2^attempt
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    const sub = client.subscribe(() => {}, {
      minDelayMs: 100,
      maxDelayMs: 1000,
      pingIntervalMs: 0,
      onOpen: () => {
        opens++
      },
      onError: () => {},
    })
    cleanups.push(() => sub.close())
    const flush = async () => {
      for (let i = 0; i < 20; i++) await Promise.resolve()
    }
    // Connection k closes after ready; the next one must come exactly 100·2^(k-1) ms later.
    for (const [k, delay] of [
      [1, 100],
      [2, 200],
      [3, 400],
    ] as const) {
      await until(() => closes === k)
      await vi.advanceTimersByTimeAsync(delay - 1)
      await flush()
      expect(constructed).toBe(k)
      await vi.advanceTimersByTimeAsync(1)
      await until(() => constructed === k + 1)
    }
    // Connection 4 stays up longer than maxDelayMs: after it drops, the backoff starts over.
    await until(() => opens === 4)
    await vi.advanceTimersByTimeAsync(1000)
    relay.connections[3]!.close(1011, 'internal error')
    await until(() => closes === 4)
    await vi.advanceTimersByTimeAsync(99)
    await flush()
    expect(constructed).toBe(4)
    await vi.advanceTimersByTimeAsync(1)
    await until(() => constructed === 5)
  })
})

describe('subscribe: close() and onOpen', () => {
  it('calls no handler after close(), even for envelopes already received', async () => {
    const relay = await liveRelay((ws) => {
      ready(ws)
      for (let i = 0; i < 20; i++)
        ws.send(JSON.stringify({ type: 'message', id: `m${i}`, envelope: frameEnvelope }))
    })
    let received = 0
    class CountingSocket extends WebSocket {
      constructor(url: string) {
        super(url)
        this.addEventListener('message', () => {
          received++
        })
      }
    }
    const client = createRelayClient({ url: relay.url, WebSocket: CountingSocket })
    await loggedIn(client)
    const calls: string[] = []
    let firstDone!: () => void
    const done = new Promise<void>((r) => {
      firstDone = r
    })
    const sub = client.subscribe(async (m) => {
      calls.push(m.id)
      if (m.id === 'm0') {
        // Every envelope is received (and queued) before the subscription is closed.
        await vi.waitFor(() => expect(received).toBe(21), { timeout: 5000 })
        sub.close()
        firstDone()
      }
    })
    await done
    await new Promise((r) => setTimeout(r, 20))
    expect(calls).toEqual(['m0'])
  })

  it('survives a throwing onOpen: the error goes to onError and delivery goes on', async () => {
    const relay = await liveRelay((ws) => {
      ready(ws)
      ws.send(JSON.stringify({ type: 'message', id: 'm1', envelope: frameEnvelope }))
    })
    const errors: Error[] = []
    const got: string[] = []
    const sub = relay.client.subscribe((m) => void got.push(m.id), {
      onOpen: () => {
        throw new Error('bug in onOpen')
      },
      onError: (e) => errors.push(e),
    })
    cleanups.push(() => sub.close())
    await vi.waitFor(() => expect(got).toEqual(['m1']), { timeout: 5000 })
    expect(messages(errors)).toEqual(['bug in onOpen'])
  })
})
