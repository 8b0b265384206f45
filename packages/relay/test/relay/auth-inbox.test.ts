import { createRegistryResolver, relayLoginChallengeValid, toFullDid } from '@kilt-messaging/core'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRelay, type RelayOptions } from '../../src/index.js'
import { envelope, hex, type Identity, makeIdentity } from '../helpers/identities.js'
import { createMemoryStore, type MemoryStore } from '../helpers/memory-store.js'

const INJECT_URL = 'http://localhost'
const alice = makeIdentity('sr25519')
const bob = makeIdentity('ed25519')
let now = 1_700_000_000_000

let store: MemoryStore
let app: FastifyInstance

beforeEach(async () => {
  now = 1_700_000_000_000
  store = createMemoryStore()
  // inject() requests carry `Host: localhost:80`: the relay is served at http://localhost.
  app = await relay()
})
afterEach(async () => {
  await app.close()
})

/** A relay on `store` (unless overridden) at {@link INJECT_URL}, on the test clock. */
function relay(extra: Partial<RelayOptions> = {}): Promise<FastifyInstance> {
  return createRelay({
    store,
    logger: false,
    clock: () => now,
    expireIntervalMs: 0,
    publicUrl: INJECT_URL,
    ...extra,
  })
}

async function challenge(a: FastifyInstance, did: string): Promise<string> {
  const res = await a.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { did } })
  expect(res.statusCode).toBe(200)
  return res.json().challenge
}

function tokenRequest(a: FastifyInstance, body: Record<string, unknown>) {
  return a.inject({ method: 'POST', url: '/v1/auth/token', payload: body })
}

interface TokenPatch {
  /** Key URI sent (default: `who`'s authentication key). */
  keyUri?: string
  /** Who signs (default `who`). */
  signer?: Identity
  /** The text signed, from the challenge (default: the challenge itself). */
  signed?: (challenge: string) => string
}

/** A token request body of `who` answering challenge `c`. */
function tokenBody(who: Identity, c: string, patch: TokenPatch = {}) {
  return {
    did: who.did,
    challenge: c,
    keyUri: patch.keyUri ?? who.authKeyUri,
    signature: hex((patch.signer ?? who).auth.sign(new TextEncoder().encode(patch.signed?.(c) ?? c))),
  }
}

function expectError(
  res: { statusCode: number; json(): { error: { code: string } } },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status)
  expect(res.json().error.code).toBe(code)
}

async function login(who: Identity, a: FastifyInstance = app): Promise<string> {
  const c = await challenge(a, who.did)
  const res = await tokenRequest(a, tokenBody(who, c))
  expect(res.statusCode).toBe(200)
  return res.json().token
}

async function deposit(from: Identity, to: Identity): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/messages', payload: envelope(from, to) })
  expect(res.statusCode).toBe(201)
  return res.json().id
}

function ack(token: string | undefined, payload: unknown) {
  return app.inject({
    method: 'POST',
    url: '/v1/inbox/ack',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    payload: payload as Record<string, unknown>,
  })
}

function inbox(token: string | undefined, query = '') {
  return app.inject({
    method: 'GET',
    url: `/v1/inbox${query}`,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  })
}

