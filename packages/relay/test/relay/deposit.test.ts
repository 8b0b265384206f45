import { createLightResolver, createRegistryResolver, didSubject, toFullDid } from '@kilt-messaging/core'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRelay } from '../../src/index.js'
import { envelope, makeIdentity } from '../helpers/identities.js'
import { createMemoryStore, type MemoryStore } from '../helpers/memory-store.js'

const alice = makeIdentity('sr25519')
const bob = makeIdentity('ed25519')
const NOW = 1_700_000_000_000

let store: MemoryStore
let app: FastifyInstance

beforeEach(async () => {
  store = createMemoryStore()
  app = await createRelay({ store, logger: false, clock: () => NOW, expireIntervalMs: 0 })
})
afterEach(async () => {
  await app.close()
})

function post(payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  })
}

describe('POST /v1/messages', () => {
  it('stores one envelope under the receiver subject with the relay receivedAt', async () => {
    const env = envelope(alice, bob)
    const res = await post(env)
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body.receivedAt).toBe(NOW)
    const stored = store.messages.get(body.id)
    expect(stored?.mailbox).toBe(didSubject(bob.did))
    expect(JSON.parse(stored!.envelope)).toEqual({ ...env, receivedAt: NOW })
    expect(stored?.expiresAt).toBe(NOW + 7 * 24 * 3600_000)
  })

  it('ignores a numeric client receivedAt', async () => {
    const res = await post({ ...envelope(alice, bob), receivedAt: 5 })
    expect(res.statusCode).toBe(201)
    expect(JSON.parse(store.messages.get(res.json().id)!.envelope).receivedAt).toBe(NOW)
  })

  it('stores a batch with per-item results', async () => {
    const res = await post({ messages: [envelope(alice, bob), envelope(bob, alice)] })
    expect(res.statusCode).toBe(201)
    const { results } = res.json()
    expect(results).toHaveLength(2)
    expect(store.messages.size).toBe(2)
    expect(store.messages.get(results[1].id)?.mailbox).toBe(didSubject(alice.did))
  })

  const valid = envelope(alice, bob)
  const hostile: Array<[string, unknown, number, string]> = [
    ['an array', [valid], 400, 'ERR_ENVELOPE_INVALID'],
    ['null', null, 400, 'ERR_ENVELOPE_INVALID'],
    ['a number', 42, 400, 'ERR_ENVELOPE_INVALID'],
    ['an unknown field', { ...valid, extra: 1 }, 400, 'ERR_ENVELOPE_INVALID'],
    ['__proto__', `{"__proto__":{"x":1},"ciphertext":"${valid.ciphertext}"}`, 400, 'ERR_REQUEST_INVALID'],
    ['a string receivedAt', { ...valid, receivedAt: '1' }, 400, 'ERR_ENVELOPE_INVALID'],
    [
      'uppercase hex',
      { ...valid, ciphertext: valid.ciphertext.toUpperCase().replace('0X', '0x') },
      400,
      'ERR_ENVELOPE_INVALID',
    ],
    ['odd hex', { ...valid, ciphertext: `${valid.ciphertext}a` }, 400, 'ERR_ENVELOPE_INVALID'],
    ['non-hex', { ...valid, ciphertext: `0x${'zz'.repeat(32)}` }, 400, 'ERR_ENVELOPE_INVALID'],
    ['no 0x', { ...valid, ciphertext: valid.ciphertext.slice(2) }, 400, 'ERR_ENVELOPE_INVALID'],
    ['a short ciphertext', { ...valid, ciphertext: `0x${'ab'.repeat(15)}` }, 400, 'ERR_ENVELOPE_INVALID'],
    ['a numeric ciphertext', { ...valid, ciphertext: 1 }, 400, 'ERR_ENVELOPE_INVALID'],
    ['a 12-byte nonce', { ...valid, nonce: `0x${'00'.repeat(12)}` }, 400, 'ERR_ENVELOPE_INVALID'],
    ['a missing nonce', { ...valid, nonce: undefined }, 400, 'ERR_ENVELOPE_INVALID'],
    ['a DID without fragment', { ...valid, receiverKeyUri: bob.did }, 400, 'ERR_ENVELOPE_INVALID'],
    [
      'a non-KILT key URI',
      { ...valid, senderKeyUri: 'did:web:example.com#key-1' },
      400,
      'ERR_ENVELOPE_INVALID',
    ],
    [
      'a bad SS58 checksum',
      { ...valid, receiverKeyUri: `did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7C#x` },
      400,
      'ERR_ENVELOPE_INVALID',
    ],
    ['an empty batch', { messages: [] }, 400, 'ERR_REQUEST_INVALID'],
    ['a batch with extra keys', { messages: [valid], more: 1 }, 400, 'ERR_REQUEST_INVALID'],
    [
      'a batch with one bad item',
      { messages: [valid, { ...valid, nonce: '0x00' }] },
      400,
      'ERR_ENVELOPE_INVALID',
    ],
    ['a batch over the limit', { messages: Array(101).fill(valid) }, 400, 'ERR_REQUEST_INVALID'],
    ['bad JSON', '{"ciphertext":', 400, 'ERR_REQUEST_INVALID'],
    ['an empty body', '', 400, 'ERR_REQUEST_INVALID'],
  ]
  it.each(hostile)('refuses %s and leaves the store untouched', async (_name, payload, status, code) => {
    const res = await post(payload)
    expect(res.statusCode).toBe(status)
    expect(res.json()).toEqual({ error: { code, message: expect.any(String) } })
    expect(store.calls.deposit).toBe(0)
    expect(store.messages.size).toBe(0)
  })

  it('refuses an envelope over the size limit with 413', async () => {
    const small = await createRelay({
      store,
      logger: false,
      limits: { maxEnvelopeBytes: 1024 },
      expireIntervalMs: 0,
    })
    const res = await small.inject({
      method: 'POST',
      url: '/v1/messages',
      payload: envelope(alice, bob, 1024),
    })
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('ERR_MESSAGE_TOO_LARGE')
    // Just under the limit in ciphertext but over it once serialised with the key URIs.
    const res2 = await small.inject({
      method: 'POST',
      url: '/v1/messages',
      payload: envelope(alice, bob, 400),
    })
    expect(res2.statusCode).toBe(413)
    expect(store.calls.deposit).toBe(0)
    await small.close()
  })

  it('refuses a body over the request limit with 413 before parsing', async () => {
    const res = await post(`{"ciphertext":"0x${'00'.repeat(3 * 1024 * 1024)}"}`)
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('ERR_MESSAGE_TOO_LARGE')
    expect(store.calls.deposit).toBe(0)
  })

  it('refuses non-JSON content types with 415', async () => {
    const res = await post(JSON.stringify(envelope(alice, bob)), { 'content-type': 'text/plain' })
    expect(res.statusCode).toBe(415)
    expect(res.json().error.code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE')
    expect(store.calls.deposit).toBe(0)
  })

  it('answers 507 ERR_QUOTA_EXCEEDED when the mailbox is full, per item in a batch', async () => {
    const tiny = await createRelay({
      store,
      logger: false,
      limits: { mailboxMaxCount: 2 },
      expireIntervalMs: 0,
    })
    const batch = await tiny.inject({
      method: 'POST',
      url: '/v1/messages',
      payload: { messages: [envelope(alice, bob), envelope(alice, bob), envelope(alice, bob)] },
    })
    expect(batch.statusCode).toBe(201)
    const { results } = batch.json()
    expect(results[0].id).toEqual(expect.any(String))
    expect(results[2]).toEqual({ error: { code: 'ERR_QUOTA_EXCEEDED', message: expect.any(String) } })
    const one = await tiny.inject({ method: 'POST', url: '/v1/messages', payload: envelope(alice, bob) })
    expect(one.statusCode).toBe(507)
    expect(one.json().error.code).toBe('ERR_QUOTA_EXCEEDED')
    // Another mailbox is not affected.
    const other = await tiny.inject({ method: 'POST', url: '/v1/messages', payload: envelope(bob, alice) })
    expect(other.statusCode).toBe(201)
    await tiny.close()
  })

  it('per item ERR_UNAVAILABLE when the store stored the batch in part (503 when nothing); their budget comes back', async () => {
    const strict = await createRelay({
      store,
      logger: false,
      clock: () => NOW,
      limits: { mailboxDepositsPerMinute: 2 },
      expireIntervalMs: 0,
    })
    store.unavailable.add(didSubject(alice.did))
    const batch = await strict.inject({
      method: 'POST',
      url: '/v1/messages',
      payload: { messages: [envelope(alice, bob), envelope(bob, alice)] },
    })
    expect(batch.statusCode).toBe(201)
    const { results } = batch.json()
    expect(results[0].id).toEqual(expect.any(String))
    expect(results[1]).toEqual({ error: { code: 'ERR_UNAVAILABLE', message: expect.any(String) } })
    const none = await strict.inject({ method: 'POST', url: '/v1/messages', payload: envelope(bob, alice) })
    expect(none.statusCode).toBe(503)
    expect(none.json().error.code).toBe('ERR_UNAVAILABLE')
    // alice's mailbox stored nothing: both of its 2 deposits per minute are still there
    store.unavailable.clear()
    for (let i = 0; i < 2; i++)
      expect(
        (await strict.inject({ method: 'POST', url: '/v1/messages', payload: envelope(bob, alice) }))
          .statusCode,
      ).toBe(201)
    expect(
      (await strict.inject({ method: 'POST', url: '/v1/messages', payload: envelope(bob, alice) }))
        .statusCode,
    ).toBe(429)
    await strict.close()
  })

  it('refuses full-DID receivers without a full-DID resolver (400), accepts them with one', async () => {
    const full = `${toFullDid(bob.did)}#0x${'ab'.repeat(32)}` as const
    const toFull = { ...envelope(alice, bob), receiverKeyUri: full }
    const res = await post(toFull)
    expect(res.statusCode).toBe(400)
    expect(res.json().error).toEqual({
      code: 'ERR_ENVELOPE_INVALID',
      message: 'this relay cannot authenticate full DIDs; configure --resolver-url',
    })
    // A batch holding one is refused as a whole.
    expect((await post({ messages: [envelope(alice, bob), toFull] })).statusCode).toBe(400)
    expect(store.calls.deposit).toBe(0)
    // A full-DID sender to a light-DID receiver is fine (the receiver's login is what matters).
    expect(
      (await post({ ...envelope(alice, bob), senderKeyUri: `${toFullDid(alice.did)}#0x01` })).statusCode,
    ).toBe(201)
    const withResolver = await createRelay({
      store,
      logger: false,
      expireIntervalMs: 0,
      resolver: createRegistryResolver(),
    })
    const ok = await withResolver.inject({ method: 'POST', url: '/v1/messages', payload: toFull })
    expect(ok.statusCode).toBe(201)
    expect(store.messages.get(ok.json().id)?.mailbox).toBe(didSubject(bob.did))
    await withResolver.close()
    // A resolver declared light-only refuses them too.
    const lightOnly = await createRelay({
      store,
      logger: false,
      expireIntervalMs: 0,
      resolver: createLightResolver(),
      resolvesFullDids: false,
    })
    expect(
      (await lightOnly.inject({ method: 'POST', url: '/v1/messages', payload: toFull })).statusCode,
    ).toBe(400)
    await lightOnly.close()
    await expect(createRelay({ store, logger: false, resolvesFullDids: true })).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
    })
  })

  it('rate-limits deposits per (client IP, mailbox), not per the unauthenticated senderKeyUri', async () => {
    const limited = await createRelay({
      store,
      logger: false,
      limits: { ipMailboxDepositsPerMinute: 2 },
      expireIntervalMs: 0,
    })
    const from = (remoteAddress: string, payload: object) =>
      limited.inject({ method: 'POST', url: '/v1/messages', remoteAddress, payload })
    // Varying the sender key URI (any fragment, any sender) does not bypass the limit.
    const codes: number[] = []
    for (const sender of [alice, makeIdentity(), makeIdentity()])
      codes.push((await from('10.0.0.1', envelope(sender, bob))).statusCode)
    expect(codes).toEqual([201, 201, 429])
    const refused = await from('10.0.0.1', { ...envelope(alice, bob), senderKeyUri: `${alice.did}#other` })
    expect(refused.statusCode).toBe(429)
    expect(refused.json().error.code).toBe('ERR_RATE_LIMITED')
    // Naming alice's key from one address does not block alice (another address) ...
    expect((await from('10.0.0.2', envelope(alice, bob))).statusCode).toBe(201)
    // ... and another mailbox from the same address is not affected.
    expect((await from('10.0.0.1', envelope(alice, makeIdentity()))).statusCode).toBe(201)
    // A batch that no window could take (3 > 2 per minute) is malformed: 400, and takes nothing.
    const tooBig = await from('10.0.0.3', {
      messages: [envelope(alice, bob), envelope(alice, bob), envelope(alice, bob)],
    })
    expect(tooBig.statusCode).toBe(400)
    expect(tooBig.json().error.code).toBe('ERR_REQUEST_INVALID')
    // A batch beyond what is left of the budget is refused whole (429) and takes nothing.
    expect((await from('10.0.0.3', envelope(alice, bob))).statusCode).toBe(201)
    const batch = await from('10.0.0.3', { messages: [envelope(alice, bob), envelope(alice, bob)] })
    expect(batch.statusCode).toBe(429)
    expect((await from('10.0.0.3', envelope(alice, bob))).statusCode).toBe(201)
    await limited.close()
  })

  it('rate-limits deposits into one mailbox from all addresses together', async () => {
    const limited = await createRelay({
      store,
      logger: false,
      limits: { mailboxDepositsPerMinute: 3 },
      expireIntervalMs: 0,
    })
    const codes: number[] = []
    for (let i = 0; i < 4; i++)
      codes.push(
        (
          await limited.inject({
            method: 'POST',
            url: '/v1/messages',
            remoteAddress: `10.0.1.${i}`,
            payload: envelope(makeIdentity(), bob),
          })
        ).statusCode,
      )
    expect(codes).toEqual([201, 201, 201, 429])
    const other = await limited.inject({ method: 'POST', url: '/v1/messages', payload: envelope(bob, alice) })
    expect(other.statusCode).toBe(201)
    await limited.close()
  })

  it('accepts the old senderDepositsPerMinute as an alias of ipMailboxDepositsPerMinute', async () => {
    const limited = await createRelay({
      store,
      logger: false,
      limits: { senderDepositsPerMinute: 1 },
      expireIntervalMs: 0,
    })
    const post1 = () =>
      limited.inject({ method: 'POST', url: '/v1/messages', payload: envelope(makeIdentity(), bob) })
    expect([(await post1()).statusCode, (await post1()).statusCode]).toEqual([201, 429])
    await limited.close()
    await expect(createRelay({ store, logger: false, limits: { nope: 1 } as never })).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
    })
  })

  it('rate-limits per IP with 429 and the JSON error shape', async () => {
    const limited = await createRelay({
      store,
      logger: false,
      limits: { ipRequestsPerMinute: 2 },
      expireIntervalMs: 0,
    })
    const codes: number[] = []
    let last: { json(): unknown; headers: Record<string, unknown> } | undefined
    for (let i = 0; i < 3; i++) {
      last = await limited.inject({ method: 'GET', url: '/healthz' })
      codes.push((last as unknown as { statusCode: number }).statusCode)
    }
    expect(codes).toEqual([200, 200, 429])
    expect(last!.json()).toEqual({ error: { code: 'ERR_RATE_LIMITED', message: expect.any(String) } })
    expect(last!.headers['retry-after']).toBeDefined()
    await limited.close()
  })

  it('answers 503 when the store fails, without a stack or cause', async () => {
    store.failing = true
    const res = await post(envelope(alice, bob))
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ error: { code: 'ERR_UNAVAILABLE', message: 'the store is unavailable' } })
  })
})

