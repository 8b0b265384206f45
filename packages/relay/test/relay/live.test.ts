/**
 * Real HTTP + WebSocket on 127.0.0.1 with the core relay client.
 */

import { createServer, request as httpRequest } from 'node:http'
import {
  createRelayClient,
  type InboxMessage,
  MessagingError,
  RelayResponseError,
  relayLoginChallengeValid,
} from '@kilt-messaging/core'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createRelay, RELAY_SERVICE_TYPE } from '../../src/index.js'
import { envelope, type Identity, makeIdentity } from '../helpers/identities.js'
import { createMemoryStore, type MemoryStore } from '../helpers/memory-store.js'
import { relayToken } from '../helpers/token.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

async function start(store: MemoryStore, port = 0): Promise<{ app: FastifyInstance; url: string }> {
  const app = await createRelay({ store, logger: false, expireIntervalMs: 0, heartbeatMs: 1000 })
  apps.push(app)
  await app.listen({ host: '127.0.0.1', port })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return { app, url: `http://127.0.0.1:${address.port}` }
}

function signer(who: Identity) {
  return { did: who.did, keyUri: who.authKeyUri, sign: (data: Uint8Array) => who.auth.sign(data) }
}

function waitFor<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const began = Date.now()
    const tick = () => {
      const v = check()
      if (v !== undefined) return resolve(v)
      if (Date.now() - began > timeoutMs) return reject(new Error('timed out'))
      setTimeout(tick, 10)
    }
    tick()
  })
}