describe('login', () => {
  it.each([
    ['sr25519', alice],
    ['ed25519', bob],
  ])('issues a token for a %s light DID that signed the challenge', async (_t, who) => {
    const token = await login(who)
    expect(token).toMatch(/^v1\./)
    const res = await inbox(token)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ messages: [], cursor: null })
  })

  it('binds the challenge only to a configured origin the client reached (core signs only such challenges)', async () => {
    const multi = await relay({ publicUrl: 'http://relay.example:8443/some/path, https://relay.example' })
    const ask = (host: string) =>
      multi.inject({
        method: 'POST',
        url: '/v1/auth/challenge',
        headers: { host },
        payload: { did: alice.did },
      })
    const res = await ask('relay.example:8443')
    expect(res.statusCode).toBe(200)
    const c = res.json().challenge as string
    expect(c).toMatch(/^kilt-relay-login\/v1\nhttp:\/\/relay\.example:8443\n[0-9a-f]{64}$/)
    expect(relayLoginChallengeValid(c, 'http://relay.example:8443/')).toBe(true)
    expect(relayLoginChallengeValid(c, 'http://other.example:8443/')).toBe(false)
    // Plain http from a TLS-terminating proxy (no trustProxy): the configured https origin.
    const proxied = (await ask('relay.example')).json().challenge as string
    expect(relayLoginChallengeValid(proxied, 'https://relay.example')).toBe(true)
    // A Host the relay is not configured to serve: refused, never echoed into a challenge.
    for (const host of ['evil.example', 'relay.example:9999', 'bad host/']) {
      expectError(await ask(host), 400, 'ERR_REQUEST_INVALID')
    }
    expect((await ask('evil.example')).json().error.message).toMatch(
      /not served at http:\/\/evil\.example; configure --public-url/,
    )
    await multi.close()
  })

  it('refuses a challenge request with Host: evil.example (the Host is not trusted)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/auth/challenge',
      headers: { host: 'evil.example' },
      payload: { did: alice.did },
    })
    expectError(res, 400, 'ERR_REQUEST_INVALID')
    expect(store.calls.putChallenge).toBe(0)
  })

  it('without publicUrl and before listen, serves no origin (inject must configure it)', async () => {
    const bare = await createRelay({ store, logger: false, clock: () => now, expireIntervalMs: 0 })
    const res = await bare.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { did: alice.did } })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.message).toMatch(/configure --public-url/)
    await bare.close()
  })

  it('refuses a token for a challenge bound to an origin this relay does not serve', async () => {
    // Another instance on the same store, served at another origin, issued it.
    const other = await relay({ publicUrl: 'https://other.example' })
    const c = (
      await other.inject({
        method: 'POST',
        url: '/v1/auth/challenge',
        headers: { host: 'other.example' },
        payload: { did: alice.did },
      })
    ).json().challenge as string
    await other.close()
    expectError(await tokenRequest(app, tokenBody(alice, c)), 401, 'ERR_CHALLENGE_INVALID')
  })

  it('rejects malformed publicUrl options', async () => {
    for (const publicUrl of ['', 'relay.example', 'ftp://relay.example', ['https://a.example', 42]])
      await expect(
        createRelay({ store, logger: false, expireIntervalMs: 0, publicUrl: publicUrl as string }),
      ).rejects.toMatchObject({ code: 'ERR_ARGUMENT_INVALID' })
  })

  it('with a full-DID resolver, refuses a light-DID login of an upgraded DID (the full DID may have rotated keys)', async () => {
    // The full DID of alice's address authenticates with another key now.
    const rotated = makeIdentity('ed25519')
    const registry = createRegistryResolver([
      {
        uri: toFullDid(alice.did),
        authentication: [{ id: '#0x01', type: 'ed25519', publicKey: rotated.auth.publicKey }],
      },
    ])
    const resolved = await relay({ resolver: registry })
    const res = await tokenRequest(resolved, tokenBody(alice, await challenge(resolved, alice.did)))
    expectError(res, 401, 'ERR_SIGNATURE_INVALID')
    expect(res.json().error.message).toContain('ERR_DID_UPGRADED')
    // bob (not upgraded) still logs in with his light DID through the same resolver.
    expect(await login(bob, resolved)).toMatch(/^v1\./)
    await resolved.close()
  })

  it('refuses a reused challenge', async () => {
    const body = tokenBody(alice, await challenge(app, alice.did))
    expect((await tokenRequest(app, body)).statusCode).toBe(200)
    expectError(await tokenRequest(app, body), 401, 'ERR_CHALLENGE_INVALID')
  })

  it('refuses an expired challenge', async () => {
    const c = await challenge(app, alice.did)
    now += 2 * 60_000 + 1
    expectError(await tokenRequest(app, tokenBody(alice, c)), 401, 'ERR_CHALLENGE_INVALID')
  })

  it('refuses a forged signature and burns the challenge', async () => {
    const c = await challenge(app, alice.did)
    expectError(await tokenRequest(app, tokenBody(alice, c, { signer: bob })), 401, 'ERR_SIGNATURE_INVALID')
    expect((await tokenRequest(app, tokenBody(alice, c))).json().error.code).toBe('ERR_CHALLENGE_INVALID')
  })

  it.each<[string, { challengeOf?: Identity } & TokenPatch, string, string | undefined]>([
    ['a challenge issued to another DID', { challengeOf: bob }, 'ERR_CHALLENGE_INVALID', undefined],
    ['a signature over other bytes', { signed: (c) => `${c}x` }, 'ERR_SIGNATURE_INVALID', undefined],
    [
      'the key agreement key instead of the authentication key',
      { keyUri: alice.encKeyUri },
      'ERR_SIGNATURE_INVALID',
      'ERR_KEY_RELATIONSHIP',
    ],
    ["another DID's key", { keyUri: bob.authKeyUri, signer: bob }, 'ERR_SIGNATURE_INVALID', undefined],
  ])('refuses %s (401)', async (_n, { challengeOf, ...patch }, code, inMessage) => {
    const c = await challenge(app, (challengeOf ?? alice).did)
    const res = await tokenRequest(app, tokenBody(alice, c, patch))
    expectError(res, 401, code)
    if (inMessage !== undefined) expect(res.json().error.message).toContain(inMessage)
  })

  it.each([
    ['no did', {}],
    ['a non-KILT did', { did: 'did:web:example.com' }],
    ['a resource URI', { did: alice.authKeyUri }],
    ['an extra field', { did: alice.did, x: 1 }],
    ['a numeric did', { did: 5 }],
  ])('refuses a challenge request with %s (400)', async (_n, body) => {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: body })
    expectError(res, 400, 'ERR_REQUEST_INVALID')
    expect(store.calls.putChallenge).toBe(0)
  })

  it.each([
    ['a short signature', { signature: `0x${'00'.repeat(63)}` }],
    ['an uppercase signature', { signature: `0x${'AB'.repeat(64)}` }],
    ['a bad keyUri', { keyUri: 'did:kilt:nope#x' }],
    ['a long challenge', { challenge: 'x'.repeat(200) }],
    ['an extra field', { extra: true }],
  ])('refuses a token request with %s (400) without consuming the challenge', async (_n, patch) => {
    const good = tokenBody(alice, await challenge(app, alice.did))
    const res = await tokenRequest(app, { ...good, ...patch })
    expect(res.statusCode).toBe(400)
    expect(store.calls.takeChallenge).toBe(0)
  })

  it('refuses a token from another deployment (other secret)', async () => {
    const otherStore = createMemoryStore()
    const other = await relay({ store: otherStore })
    const foreign = await login(alice, other)
    await other.close()
    expectError(await inbox(foreign), 401, 'ERR_UNAUTHORIZED')
  })

  it('refuses an expired token, a tampered token and a missing token', async () => {
    const token = await login(alice)
    const parts = token.split('.')
    const tampered = [parts[0], bob.did.slice(17, 65), parts[2], parts[3]].join('.')
    expect((await inbox(tampered)).statusCode).toBe(401)
    const later = [parts[0], parts[1], String(Number(parts[2]) + 1000), parts[3]].join('.')
    expect((await inbox(later)).statusCode).toBe(401)
    expect((await inbox(undefined)).statusCode).toBe(401)
    expect((await inbox('garbage')).statusCode).toBe(401)
    now += 15 * 60_000
    expectError(await inbox(token), 401, 'ERR_UNAUTHORIZED')
  })
})

