/**
 * Relay client against a scripted fetch and a fake WebSocket (no network): argument checks,
 * error mapping, re-login, discovery, reconnect with backoff.
 */
import { describe, expect, it, vi } from 'vitest'
import { createLightDid } from '../../src/did/light-did.js'
import { MessagingError } from '../../src/errors.js'
import { randomSigningKeyPair } from '../../src/keys/signing-pairs.js'
import { randomX25519 } from '../../src/keys/x25519.js'
import {
  createRelayClient,
  RELAY_SERVICE_TYPE,
  RelayResponseError,
  relayLoginChallengeValid,
} from '../../src/transport/index.js'
import { discoveredRelayRefusal } from '../../src/transport/lib/discovery-policy.js'
import type { WebSocketLike } from '../../src/transport/types.js'

function identity(service?: Array<{ id: string; type: string[]; serviceEndpoint: string[] }>) {
  const auth = randomSigningKeyPair('ed25519')
  const doc = createLightDid({
    authentication: [{ type: 'ed25519', publicKey: auth.publicKey }],
    keyAgreement: [{ type: 'x25519', publicKey: randomX25519().publicKey }],
    ...(service === undefined ? {} : { service }),
  })
  return {
    did: doc.uri,
    keyUri: `${doc.uri}#authentication` as const,
    enc: `${doc.uri}#encryption` as const,
    auth,
  }
}

const alice = identity()
const bob = identity()
const env = {
  ciphertext: `0x${'ab'.repeat(32)}`,
  nonce: `0x${'00'.repeat(24)}`,
  senderKeyUri: alice.enc,
  receiverKeyUri: bob.enc,
}

type Handler = (url: string, init: RequestInit) => { status: number; body: unknown }

/** A challenge in the form the relay issues: tag, the relay's origin, a 32-byte hex nonce. */
function challengeFor(origin: string, n = 0): string {
  return `kilt-relay-login/v1\n${origin}\n${n.toString(16).padStart(2, '0').repeat(32)}`
}

function scriptedFetch(handler: Handler) {
  const calls: Array<{ url: string; init: RequestInit }> = []
  const fetch = vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} })
    const { status, body } = handler(url, init ?? {})
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })
  })
  return { fetch, calls }
}