describe('relay client against a live relay', () => {
  it.each([
    ['sr25519', 'ed25519'],
    ['ed25519', 'sr25519'],
  ] as const)('a %s receiver logs in, fetches, streams and acks (sender %s)', async (recvType, sendType) => {
    const store = createMemoryStore()
    const { url } = await start(store)
    const receiver = makeIdentity(recvType)
    const sender = makeIdentity(sendType)
    const client = createRelayClient({ url, WebSocket })

    const queued = await client.send(envelope(sender, receiver), { relay: url })
    expect(queued.id).toEqual(expect.any(String))

    const login = await client.login(signer(receiver))
    expect(login.expiresAt).toBeGreaterThan(Date.now())
    const page = await client.fetchInbox()
    expect(page.messages.map((m) => m.id)).toEqual([queued.id])
    expect(page.messages[0]!.envelope.receivedAt).toBe(queued.receivedAt)

    const got: InboxMessage[] = []
    let opened = 0
    const sub = client.subscribe((m) => void got.push(m), {
      onOpen: () => {
        opened++
      },
    })
    await waitFor(() => (got.length === 1 ? true : undefined))
    expect(got[0]!.id).toBe(queued.id)

    // Live push of a new deposit.
    const pushed = await client.send(envelope(sender, receiver), { relay: url })
    await waitFor(() => (got.length === 2 ? true : undefined))
    expect(got[1]!.id).toBe(pushed.id)
    expect(got[1]!.envelope.receiverKeyUri).toBe(receiver.encKeyUri)

    // Ack over the socket deletes both; nothing is left.
    expect(await sub.ack([queued.id, pushed.id])).toBe(2)
    expect(store.messages.size).toBe(0)
    expect((await client.fetchInbox()).messages).toEqual([])
    expect(opened).toBe(1)
    sub.close()
  })

  it('un-acked messages stay queued and are delivered again on the next connection', async () => {
    const store = createMemoryStore()
    const { url } = await start(store)
    const receiver = makeIdentity()
    const client = createRelayClient({ url, WebSocket })
    const { id } = await client.send(envelope(makeIdentity(), receiver), { relay: url })
    await client.login(signer(receiver))
    const first: string[] = []
    const sub1 = client.subscribe((m) => void first.push(m.id))
    await waitFor(() => (first.length === 1 ? true : undefined))
    sub1.close()
    const second: string[] = []
    const sub2 = client.subscribe((m) => void second.push(m.id))
    await waitFor(() => (second.length === 1 ? true : undefined))
    expect(second).toEqual([id])
    sub2.close()
  })

  it('never streams another DID’s messages', async () => {
    const store = createMemoryStore()
    const { url } = await start(store)
    const a = makeIdentity()
    const b = makeIdentity()
    const client = createRelayClient({ url, WebSocket })
    await client.send(envelope(b, a), { relay: url })
    await client.login(signer(b))
    const got: string[] = []
    let open = false
    const sub = client.subscribe((m) => void got.push(m.id), { onOpen: () => (open = true) })
    await waitFor(() => (open ? true : undefined))
    await client.send(envelope(b, a), { relay: url })
    await new Promise((r) => setTimeout(r, 200))
    expect(got).toEqual([])
    sub.close()
  })

  it('reconnects after a server restart and keeps delivering', async () => {
    const store = createMemoryStore()
    const first = await start(store)
    const port = Number(new URL(first.url).port)
    const receiver = makeIdentity('sr25519')
    const client = createRelayClient({ url: first.url, WebSocket })
    await client.login(signer(receiver))
    const got: string[] = []
    let opens = 0
    const errors: Error[] = []
    const sub = client.subscribe((m) => void got.push(m.id), {
      onOpen: () => void opens++,
      onError: (e) => void errors.push(e),
      minDelayMs: 50,
      maxDelayMs: 200,
    })
    await waitFor(() => (opens === 1 ? true : undefined))
    await first.app.close()
    apps.splice(apps.indexOf(first.app), 1)
    const second = await start(store, port)
    await waitFor(() => (opens === 2 ? true : undefined), 10_000)
    const { id } = await client.send(envelope(makeIdentity(), receiver), { relay: second.url })
    await waitFor(() => (got.includes(id) ? true : undefined))
    sub.close()
  })

  it('discovers the receiver relay from its KiltMessagingRelay service', async () => {
    const storeA = createMemoryStore()
    const storeB = createMemoryStore()
    const a = await start(storeA)
    const b = await start(storeB)
    const receiver = makeIdentity('ed25519', [
      { id: '#relay', type: [RELAY_SERVICE_TYPE], serviceEndpoint: [b.url] },
    ])
    const noService = makeIdentity()
    const client = createRelayClient({ url: a.url, WebSocket, allowInsecureDiscovery: true })
    expect(await client.discover(receiver.did)).toBe(b.url)
    expect(await client.discover(noService.did)).toBeNull()

    const sent = await client.send(envelope(makeIdentity(), receiver))
    expect(storeB.messages.has(sent.id)).toBe(true)
    expect(storeA.messages.size).toBe(0)
    // Without a service: falls back to the client's own relay.
    const fallback = await client.send(envelope(makeIdentity(), noService))
    expect(storeA.messages.has(fallback.id)).toBe(true)
    // No service and no url: a coded error.
    await expect(
      createRelayClient({ WebSocket }).send(envelope(makeIdentity(), noService)),
    ).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
    })
  })

  it('reports relay refusals as ERR_TRANSPORT with the relay code as cause', async () => {
    const store = createMemoryStore()
    const { url } = await start(store)
    const client = createRelayClient({ url, WebSocket })
    const bad = { ...envelope(makeIdentity(), makeIdentity()), nonce: '0x00' }
    const err = await client.send(bad, { relay: url }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MessagingError)
    expect((err as MessagingError).code).toBe('ERR_TRANSPORT')
    expect((err as MessagingError).message).toContain('ERR_ENVELOPE_INVALID')
    expect((err as MessagingError).cause).toBeInstanceOf(RelayResponseError)
    expect(((err as MessagingError).cause as RelayResponseError).status).toBe(400)
    await expect(client.fetchInbox()).rejects.toMatchObject({ code: 'ERR_TRANSPORT' })
    const unreachable = createRelayClient({ url: 'http://127.0.0.1:9', timeoutMs: 2000 })
    await expect(unreachable.send(envelope(makeIdentity(), makeIdentity()))).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
    })
  })

  it('refuses a WebSocket with a bad token before the upgrade and closes on a bad first frame', async () => {
    const store = createMemoryStore()
    const { url } = await start(store)
    const wsUrl = `${url.replace('http', 'ws')}/v1/inbox/live`
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${wsUrl}?token=v1.x.1.y`)
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('open', () => resolve(101))
    })
    expect(status).toBe(401)
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl)
      ws.on('open', () => ws.send('{"type":"auth","token":"nope"}'))
      ws.on('close', (c) => resolve(c))
    })
    expect(code).toBe(4401)
  })
})

describe('end to end', () => {
  it('encrypts, sends by discovery, streams, decrypts and acks a real KILT message', async () => {
    const { createKeyring, createMessage, decryptMessage, encryptMessage } = await import(
      '@kilt-messaging/core'
    )
    const store = createMemoryStore()
    const { url } = await start(store)
    const alice = makeIdentity('sr25519')
    const bob = makeIdentity('ed25519', [
      { id: '#relay', type: [RELAY_SERVICE_TYPE], serviceEndpoint: [url] },
    ])
    const aliceKeys = createKeyring([{ keyUri: alice.encKeyUri, secretKey: alice.enc.secretKey }])
    const bobKeys = createKeyring([{ keyUri: bob.encKeyUri, secretKey: bob.enc.secretKey }])
    const message = createMessage(
      { type: 'request-payment', content: { claimHash: `0x${'12'.repeat(32)}` } },
      { sender: alice.did, receiver: bob.did },
    )
    const sealed = await encryptMessage(message, { keys: aliceKeys })
    const sender = createRelayClient({ WebSocket, allowInsecureDiscovery: true })
    const receipt = await sender.send(sealed)

    const inbox = createRelayClient({ url, WebSocket })
    await inbox.login({ did: bob.did, keyUri: bob.authKeyUri, sign: (d) => bob.auth.sign(d) })
    const opened: unknown[] = []
    const sub = inbox.subscribe(async (m) => {
      const result = await decryptMessage(m.envelope, { keys: bobKeys })
      opened.push({ ...result.message, receivedAt: result.receivedAt })
      await sub.ack([m.id])
    })
    await waitFor(() => (opened.length === 1 ? true : undefined))
    expect(opened[0]).toMatchObject({
      body: message.body,
      sender: alice.did,
      receiver: bob.did,
      receivedAt: receipt.receivedAt,
    })
    await waitFor(() => (store.messages.size === 0 ? true : undefined))
    sub.close()
  })
})

/** A malicious relay M at its own URL that forwards every request to `target` (honest relay H). */
async function forwardingRelay(
  target: string,
  rewriteHost: boolean,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const headers = { ...req.headers }
      if (rewriteHost) headers.host = new URL(target).host
      const out = httpRequest(
        `${target}${req.url ?? '/'}`,
        { method: req.method ?? 'GET', headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        },
      )
      out.on('error', () => res.destroy())
      out.end(Buffer.concat(chunks))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe('login challenges bound to the relay origin', () => {
  it.each([
    ["passing the victim's Host on", false],
    ['rewriting the Host to the honest relay', true],
  ])('a login through a forwarding relay M fails (%s)', async (_name, rewriteHost) => {
    const store = createMemoryStore()
    const h = await start(store)
    const m = await forwardingRelay(h.url, rewriteHost)
    try {
      const victim = makeIdentity('sr25519')
      const viaM = createRelayClient({ url: m.url, WebSocket })
      let signed = 0
      const err = await viaM
        .login({
          ...signer(victim),
          sign: (d: Uint8Array) => {
            signed++
            return victim.auth.sign(d)
          },
        })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(MessagingError)
      expect((err as MessagingError).code).toBe('ERR_TRANSPORT')
      // H refuses M's Host, or names its own origin, which the client refuses to sign.
      expect(signed).toBe(0)
      expect((err as MessagingError).message).toMatch(
        rewriteHost ? /not bound to this relay/ : /ERR_REQUEST_INVALID/,
      )
      // The honest relay itself still works.
      await createRelayClient({ url: h.url, WebSocket }).login(signer(victim))
    } finally {
      await m.close()
    }
  })

  it('by default serves the loopback origins of its listen address (known after listen on port 0)', async () => {
    const store = createMemoryStore()
    const { url } = await start(store)
    const port = new URL(url).port
    const ask = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          `${url}/v1/auth/challenge`,
          { method: 'POST', headers: { 'content-type': 'application/json', host } },
          (res) => {
            let body = ''
            res.on('data', (d: Buffer) => {
              body += d.toString()
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
          },
        )
        req.on('error', reject)
        req.end(JSON.stringify({ did: makeIdentity().did }))
      })
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const res = await ask(host)
      expect(res.status).toBe(200)
      expect(relayLoginChallengeValid(JSON.parse(res.body).challenge, `http://${host}`)).toBe(true)
    }
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`])
      expect((await ask(host)).status).toBe(400)
  })
})

describe('live flow control', () => {
  it('keeps at most liveWindow envelopes in flight and sends more as acks arrive', async () => {
    const store = createMemoryStore()
    const app = await createRelay({ store, logger: false, expireIntervalMs: 0, limits: { liveWindow: 2 } })
    apps.push(app)
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('no address')
    const url = `http://127.0.0.1:${address.port}`
    const receiver = makeIdentity()
    const client = createRelayClient({ url })
    const ids: string[] = []
    for (let i = 0; i < 5; i++)
      ids.push((await client.send(envelope(makeIdentity(), receiver), { relay: url })).id)
    await client.login(signer(receiver))
    // The bearer token in the Authorization header (Node clients can set it).
    // Not over the socket: inject names the listen origin the relay serves by default.
    const token = await relayToken(app, receiver, new URL(url).host)
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/inbox/live`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const frames: Array<{ type: string; id?: string; deleted?: number }> = []
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())))
    const messages = () => frames.filter((f) => f.type === 'message').map((f) => f.id)
    await waitFor(() => (messages().length === 2 ? true : undefined))
    await new Promise((r) => setTimeout(r, 150))
    expect(messages()).toEqual(ids.slice(0, 2))
    ws.send(JSON.stringify({ type: 'ack', ids: [ids[0]] }))
    await waitFor(() => (messages().length === 3 ? true : undefined))
    expect(frames.find((f) => f.type === 'acked')?.deleted).toBe(1)
    ws.send(JSON.stringify({ type: 'ack', ids: ids.slice(1, 3) }))
    await waitFor(() => (messages().length === 5 ? true : undefined))
    expect(messages()).toEqual(ids)
    ws.send('not json')
    ws.send(JSON.stringify({ type: 'ack', ids: 'x' }))
    await waitFor(() => (frames.filter((f) => f.type === 'error').length === 2 ? true : undefined))
    ws.close()
  })
})

describe('live push cursor', () => {
  it('a new deposit lists only after the last id sent, not the un-acked backlog; acks with room do too', async () => {
    const store = createMemoryStore()
    const lists: Array<string | undefined> = []
    const list = store.list.bind(store)
    store.list = (mailbox, options) => {
      lists.push(options.after)
      return list(mailbox, options)
    }
    const { url } = await start(store)
    const receiver = makeIdentity()
    const sender = makeIdentity()
    const client = createRelayClient({ url, WebSocket })
    const backlog: string[] = []
    for (let i = 0; i < 30; i++)
      backlog.push((await client.send(envelope(sender, receiver), { relay: url })).id)
    await client.login(signer(receiver))
    const got: string[] = []
    const sub = client.subscribe((m) => void got.push(m.id))
    await waitFor(() => (got.length === 30 ? true : undefined))
    expect(got).toEqual(backlog)
    // The first pump is a full scan from the start.
    expect(lists[0]).toBeUndefined()
    lists.length = 0
    const next: string[] = []
    for (let i = 0; i < 3; i++) {
      next.push((await client.send(envelope(sender, receiver), { relay: url })).id)
      await waitFor(() => (got.length === 31 + i ? true : undefined))
    }
    expect(got.slice(30)).toEqual(next)
    // Each notify listed after the previous last id: never the 30 un-acked messages again.
    expect(lists.length).toBeGreaterThanOrEqual(3)
    expect(lists.every((after) => after !== undefined && after >= backlog[29]!)).toBe(true)
    lists.length = 0
    await sub.ack(backlog.slice(0, 10))
    await new Promise((r) => setTimeout(r, 50))
    expect(lists.every((after) => after !== undefined)).toBe(true)
    // Messages deposited while nobody listened still arrive in order on the next session.
    sub.close()
    const later = (await client.send(envelope(sender, receiver), { relay: url })).id
    const again: string[] = []
    const sub2 = client.subscribe((m) => void again.push(m.id))
    await waitFor(() => (again.length === 24 ? true : undefined))
    expect(again).toEqual([...backlog.slice(10), ...next, later])
    sub2.close()
  })
})