describe('inbox', () => {
  it('lists own messages oldest first with a cursor, and never those of another DID', async () => {
    const ids = [await deposit(bob, alice), await deposit(bob, alice), await deposit(bob, alice)]
    const forBob = await deposit(alice, bob)
    const aliceToken = await login(alice)
    const bobToken = await login(bob)

    const page1 = (await inbox(aliceToken, '?limit=2')).json()
    expect(page1.messages.map((m: { id: string }) => m.id)).toEqual(ids.slice(0, 2))
    expect(page1.cursor).toBe(ids[1])
    expect(page1.messages[0].envelope.receivedAt).toBe(now)
    expect(page1.messages[0].envelope.receiverKeyUri).toBe(alice.encKeyUri)
    const page2 = (await inbox(aliceToken, `?after=${page1.cursor}&limit=2`)).json()
    expect(page2.messages.map((m: { id: string }) => m.id)).toEqual([ids[2]])

    const bobPage = (await inbox(bobToken)).json()
    expect(bobPage.messages.map((m: { id: string }) => m.id)).toEqual([forBob])
  })

  it("acks only own messages: B's token cannot delete A's", async () => {
    const id = await deposit(bob, alice)
    const bobToken = await login(bob)
    expect((await ack(bobToken, { ids: [id] })).json()).toEqual({ deleted: 0 })
    expect(store.messages.has(id)).toBe(true)
    const aliceToken = await login(alice)
    expect((await ack(aliceToken, { ids: [id] })).json()).toEqual({ deleted: 1 })
    expect(store.messages.has(id)).toBe(false)
  })

  it('a light DID and its full DID share one mailbox (with a full-DID resolver)', async () => {
    const fullDid = toFullDid(alice.did)
    const fullKeyUri = `${fullDid}#0x1234` as const
    // The light DID was upgraded; its full DID authenticates with the same key.
    const registry = createRegistryResolver([
      { uri: fullDid, authentication: [{ id: '#0x1234', type: 'sr25519', publicKey: alice.auth.publicKey }] },
    ])
    const resolved = await relay({ resolver: registry })
    const id = await deposit(bob, alice)
    const res = await resolved.inject({
      method: 'POST',
      url: '/v1/messages',
      payload: { ...envelope(bob, alice), receiverKeyUri: fullKeyUri },
    })
    expect(res.statusCode).toBe(201)
    const asFull = { ...alice, did: fullDid, authKeyUri: fullKeyUri }
    const page = (await inbox(await login(asFull, resolved))).json()
    expect(page.messages.map((m: { id: string }) => m.id)).toEqual([id, res.json().id])
    await resolved.close()
  })

  it.each([['?limit=0'], ['?limit=501'], ['?limit=abc'], ['?after=a%20b'], ['?foo=1'], ['?limit=1&limit=2']])(
    'refuses the query %s (400)',
    async (q) => {
      const token = await login(alice)
      expectError(await inbox(token, q), 400, 'ERR_REQUEST_INVALID')
      expect(store.calls.list).toBe(0)
    },
  )

  it.each([
    ['no ids', {}],
    ['an empty list', { ids: [] }],
    ['a number', { ids: [1] }],
    ['too many', { ids: Array(1001).fill('A') }],
  ])('refuses an ack with %s (400)', async (_n, payload) => {
    const token = await login(alice)
    expect((await ack(token, payload)).statusCode).toBe(400)
    expect(store.calls.ack).toBe(0)
  })

  it('refuses unauthenticated ack', async () => {
    expect((await ack(undefined, { ids: ['A'] })).statusCode).toBe(401)
    expect(store.calls.ack).toBe(0)
  })

  it('caps the reads of one mailbox in progress: 429 with Retry-After, other mailboxes unaffected, slots given back', async () => {
    const limited = await relay({ limits: { maxConcurrentReadsPerMailbox: 2 } })
    const id = (
      await limited.inject({ method: 'POST', url: '/v1/messages', payload: envelope(bob, alice) })
    ).json().id as string
    const aliceToken = await login(alice, limited)
    const bobToken = await login(bob, limited)
    const read = (token: string) =>
      limited.inject({ method: 'GET', url: '/v1/inbox', headers: { authorization: `Bearer ${token}` } })
    // The store answers reads only when the test lets it.
    const list = store.list.bind(store)
    const gates: Array<() => void> = []
    store.list = async (...args) => {
      await new Promise<void>((resolve) => gates.push(resolve))
      return list(...args)
    }
    const turnsUntil = async (check: () => boolean) => {
      for (let i = 0; i < 1000 && !check(); i++) await new Promise<void>((resolve) => setImmediate(resolve))
      expect(check()).toBe(true)
    }
    const held = [read(aliceToken), read(aliceToken)]
    await turnsUntil(() => gates.length === 2)
    // A third read is answered at once, without reaching the store.
    let refused: Awaited<ReturnType<typeof read>> | undefined
    void read(aliceToken).then((res) => {
      refused = res
    })
    await turnsUntil(() => refused !== undefined || gates.length > 2)
    expect(gates).toHaveLength(2)
    expect(refused?.statusCode).toBe(429)
    expect(refused?.json()).toEqual({ error: { code: 'ERR_RATE_LIMITED', message: expect.any(String) } })
    expect(refused?.headers['retry-after']).toBe('1')
    // Another mailbox reads meanwhile.
    const other = read(bobToken)
    await turnsUntil(() => gates.length === 3)
    for (const open of gates.splice(0)) open()
    for (const res of await Promise.all(held)) {
      expect(res.statusCode).toBe(200)
      expect(res.json().messages.map((m: { id: string }) => m.id)).toEqual([id])
    }
    expect((await other).statusCode).toBe(200)
    store.list = list
    // Sent reads gave their slots back; so do failed ones.
    expect((await Promise.all([read(aliceToken), read(aliceToken)])).map((r) => r.statusCode)).toEqual([
      200, 200,
    ])
    store.failing = true
    for (let i = 0; i < 3; i++) expectError(await read(aliceToken), 503, 'ERR_UNAVAILABLE')
    store.failing = false
    expect((await read(aliceToken)).statusCode).toBe(200)
    await limited.close()
    await expect(relay({ limits: { maxConcurrentReadsPerMailbox: 0 } })).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
    })
  })

  it('does not return expired messages, and the sweep deletes them', async () => {
    await deposit(bob, alice)
    const token = await login(alice)
    now += 7 * 24 * 3600_000
    expect((await inbox(token)).statusCode).toBe(401) // token long expired too
    const fresh = await login(alice)
    expect((await inbox(fresh)).json().messages).toEqual([])
    expect(await store.expire(now)).toBe(1)
  })
})

