import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { exportToW3C, lightDidToDocument } from '../../src/did/index.js'
import type { DidDocument, DidUri } from '../../src/did/types.js'
import { toHex } from '../../src/lib/bytes.js'
import { composeResolvers, createHttpResolver } from '../../src/resolver/index.js'
import type { DidResolutionResult } from '../../src/resolver/types.js'
import { rejectionCode } from '../helpers/expect-error.js'
import { did, fullDocument, manualClock, syntheticFullDocument } from './fixtures.js'

const PROFILE = 'application/ld+json;profile="https://w3id.org/did-resolution"'

type Handler = (res: ServerResponse, req: IncomingMessage) => void

function json(status: number, body: unknown, type = 'application/did+json'): Handler {
  return (res) => {
    res.writeHead(status, { 'content-type': type })
    res.end(JSON.stringify(body))
  }
}

function wrapper(document: unknown, metadata: object = {}, resolution: object = {}) {
  return {
    '@context': ['https://w3id.org/did-resolution/v1'],
    didDocument: document,
    didDocumentMetadata: metadata,
    didResolutionMetadata: { contentType: 'application/did+json', ...resolution },
  }
}

const docs = Array.from({ length: 20 }, (_, i) => syntheticFullDocument(10 + 2 * i)) as DidDocument[]
const D = Object.fromEntries(
  [
    'wrapper03',
    'bareMultikey',
    'wrapperMultikeyLd',
    'status400',
    'status404',
    'status410',
    'status500',
    'slowHeaders',
    'slowBody',
    'oversizedChunked',
    'oversizedDeclared',
    'junkJson',
    'badUtf8',
    'otherId',
    'metaDeactivated',
    'metaError',
    'idOnly',
    'counting',
    'notObject',
  ].map((name, i) => [name, docs[i]!]),
) as Record<string, DidDocument>

const aliceLight = did('alice')
const aliceFull = `did:kilt:${aliceLight.address}`
const bobLight = did('bob')
const daveLight = did('dave')
const erinLight = did('erin')

/** The light DID's own document with another key agreement key (what a lying resolver could send). */
function swappedKeyDocument(uri: DidUri, publicKey: Uint8Array): DidDocument {
  const own = lightDidToDocument(uri)
  return { ...own, keyAgreement: [{ ...own.keyAgreement![0]!, publicKey }] } as DidDocument
}