describe('createRelayClient arguments', () => {
  it.each([
    [{ url: 'ftp://x' }],
    [{ url: 'not a url' }],
    [{ url: 'https://user:pw@x' }],
    [{ fetch: 5 }],
    [{ timeoutMs: 0 }],
    [{ resolver: {} }],
  ])('refuses %j with ERR_ARGUMENT_INVALID', (options) => {
    expect(() => createRelayClient(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
  })

  it('refuses a malformed envelope with ERR_ENVELOPE_INVALID before any request', async () => {
    const { fetch } = scriptedFetch(() => ({ status: 201, body: {} }))
    const client = createRelayClient({ url: 'https://r.example', fetch })
    await expect(client.send({ ...env, receiverKeyUri: 'nope' } as never)).rejects.toMatchObject({
      code: 'ERR_ENVELOPE_INVALID',
    })
    await expect(client.send(null as never)).rejects.toMatchObject({ code: 'ERR_ENVELOPE_INVALID' })
    expect(fetch).not.toHaveBeenCalled()
  })

  it('needs login before inbox operations', async () => {
    const { fetch } = scriptedFetch(() => ({ status: 200, body: {} }))
    const client = createRelayClient({ url: 'https://r.example', fetch })
    await expect(client.fetchInbox()).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    await expect(client.ack([])).rejects.toMatchObject({ code: 'ERR_ARGUMENT_INVALID' })
  })
})

describe('send', () => {
  it('posts only the four envelope fields to /v1/messages under a path prefix', async () => {
    const { fetch, calls } = scriptedFetch(() => ({ status: 201, body: { id: 'ID1', receivedAt: 5 } }))
    const client = createRelayClient({ url: 'https://r.example/relay', fetch })
    const receipt = await client.send({ ...env, receivedAt: 1 })
    expect(receipt).toEqual({ id: 'ID1', receivedAt: 5 })
    expect(calls[0]!.url).toBe('https://r.example/relay/v1/messages')
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual(env)
  })

  it('maps a relay refusal to ERR_TRANSPORT with a RelayResponseError cause', async () => {
    const { fetch } = scriptedFetch(() => ({
      status: 507,
      body: { error: { code: 'ERR_QUOTA_EXCEEDED', message: 'full' } },
    }))
    const client = createRelayClient({ url: 'https://r.example', fetch })
    const e = (await client.send(env).catch((x: unknown) => x)) as MessagingError
    expect(e).toBeInstanceOf(MessagingError)
    expect(e.code).toBe('ERR_TRANSPORT')
    expect(e.message).toContain('ERR_QUOTA_EXCEEDED')
    expect(e.cause).toBeInstanceOf(RelayResponseError)
    expect((e.cause as RelayResponseError).code).toBe('ERR_QUOTA_EXCEEDED')
  })

  it('maps network failures, non-JSON answers and malformed receipts to ERR_TRANSPORT', async () => {
    const failing = createRelayClient({
      url: 'https://r.example',
      fetch: async () => {
        throw new TypeError('fetch failed')
      },
    })
    await expect(failing.send(env)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    const html = createRelayClient({
      url: 'https://r.example',
      ...scriptedFetch(() => ({ status: 201, body: '<html>' })),
    })
    await expect(html.send(env)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    const odd = createRelayClient({
      url: 'https://r.example',
      ...scriptedFetch(() => ({ status: 201, body: { id: 1 } })),
    })
    await expect(odd.send(env)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
  })

  it('times out a hanging relay', async () => {
    const hanging = createRelayClient({
      url: 'https://r.example',
      timeoutMs: 50,
      fetch: (_u, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
    })
    await expect(hanging.send(env)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
  })

  it('discovers the relay from a light DID service', async () => {
    const receiver = identity([
      { id: '#mailbox', type: [RELAY_SERVICE_TYPE], serviceEndpoint: ['https://b.example/'] },
    ])
    const { fetch, calls } = scriptedFetch(() => ({ status: 201, body: { id: 'X', receivedAt: 1 } }))
    const client = createRelayClient({ url: 'https://a.example', fetch })
    await client.send({ ...env, receiverKeyUri: receiver.enc })
    expect(calls[0]!.url).toBe('https://b.example/v1/messages')
    await client.send({ ...env, receiverKeyUri: receiver.enc }, { relay: 'https://c.example' })
    expect(calls[1]!.url).toBe('https://c.example/v1/messages')
    await client.send(env)
    expect(calls[2]!.url).toBe('https://a.example/v1/messages')
  })
})

describe('response size bounds', () => {
  /** A body that streams `chunk` forever (or `count` times), counting what was pulled. */
  function endless(chunk: Uint8Array, count = Number.POSITIVE_INFINITY) {
    const state = { pulled: 0, cancelled: false }
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (state.pulled >= count) return controller.close()
          state.pulled++
          controller.enqueue(chunk)
        },
        cancel() {
          state.cancelled = true
        },
      },
      { highWaterMark: 0 },
    )
    return { body, state }
  }

  it('aborts an endless answer of send at 64 KiB with ERR_TRANSPORT', async () => {
    const { body, state } = endless(new Uint8Array(4096).fill(0x20))
    const client = createRelayClient({
      url: 'https://r.example',
      fetch: async () => new Response(body, { status: 201 }),
    })
    const e = await client.send(env).catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_TRANSPORT' })
    expect((e as Error).message).toContain('larger than 65536 bytes')
    expect(state.cancelled).toBe(true)
    expect(state.pulled).toBeLessThan(20)
  })

  it('refuses by content-length before reading, and bounds error answers too', async () => {
    const { body, state } = endless(new Uint8Array(1), 1)
    const client = createRelayClient({
      url: 'https://r.example',
      fetch: async () => new Response(body, { status: 500, headers: { 'content-length': String(1 << 30) } }),
    })
    await expect(client.send(env)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    expect(state.pulled).toBe(0)
  })

  it('accepts inbox pages up to maxResponseBytes, other routes up to 64 KiB', async () => {
    const big = JSON.stringify({
      messages: [{ id: 'M1', envelope: { ...env, ciphertext: `0x${'ab'.repeat(100_000)}` } }],
      cursor: 'M1',
    })
    const handler = (url: string) => {
      const path = new URL(url).pathname
      if (path === '/v1/auth/challenge')
        return { challenge: challengeFor('https://r.example'), pad: 'x'.repeat(70_000) }
      if (path === '/v1/auth/token') return { token: 't', expiresAt: Date.now() + 3600_000 }
      return JSON.parse(big)
    }
    const fetch = async (url: string) => new Response(JSON.stringify(handler(url)), { status: 200 })
    const login = { did: alice.did, keyUri: alice.keyUri, sign: (d: Uint8Array) => alice.auth.sign(d) }
    // A 70 KB challenge answer is over the 64 KiB bound of other routes.
    const c1 = createRelayClient({ url: 'https://r.example', fetch })
    await expect(c1.login(login)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    const smallChallenge = async (url: string) =>
      new URL(url).pathname === '/v1/auth/challenge'
        ? new Response(JSON.stringify({ challenge: challengeFor('https://r.example') }), { status: 200 })
        : fetch(url)
    // A 200 KB inbox page is fine by default, refused under maxResponseBytes: 100_000.
    const c2 = createRelayClient({ url: 'https://r.example', fetch: smallChallenge })
    await c2.login(login)
    expect((await c2.fetchInbox()).messages).toHaveLength(1)
    const c3 = createRelayClient({
      url: 'https://r.example',
      fetch: smallChallenge,
      maxResponseBytes: 100_000,
    })
    await c3.login(login)
    const e = await c3.fetchInbox().catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_TRANSPORT' })
    expect((e as Error).message).toContain('larger than 100000 bytes')
    expect(() => createRelayClient({ maxResponseBytes: 10 })).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
  })
})

describe('discovery policy', () => {
  const receiverAt = (...endpoints: string[]) =>
    identity([{ id: '#mailbox', type: [RELAY_SERVICE_TYPE], serviceEndpoint: endpoints }])

  it.each([
    'http://b.example/',
    'https://127.0.0.1/',
    'https://127.1.2.3:8787/',
    'https://2130706433/',
    'https://0x7f.0.0.1/',
    'https://0.0.0.0/',
    'https://10.1.2.3/',
    'https://172.16.0.1/',
    'https://172.31.255.255/',
    'https://192.168.1.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/',
    'https://localhost:8787/',
    'https://LOCALHOST./',
    'https://relay.localhost/',
    'https://[::1]/',
    'https://[::]/',
    'https://[fe80::1]/',
    'https://[febf::1]/',
    'https://[fc00::1]/',
    'https://[fd12:3456::1]/',
    'https://[::ffff:7f00:1]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://[::ffff:0:a00:1]/',
    'https://[::c0a8:1]/',
    'https://[64:ff9b::7f00:1]/',
    'https://[2002:c0a8:101::1]/',
    'https://[ff02::1]/',
  ])('refuses the discovered endpoint %s with ERR_TRANSPORT before any request', async (endpoint) => {
    const receiver = receiverAt(endpoint)
    const { fetch } = scriptedFetch(() => ({ status: 201, body: { id: 'X', receivedAt: 1 } }))
    const client = createRelayClient({ url: 'https://a.example', fetch })
    const e = await client.send({ ...env, receiverKeyUri: receiver.enc }).catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_TRANSPORT' })
    expect((e as Error).message).toContain('allowInsecureDiscovery')
    await expect(client.discover(receiver.did)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    expect(fetch).not.toHaveBeenCalled()
  })

  it.each([
    'https://b.example/',
    'https://relay.example:8443/mailbox/',
    'https://93.184.216.34/',
    'https://172.32.0.1/',
    'https://[2001:db8::1]/',
    'https://[::ffff:5db8:d822]/',
    'https://localhost.example/',
  ])('accepts the public https endpoint %s', async (endpoint) => {
    const receiver = receiverAt(endpoint)
    const { fetch, calls } = scriptedFetch(() => ({ status: 201, body: { id: 'X', receivedAt: 1 } }))
    const client = createRelayClient({ url: 'https://a.example', fetch })
    await client.send({ ...env, receiverKeyUri: receiver.enc })
    expect(calls[0]!.url).toBe(new URL('v1/messages', new URL(endpoint)).href)
  })

  it('judges IPv4 embedded in IPv6 in any spelling the URL parser accepts', () => {
    const why = (u: string) => discoveredRelayRefusal(new URL(u))
    expect(why('https://[::ffff:127.0.0.1]/')).toMatch(/loopback/)
    expect(why('https://[::ffff:0:10.0.0.1]/')).toMatch(/private/)
    expect(why('https://[::169.254.169.254]/')).toMatch(/link-local/)
    expect(why('https://[64:ff9b::192.168.1.1]/')).toMatch(/private/)
    expect(why('https://[::ffff:93.184.216.34]/')).toBeNull()
    expect(why('https://[0:0:0:0:0:0:0:1]/')).toMatch(/loopback/)
    expect(why('https://017700000001/')).toMatch(/loopback/)
  })

  it('skips refused endpoints for the first acceptable one', async () => {
    const receiver = receiverAt('http://127.0.0.1:8787/', 'https://b.example/')
    const { fetch, calls } = scriptedFetch(() => ({ status: 201, body: { id: 'X', receivedAt: 1 } }))
    const client = createRelayClient({ url: 'https://a.example', fetch })
    expect(await client.discover(receiver.did)).toBe('https://b.example/')
    await client.send({ ...env, receiverKeyUri: receiver.enc })
    expect(calls[0]!.url).toBe('https://b.example/v1/messages')
  })

  it('allowInsecureDiscovery opts out; explicit relays are never restricted', async () => {
    const receiver = receiverAt('http://127.0.0.1:8787/')
    const { fetch, calls } = scriptedFetch(() => ({ status: 201, body: { id: 'X', receivedAt: 1 } }))
    const local = createRelayClient({ url: 'https://a.example', fetch, allowInsecureDiscovery: true })
    await local.send({ ...env, receiverKeyUri: receiver.enc })
    expect(calls[0]!.url).toBe('http://127.0.0.1:8787/v1/messages')
    const strict = createRelayClient({ url: 'http://127.0.0.1:9', fetch })
    await strict.send({ ...env, receiverKeyUri: receiver.enc }, { relay: 'http://127.0.0.1:8787' })
    expect(calls[1]!.url).toBe('http://127.0.0.1:8787/v1/messages')
    await strict.send(env)
    expect(calls[2]!.url).toBe('http://127.0.0.1:9/v1/messages')
    expect(() => createRelayClient({ allowInsecureDiscovery: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
  })
})

describe('login and inbox', () => {
  function relay(challengeOf: (origin: string, n: number) => string = challengeFor) {
    let issued = 0
    let valid = new Set<string>()
    const signed: string[] = []
    const h = scriptedFetch((url, init) => {
      const path = new URL(url).pathname
      const body = init.body === undefined ? undefined : JSON.parse(init.body as string)
      if (path === '/v1/auth/challenge')
        return { status: 200, body: { challenge: challengeOf(new URL(url).origin, issued), expiresAt: 1 } }
      if (path === '/v1/auth/token') {
        signed.push(body.signature)
        const token = `t${++issued}`
        valid.add(token)
        return { status: 200, body: { token, expiresAt: Date.now() + 3600_000 } }
      }
      const auth = (init.headers as Record<string, string>).authorization
      if (!valid.has(auth?.slice(7) ?? ''))
        return { status: 401, body: { error: { code: 'ERR_UNAUTHORIZED', message: 'no' } } }
      if (path === '/v1/inbox')
        return { status: 200, body: { messages: [{ id: 'M1', envelope: env }], cursor: 'M1' } }
      if (path === '/v1/inbox/ack') return { status: 200, body: { deleted: body.ids.length } }
      return { status: 404, body: {} }
    })
    return { ...h, revokeAll: () => (valid = new Set()), issued: () => issued, signed }
  }

  it('signs the UTF-8 challenge with the given signer and uses the token', async () => {
    const r = relay()
    const client = createRelayClient({ url: 'https://r.example', fetch: r.fetch })
    const seen: Uint8Array[] = []
    await client.login({
      did: alice.did,
      keyUri: alice.keyUri,
      sign: (d) => {
        seen.push(d)
        return alice.auth.sign(d)
      },
    })
    expect(new TextDecoder().decode(seen[0])).toBe(challengeFor('https://r.example', 0))
    expect(r.signed[0]).toMatch(/^0x[0-9a-f]{128}$/)
    const page = await client.fetchInbox({ limit: 10, after: 'M0' })
    expect(page).toEqual({ messages: [{ id: 'M1', envelope: env }], cursor: 'M1' })
    expect(r.calls.at(-1)!.url).toBe('https://r.example/v1/inbox?after=M0&limit=10')
    expect(await client.ack(['M1'])).toBe(1)
  })

  it('logs in again once when the relay refuses the token', async () => {
    const r = relay()
    const client = createRelayClient({ url: 'https://r.example', fetch: r.fetch })
    await client.login({ did: alice.did, keyUri: alice.keyUri, sign: (d) => alice.auth.sign(d) })
    r.revokeAll()
    expect((await client.fetchInbox()).cursor).toBe('M1')
    expect(r.issued()).toBe(2)
  })

  it.each([
    ['an unbound challenge', () => 'c0'],
    ["another relay's challenge", (_o: string, n: number) => challengeFor('https://honest.example', n)],
    ['another port', (_o: string, n: number) => challengeFor('https://r.example:8443', n)],
    ['another scheme', (_o: string, n: number) => challengeFor('http://r.example', n)],
    ['upper-case nonce', (o: string, n: number) => challengeFor(o, n).toUpperCase()],
    ['a short nonce', (o: string, n: number) => challengeFor(o, n).slice(0, -2)],
    ['a trailing newline', (o: string, n: number) => `${challengeFor(o, n)}\n`],
    ['another version', (o: string, n: number) => challengeFor(o, n).replace('/v1', '/v2')],
  ])('refuses to sign %s (ERR_TRANSPORT, no signature sent)', async (_name, challengeOf) => {
    const r = relay(challengeOf)
    const client = createRelayClient({ url: 'https://r.example/', fetch: r.fetch })
    const sign = vi.fn((d: Uint8Array) => alice.auth.sign(d))
    const e = await client.login({ did: alice.did, keyUri: alice.keyUri, sign }).catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ERR_TRANSPORT' })
    expect((e as Error).message).toContain('not bound to this relay')
    expect(sign).not.toHaveBeenCalled()
    expect(r.signed).toEqual([])
  })

  it('relayLoginChallengeValid checks tag, origin and nonce exactly', () => {
    const nonce = '0123456789abcdef'.repeat(4)
    const good = `kilt-relay-login/v1\nhttp://127.0.0.1:8787\n${nonce}`
    expect(relayLoginChallengeValid(good, 'http://127.0.0.1:8787')).toBe(true)
    expect(relayLoginChallengeValid(good, 'http://127.0.0.1:8787/some/path/?q#h')).toBe(true)
    expect(relayLoginChallengeValid(good, 'http://127.0.0.1:8788')).toBe(false)
    expect(relayLoginChallengeValid(good, 'http://localhost:8787')).toBe(false)
    // The default port is not part of the origin.
    expect(
      relayLoginChallengeValid(`kilt-relay-login/v1\nhttps://r.example\n${nonce}`, 'https://r.example:443/'),
    ).toBe(true)
    expect(relayLoginChallengeValid(`${good}0`, 'http://127.0.0.1:8787')).toBe(false)
    expect(relayLoginChallengeValid(good.replace(/.$/, 'g'), 'http://127.0.0.1:8787')).toBe(false)
    expect(relayLoginChallengeValid(good.replace(/\n/g, '\r\n'), 'http://127.0.0.1:8787')).toBe(false)
    expect(relayLoginChallengeValid(good, 'not a url')).toBe(false)
    expect(relayLoginChallengeValid(good, 'file:///x')).toBe(false)
    expect(relayLoginChallengeValid(5, 'http://127.0.0.1:8787')).toBe(false)
    expect(relayLoginChallengeValid(good, undefined)).toBe(false)
  })

  it('refuses a signer that returns a wrong-length signature', async () => {
    const r = relay()
    const client = createRelayClient({ url: 'https://r.example', fetch: r.fetch })
    await expect(
      client.login({ did: alice.did, keyUri: alice.keyUri, sign: () => new Uint8Array(10) }),
    ).rejects.toMatchObject({ code: 'ERR_ARGUMENT_INVALID' })
    await expect(
      client.login({ did: 'did:kilt:nope' as never, keyUri: alice.keyUri, sign: (d) => alice.auth.sign(d) }),
    ).rejects.toBeInstanceOf(MessagingError)
  })
})

describe('subscribe', () => {
  class FakeSocket implements WebSocketLike {
    static all: FakeSocket[] = []
    readyState = 0
    sent: string[] = []
    onopen: WebSocketLike['onopen'] = null
    onmessage: WebSocketLike['onmessage'] = null
    onclose: WebSocketLike['onclose'] = null
    onerror: WebSocketLike['onerror'] = null
    constructor(readonly url: string) {
      FakeSocket.all.push(this)
      queueMicrotask(() => {
        this.readyState = 1
        this.onopen?.({})
      })
    }
    send(data: string) {
      this.sent.push(data)
    }
    close(code = 1000) {
      this.readyState = 3
      this.onclose?.({ code, reason: '' })
    }
    frame(x: unknown) {
      this.onmessage?.({ data: JSON.stringify(x) })
    }
  }

  it('authenticates with a first frame, delivers in order, acks over the socket and reconnects with backoff', async () => {
    FakeSocket.all = []
    let tokens = 0
    const { fetch } = scriptedFetch((url) =>
      new URL(url).pathname === '/v1/auth/challenge'
        ? { status: 200, body: { challenge: challengeFor('https://r.example'), expiresAt: 1 } }
        : { status: 200, body: { token: `t${++tokens}`, expiresAt: Date.now() + 3600_000 } },
    )
    const client = createRelayClient({ url: 'https://r.example/', fetch, WebSocket: FakeSocket })
    await client.login({ did: alice.did, keyUri: alice.keyUri, sign: (d) => alice.auth.sign(d) })
    const got: string[] = []
    const opens: number[] = []
    const sub = client.subscribe(
      async (m) => {
        await new Promise((r) => setTimeout(r, 5))
        got.push(m.id)
      },
      { onOpen: () => opens.push(Date.now()), minDelayMs: 20, maxDelayMs: 40 },
    )
    await vi.waitFor(() => expect(FakeSocket.all[0]?.sent.length).toBe(1))
    const s1 = FakeSocket.all[0]!
    expect(s1.url).toBe('wss://r.example/v1/inbox/live')
    expect(JSON.parse(s1.sent[0]!)).toEqual({ type: 'auth', token: 't1' })
    s1.frame({ type: 'ready' })
    s1.frame({ type: 'message', id: 'A', envelope: env })
    s1.frame({ type: 'message', id: 'B', envelope: env })
    await vi.waitFor(() => expect(got).toEqual(['A', 'B']))
    const acked = sub.ack(['A', 'B'])
    expect(JSON.parse(s1.sent[1]!)).toEqual({ type: 'ack', ids: ['A', 'B'] })
    s1.frame({ type: 'acked', ids: ['A', 'B'], deleted: 2 })
    expect(await acked).toBe(2)

    // The relay closes for an expired token: the client logs in again and reconnects.
    s1.close(4401)
    await vi.waitFor(() => expect(FakeSocket.all[1]?.sent.length).toBe(1))
    expect(JSON.parse(FakeSocket.all[1]!.sent[0]!)).toEqual({ type: 'auth', token: 't2' })
    const pending = sub.ack(['C'])
    FakeSocket.all[1]!.close(1006)
    await expect(pending).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    await vi.waitFor(() => expect(FakeSocket.all.length).toBe(3))
    sub.close()
    await new Promise((r) => setTimeout(r, 100))
    expect(FakeSocket.all.length).toBe(3)
    await expect(sub.ack(['A'])).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    expect(opens.length).toBe(1)
  })

  it('needs a WebSocket implementation and a function', () => {
    const client = createRelayClient({ url: 'https://r.example', WebSocket: FakeSocket })
    expect(() => client.subscribe(5 as never)).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
  })
})