describe('request logging', () => {
  it('logs no line per stored deposit at the default level (info), one at debug; other routes at info', async () => {
    const pino = (await import('pino')).default
    for (const [level, depositLines] of [
      ['info', 0],
      ['debug', 1],
    ] as const) {
      const lines: string[] = []
      const logger = pino({ level }, { write: (l: string) => lines.push(l) })
      const logged = await createRelay({ store: createMemoryStore(), logger, expireIntervalMs: 0 })
      const r = await logged.inject({ method: 'POST', url: '/v1/messages', payload: envelope(bob, alice) })
      expect(r.statusCode).toBe(201)
      await logged.inject({ url: '/healthz' })
      const bad = await logged.inject({ method: 'POST', url: '/v1/messages', payload: { x: 1 } })
      expect(bad.statusCode).toBe(400)
      await logged.close()
      const requests = lines.map((l) => JSON.parse(l) as { msg?: string; route?: string; status?: number })
      const of = (route: string, status: number) =>
        requests.filter((l) => l.msg === 'request' && l.route === route && l.status === status).length
      expect(of('POST /v1/messages', 201)).toBe(depositLines)
      expect(of('POST /v1/messages', 400)).toBe(1)
      expect(of('GET /healthz', 200)).toBe(1)
    }
  })
})