const routes = new Map<string, Handler>([
  [
    D.wrapper03!.uri,
    json(200, wrapper(exportToW3C(D.wrapper03!, { contentType: 'application/ld+json' })), PROFILE),
  ],
  [D.bareMultikey!.uri, json(200, exportToW3C(D.bareMultikey!, { format: 'multikey' }))],
  [
    D.wrapperMultikeyLd!.uri,
    json(
      200,
      wrapper(exportToW3C(D.wrapperMultikeyLd!, { format: 'multikey', contentType: 'application/ld+json' })),
      PROFILE,
    ),
  ],
  [D.status400!.uri, json(400, wrapper(null, {}, { error: 'invalidDid' }), PROFILE)],
  [D.status404!.uri, json(404, wrapper(null, {}, { error: 'notFound' }), PROFILE)],
  [D.status410!.uri, json(410, wrapper({ id: D.status410!.uri }, { deactivated: true }), PROFILE)],
  [D.status500!.uri, json(500, { error: 'boom' })],
  [D.slowHeaders!.uri, () => {}],
  [
    D.slowBody!.uri,
    (res) => {
      res.writeHead(200, { 'content-type': 'application/did+json' })
      res.write('{"id":')
    },
  ],
  [
    D.oversizedChunked!.uri,
    (res) => {
      res.writeHead(200, { 'content-type': 'application/did+json' })
      const chunk = ' '.repeat(16 * 1024)
      let sent = 0
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++
        if (sent < 64) res.once('drain', pump)
        else res.end('{}')
      }
      pump()
    },
  ],
  [
    D.oversizedDeclared!.uri,
    (res) => {
      res.writeHead(200, {
        'content-type': 'application/did+json',
        'content-length': String(10 * 1024 * 1024),
      })
      res.write('{')
    },
  ],
  [D.junkJson!.uri, (res) => res.end('{ not json')],
  [D.badUtf8!.uri, (res) => res.end(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
  [D.otherId!.uri, json(200, exportToW3C(D.wrapper03!))],
  [
    D.metaDeactivated!.uri,
    json(200, wrapper({ id: D.metaDeactivated!.uri }, { deactivated: true }), PROFILE),
  ],
  [D.metaError!.uri, json(200, wrapper(null, {}, { error: 'notFound' }), PROFILE)],
  [D.idOnly!.uri, json(200, wrapper({ id: D.idOnly!.uri }), PROFILE)],
  [D.counting!.uri, json(200, exportToW3C(D.counting!))],
  [D.notObject!.uri, json(200, [1, 2, 3])],
  // The driver resolves light DIDs too: an upgraded one has a canonicalId and an id-only document.
  [
    aliceLight.uri,
    json(200, wrapper({ id: aliceLight.uri }, { canonicalId: aliceFull, deactivated: false }), PROFILE),
  ],
  [
    bobLight.uri,
    json(
      200,
      wrapper({ id: bobLight.uri }, { canonicalId: fullDocument('carol').uri, deactivated: false }),
      PROFILE,
    ),
  ],
  [aliceFull, json(200, wrapper(exportToW3C(fullDocument('alice'))), PROFILE)],
  // A lying (or intercepted) driver answers dave's light DID with erin's key agreement key.
  [
    daveLight.uri,
    json(200, wrapper(exportToW3C(swappedKeyDocument(daveLight.uri, erinLight.encPublicKey!))), PROFILE),
  ],
])

let server: Server
let baseUrl: string
const requests: { url: string; accept: string | undefined; custom: string | undefined }[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({
      url: req.url ?? '',
      accept: req.headers.accept,
      custom: req.headers['x-custom'] as string,
    })
    const prefix = '/base/1.0/identifiers/'
    if (!req.url?.startsWith(prefix)) return json(404, {})(res, req)
    const handler = routes.get(decodeURIComponent(req.url.slice(prefix.length)))
    ;(handler ?? json(404, wrapper(null, {}, { error: 'notFound' }), PROFILE))(res, req)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

function resolver(options: Partial<Parameters<typeof createHttpResolver>[0]> = {}) {
  return createHttpResolver({ baseUrl, timeoutMs: 300, cache: false, ...options })
}

describe('createHttpResolver against a fake driver on 127.0.0.1', () => {
  it('sends GET <base>/1.0/identifiers/<did> with the resolution Accept header and extra headers', async () => {
    requests.length = 0
    await resolver({ headers: { 'x-custom': 'yes' } }).resolve(D.wrapper03!.uri)
    expect(requests).toHaveLength(1)
    expect(requests[0]!.url).toBe(`/base/1.0/identifiers/${D.wrapper03!.uri}`)
    expect(requests[0]!.accept).toBe(
      'application/ld+json;profile="https://w3id.org/did-resolution", application/did+ld+json, application/did+json',
    )
    expect(requests[0]!.custom).toBe('yes')
  })

  it('accepts the resolution-result wrapper and bare documents, of both W3C generations', async () => {
    const r = resolver()
    for (const doc of [D.wrapper03!, D.bareMultikey!, D.wrapperMultikeyLd!]) {
      const result = await r.resolve(doc.uri)
      expect(result.error, doc.uri).toBeUndefined()
      expect(result.metadata).toEqual({ deactivated: false })
      expect(result.document?.uri).toBe(doc.uri)
      const enc = doc.keyAgreement![0]!
      const key = await r.resolveKey(`${doc.uri}${enc.id}`, 'keyAgreement')
      expect(toHex(key.publicKey)).toBe(toHex(enc.publicKey))
      expect(key.controller).toBe(doc.uri)
    }
  })

  it("a light DID's keys come from the DID itself, never from the driver's document", async () => {
    const r = resolver()
    const key = await r.resolveKey(daveLight.encKeyUri!, 'keyAgreement')
    expect(toHex(key.publicKey)).toBe(toHex(daveLight.encPublicKey!))
    const doc = (await r.resolve(daveLight.uri)).document
    expect(toHex(doc!.keyAgreement![0]!.publicKey)).toBe(toHex(daveLight.encPublicKey!))
    // unknown to the driver (404): not upgraded, the DID's own document
    const erin = await r.resolve(erinLight.uri)
    expect(toHex(erin.document!.keyAgreement![0]!.publicKey)).toBe(toHex(erinLight.encPublicKey!))
  })

  it('a document handed out is a copy: wiping its key bytes changes no later answer (cache on)', async () => {
    const r = resolver({ cache: { ttlMs: 60_000, maxEntries: 8 } })
    for (const uri of [D.wrapper03!.uri, daveLight.uri]) {
      const first = await r.resolve(uri)
      const expected = toHex(first.document!.authentication[0].publicKey)
      first.document!.authentication[0].publicKey.fill(0)
      expect(toHex((await r.resolve(uri)).document!.authentication[0].publicKey)).toBe(expected)
    }
  })

  it('maps HTTP 400/404/410/500 to invalidDid/notFound/deactivated/internalError', async () => {
    const r = resolver()
    expect((await r.resolve(D.status400!.uri)).error).toBe('invalidDid')
    expect((await r.resolve(D.status404!.uri)).error).toBe('notFound')
    expect(await r.resolve(D.status410!.uri)).toEqual({ metadata: { deactivated: true } })
    expect((await r.resolve(D.status500!.uri)).error).toBe('internalError')
    const auth = (d: DidDocument) => `${d.uri}${d.authentication[0].id}`
    await expect(rejectionCode(r.resolveKey(auth(D.status400!)))).resolves.toBe('ERR_DID_INVALID')
    await expect(rejectionCode(r.resolveKey(auth(D.status404!)))).resolves.toBe('ERR_DID_NOT_FOUND')
    await expect(rejectionCode(r.resolveKey(auth(D.status410!)))).resolves.toBe('ERR_DID_DEACTIVATED')
    await expect(rejectionCode(r.resolveKey(auth(D.status500!)))).resolves.toBe('ERR_RESOLVER_FAILED')
  })

  it('reads deactivation and errors from the wrapper metadata', async () => {
    const r = resolver()
    expect(await r.resolve(D.metaDeactivated!.uri)).toEqual({ metadata: { deactivated: true } })
    expect((await r.resolve(D.metaError!.uri)).error).toBe('notFound')
    // An id-only document without metadata is not a usable document.
    expect((await r.resolve(D.idOnly!.uri)).error).toBe('internalError')
  })

  it('times out on a server that never answers, or stalls in the body', async () => {
    const r = resolver({ timeoutMs: 200 })
    for (const d of [D.slowHeaders!, D.slowBody!]) {
      const result = await r.resolve(d.uri)
      expect(result.error).toBe('internalError')
      expect(result.errorMessage).toMatch(/timed out/)
    }
    await expect(rejectionCode(r.resolveKey(`${D.slowHeaders!.uri}#0x00`))).resolves.toBe(
      'ERR_RESOLVER_FAILED',
    )
  })

  it('gives up when timeoutMs has passed on its clock, not before, even if fetch ignores the abort', async () => {
    const stalls: Record<string, typeof fetch> = {
      // never answers, and ignores the abort signal
      headers: () => new Promise<Response>(() => undefined),
      // sends the headers and the start of a body, then nothing
      body: async () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start: (controller) => controller.enqueue(new TextEncoder().encode('{"id":')),
          }),
          { status: 200, headers: { 'content-type': 'application/did+json' } },
        ),
    }
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      for (const [stall, fetch] of Object.entries(stalls)) {
        const r = createHttpResolver({ baseUrl, fetch, timeoutMs: 200, cache: false })
        let result: DidResolutionResult | undefined
        const pending = r.resolve(D.slowHeaders!.uri).then((x) => {
          result = x
        })
        await vi.advanceTimersByTimeAsync(199)
        expect(result, stall).toBeUndefined()
        await vi.advanceTimersByTimeAsync(1)
        expect(result?.error, stall).toBe('internalError')
        expect(result?.errorMessage, stall).toMatch(/timed out/)
        await pending
      }
    } finally {
      vi.useRealTimers()
    }
  })

  it('honours the caller signal', async () => {
    const r = resolver({ timeoutMs: 10_000 })
    const controller = new AbortController()
    const pending = r.resolve(D.slowHeaders!.uri, { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    const result = await pending
    expect(result.error).toBe('internalError')
    expect(result.errorMessage).toMatch(/aborted/)
    const aborted = new AbortController()
    aborted.abort()
    expect((await r.resolve(D.wrapper03!.uri, { signal: aborted.signal })).error).toBe('internalError')
  })

  it('refuses oversized bodies, streamed or declared', async () => {
    const r = resolver({ maxResponseBytes: 64 * 1024, timeoutMs: 5000 })
    for (const d of [D.oversizedChunked!, D.oversizedDeclared!]) {
      const result = await r.resolve(d.uri)
      expect(result.error).toBe('internalError')
      expect(result.errorMessage).toMatch(/exceeds/)
    }
  })

  it('refuses junk JSON, invalid UTF-8, non-objects and the document of another DID', async () => {
    const r = resolver()
    for (const d of [D.junkJson!, D.badUtf8!, D.notObject!, D.otherId!]) {
      const result = await r.resolve(d.uri)
      expect(result.error, d.uri).toBe('internalError')
      expect(result.document).toBeUndefined()
    }
    expect((await r.resolve(D.otherId!.uri)).errorMessage).toMatch(/another DID/)
  })

  it('reports an upgraded light DID via canonicalId, and refuses a canonicalId of another subject', async () => {
    const r = resolver()
    expect(await r.resolve(aliceLight.uri)).toEqual({
      metadata: { deactivated: false, canonicalId: aliceFull },
    })
    await expect(rejectionCode(r.resolveKey(aliceLight.encKeyUri!, 'keyAgreement'))).resolves.toBe(
      'ERR_DID_UPGRADED',
    )
    expect((await r.resolve(bobLight.uri)).error).toBe('internalError')
  })

  it('checks DIDs locally before any request', async () => {
    requests.length = 0
    const r = resolver()
    expect((await r.resolve('did:kilt:nope')).error).toBe('invalidDid')
    expect((await r.resolve(`${aliceLight.shortUri}:zzz`)).error).toBe('invalidDid')
    expect((await r.resolve('did:web:example.com')).error).toBe('methodNotSupported')
    await expect(rejectionCode(r.resolveKey('did:kilt:nope#x'))).resolves.toBe('ERR_DID_INVALID')
    expect(requests).toHaveLength(0)
  })

  it('an unreachable server is internalError', async () => {
    const r = createHttpResolver({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000, cache: false })
    expect((await r.resolve(D.wrapper03!.uri)).error).toBe('internalError')
  })

  it('caches with a TTL (injected clock) and does not cache failures', async () => {
    const clock = manualClock()
    const r = resolver({ cache: { ttlMs: 1000, maxEntries: 4 }, now: clock.now })
    requests.length = 0
    await r.resolve(D.counting!.uri)
    await r.resolve(D.counting!.uri)
    expect(requests).toHaveLength(1)
    clock.advance(1000)
    await r.resolve(D.counting!.uri)
    expect(requests).toHaveLength(2)
    await r.resolve(D.status500!.uri)
    await r.resolve(D.status500!.uri)
    expect(requests).toHaveLength(4)
  })

  it('composes: the light DID is upgraded when the HTTP resolver knows its full DID', async () => {
    const composed = composeResolvers({ resolvers: [resolver()] })
    expect(await composed.resolve(aliceLight.uri)).toEqual({
      metadata: { deactivated: false, canonicalId: aliceFull },
    })
    await expect(rejectionCode(composed.resolveKey(aliceLight.encKeyUri!, 'keyAgreement'))).resolves.toBe(
      'ERR_DID_UPGRADED',
    )
    // Bob's full DID is unknown (404): his light DID stays usable.
    const key = await composed.resolveKey(bobLight.encKeyUri!, 'keyAgreement')
    expect(toHex(key.publicKey)).toBe(toHex(bobLight.encPublicKey!))
  })

  it('validates options', () => {
    const bad: unknown[] = [
      undefined,
      {},
      { baseUrl: 'ftp://x' },
      { baseUrl: 'not a url' },
      { baseUrl: 'http://x/?q=1' },
      { baseUrl: 'http://x', timeoutMs: 0 },
      { baseUrl: 'http://x', timeoutMs: 1.5 },
      { baseUrl: 'http://x', maxResponseBytes: -1 },
      { baseUrl: 'http://x', fetch: 'nope' },
      { baseUrl: 'http://x', headers: { a: 1 } },
      { baseUrl: 'http://x', headers: { 'bad header': 'x' } },
      { baseUrl: 'http://x', cache: { ttlMs: 1 } },
    ]
    for (const options of bad)
      expect(() => createHttpResolver(options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
      )
  })

  it('a fetch that ignores the abort signal cannot hang the resolver', async () => {
    const r = createHttpResolver({
      baseUrl: 'http://example.invalid',
      timeoutMs: 100,
      cache: false,
      fetch: () => new Promise<Response>(() => {}),
    })
    expect((await r.resolve(D.wrapper03!.uri)).error).toBe('internalError')
    const throwing = createHttpResolver({
      baseUrl: 'http://example.invalid',
      cache: false,
      fetch: () => {
        throw new Error('sync throw')
      },
    })
    expect((await throwing.resolve(D.wrapper03!.uri)).error).toBe('internalError')
  })
})