describe('operations', () => {
  it('healthz, readyz, 404 in the error shape', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200)
    const missing = await app.inject({ url: '/nope' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toEqual({ error: { code: 'ERR_NOT_FOUND', message: 'not found' } })
    store.failing = true
    const notReady = await app.inject({ url: '/readyz' })
    expectError(notReady, 503, 'ERR_UNAVAILABLE')
  })

  it('exposes Prometheus metrics that count deposits, deliveries, acks and rejects', async () => {
    const id = await deposit(bob, alice)
    await app.inject({ method: 'POST', url: '/v1/messages', payload: { nope: 1 } })
    const token = await login(alice)
    await inbox(token)
    await ack(token, { ids: [id] })
    const res = await app.inject({ url: '/metrics' })
    expect(res.headers['content-type']).toContain('text/plain')
    const text = res.body
    expect(text).toContain('kilt_relay_deposits_total 1')
    expect(text).toContain('kilt_relay_deliveries_total{channel="http"} 1')
    expect(text).toContain('kilt_relay_acks_total 1')
    expect(text).toContain('kilt_relay_queue_depth 0')
    expect(text).toContain('kilt_relay_rejects_total{reason="ERR_ENVELOPE_INVALID"} 1')
    expect(text).toMatch(/kilt_relay_request_duration_seconds_count\{route="POST \/v1\/messages"\} 2/)
    // Every non-comment line is `name{labels} value`.
    for (const line of text.trim().split('\n'))
      if (!line.startsWith('#')) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/)
  })

  it('guards /metrics with a bearer token when one is configured', async () => {
    const token = 'metrics-secret-0123456789'
    const guarded = await relay({ metricsToken: token })
    try {
      for (const authorization of [undefined, 'Bearer wrong-secret-0123456789', token, `Bearer ${token}x`]) {
        const res = await guarded.inject({
          url: '/metrics',
          ...(authorization === undefined ? {} : { headers: { authorization } }),
        })
        expect(res.statusCode).toBe(401)
        expect(res.json().error.code).toBe('ERR_UNAUTHORIZED')
        expect(res.body).not.toContain('kilt_relay_')
      }
      const ok = await guarded.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })
      expect(ok.statusCode).toBe(200)
      expect(ok.body).toContain('kilt_relay_deposits_total')
    } finally {
      await guarded.close()
    }
    await expect(relay({ metricsToken: 'short' })).rejects.toThrow(/metricsToken/)
  })

  it('answers CORS preflights only for configured origins', async () => {
    const cors = await createRelay({
      store,
      logger: false,
      expireIntervalMs: 0,
      cors: { origins: ['https://app.example'] },
    })
    const ok = await cors.inject({
      method: 'OPTIONS',
      url: '/v1/inbox',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    })
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example')
    const other = await cors.inject({
      method: 'OPTIONS',
      url: '/v1/inbox',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    })
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
    const none = await app.inject({ url: '/healthz', headers: { origin: 'https://app.example' } })
    expect(none.headers['access-control-allow-origin']).toBeUndefined()
    await cors.close()
  })

  it('serves an OpenAPI 3.1 document describing every route', async () => {
    const doc = (await app.inject({ url: '/v1/openapi.json' })).json()
    expect(doc.openapi).toBe('3.1.0')
    for (const path of [
      '/v1/messages',
      '/v1/auth/challenge',
      '/v1/auth/token',
      '/v1/inbox',
      '/v1/inbox/ack',
      '/v1/inbox/live',
      '/healthz',
      '/readyz',
      '/metrics',
      '/v1/openapi.json',
    ])
      expect(doc.paths[path]).toBeDefined()
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('ERR_QUOTA_EXCEEDED')
  })

  it('logs neither tokens, signatures, ciphertext nor DIDs', async () => {
    const lines: string[] = []
    const pino = (await import('pino')).default
    const logger = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) })
    const logged = await relay({ logger })
    const env = envelope(bob, alice)
    await logged.inject({ method: 'POST', url: '/v1/messages', payload: env })
    const token = await login(alice, logged)
    await logged.inject({ url: `/v1/inbox?limit=5`, headers: { authorization: `Bearer ${token}` } })
    await logged.inject({ url: `/v1/inbox/live?token=${token}` })
    await logged.close()
    const all = lines.join('\n')
    expect(lines.length).toBeGreaterThan(3)
    for (const secret of [token, env.ciphertext.slice(2, 40), alice.did.slice(17, 65), bob.did.slice(17, 65)])
      expect(all).not.toContain(secret)
  })
})
