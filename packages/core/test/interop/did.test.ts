/**
 * Interop of the DID area with the golden vectors (`dids.*`) and `@kiltprotocol/sdk-js@0.35.2` as oracle:
 * light DIDs rebuilt byte-identically, decoded documents, W3C exports, and property tests against
 * `Did.createLightDidDocument` / `Did.parseDocumentFromLightDid` / `Did.validateUri`.
 */
import * as Kilt from '@kiltprotocol/sdk-js'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { base58 } from '@scure/base'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createLightDid,
  didOf,
  exportToW3C,
  lightDidToDocument,
  parseDid,
  validateDidUri,
} from '../../src/did/index.js'
import { decodeLightDid } from '../../src/did/lib/light-document.js'
import type { DidDocument } from '../../src/did/types.js'
import { isMessagingError } from '../../src/errors.js'
import { fromHex, toHex } from '../../src/lib/bytes.js'
import { loadVectors } from '../helpers/vectors.js'

beforeAll(async () => {
  await cryptoWaitReady()
})

const vectors = loadVectors()
// biome-ignore lint/suspicious/noExplicitAny: vector entries are untyped JSON
const dids = Object.entries(vectors.dids) as Array<[string, any]>

/** Deep copy turning hex `publicKey` strings (vectors) or Buffers (SDK) into plain Uint8Arrays, dropping undefined. */
function normalise(value: unknown, key?: string): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value)
  if (key === 'publicKey' && typeof value === 'string') return fromHex(value)
  if (Array.isArray(value)) return value.map((v) => normalise(v))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalise(v, k)
    return out
  }
  return value
}

/** Decodes without the document cache (createLightDid primes it). */
function decodeUncached(uri: string): DidDocument {
  const p = parseDid(uri)
  return decodeLightDid(
    p.did,
    p.authKeyType as 'sr25519' | 'ed25519',
    p.addressPublicKey,
    p.encodedDetails,
    false,
  )
}

describe('golden vectors: dids.*', () => {
  it.each(dids)('%s is rebuilt byte-identically from its keys', (_name, d) => {
    const authentication = [
      { type: d.authentication.type, publicKey: fromHex(d.authentication.publicKey) },
    ] as [{ type: 'sr25519' | 'ed25519'; publicKey: Uint8Array }]
    const keyAgreement = d.keyAgreement
      ? ([{ type: 'x25519', publicKey: fromHex(d.keyAgreement.publicKey) }] as [
          { type: 'x25519'; publicKey: Uint8Array },
        ])
      : undefined
    const service = d.lightDidParts.encodedDetailsDecoded?.cborDecoded?.s?.map(
      (s: { id: string; type: string[]; serviceEndpoint: string[] }) => ({ ...s, id: `#${s.id}` }),
    )
    const doc = createLightDid({
      authentication,
      ...(keyAgreement && { keyAgreement }),
      ...(service && { service }),
    })
    expect(doc.uri).toBe(d.uri)
    expect(createLightDid({ authentication }).uri).toBe(d.shortUri)
    expect(doc).toEqual(normalise(d.document))
  })

  it.each(dids)('%s decodes to its document and exports to its didDocumentJson', (_name, d) => {
    expect(decodeUncached(d.uri)).toEqual(normalise(d.document))
    expect(lightDidToDocument(d.uri)).toEqual(normalise(d.document))
    expect(exportToW3C(lightDidToDocument(d.uri))).toStrictEqual(d.didDocumentJson)
    expect(lightDidToDocument(d.shortUri)).toEqual(
      normalise({ uri: d.shortUri, authentication: d.document.authentication }),
    )
  })

  it.each(dids)('%s parses into the recorded parts', (_name, d) => {
    const p = parseDid(d.uri)
    expect(p.address).toBe(d.address)
    expect(toHex(p.addressPublicKey)).toBe(d.authentication.publicKey)
    expect(p.authKeyTypeEncoding).toBe(d.lightDidParts.authKeyTypeEncoding)
    expect(p.encodedDetails).toBe(d.lightDidParts.encodedDetails ?? undefined)
    if (p.encodedDetails !== undefined) {
      const bytes = base58.decode(p.encodedDetails.slice(1))
      expect(bytes[0]).toBe(d.lightDidParts.encodedDetailsDecoded.versionByte)
      expect(toHex(bytes.subarray(1))).toBe(d.lightDidParts.encodedDetailsDecoded.cborHex)
    }
    for (const rel of ['authentication', 'keyAgreement'] as const) {
      const resolved = d.resolvedKeys?.[rel]
      if (!resolved) continue
      validateDidUri(resolved.id, 'ResourceUri')
      expect(didOf(resolved.id)).toBe(resolved.controller)
      expect(parseDid(resolved.id).fragment).toBe(
        rel === 'authentication' ? '#authentication' : '#encryption',
      )
    }
  })
})

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const serviceArb = fc.record({
  id: fc
    .stringMatching(/^[a-zA-Z0-9._~+,;=*()'&$!@:/?-]{1,12}$/)
    .filter((s) => !s.startsWith('did:kilt') && s !== 'authentication' && s !== 'encryption')
    .map((s) => `#${s}`),
  type: fc.array(fc.stringMatching(/^[A-Za-z0-9 ]{0,12}$/), { maxLength: 2 }),
  serviceEndpoint: fc.array(
    fc
      .tuple(
        fc.constantFrom('https://', 'http://', 'urn:', 'x:'),
        fc.domain(),
        fc.stringMatching(/^(\/[a-z0-9%]{0,8}){0,2}$/),
      )
      .map(([s, d, p]) => `${s}${d}${p}`)
      .filter((u) => {
        // only URIs the SDK itself accepts (its isUri)
        try {
          const url = new URL(u)
          return url.href === u || encodeURI(decodeURI(u)) === u
        } catch {
          return false
        }
      }),
    { maxLength: 2 },
  ),
})
// Key objects in the order { publicKey, type }: the SDK serialises the caller's object as is, so
// its URI depends on property order; ours always writes publicKey then type (the SDK's own usage).
const inputArb = fc.record({
  authentication: fc.tuple(
    fc.record({ publicKey: key32, type: fc.constantFrom('sr25519' as const, 'ed25519' as const) }),
  ),
  keyAgreement: fc.option(fc.tuple(fc.record({ publicKey: key32, type: fc.constant('x25519' as const) })), {
    nil: undefined,
  }),
  service: fc.option(fc.uniqueArray(serviceArb, { maxLength: 3, selector: (s) => s.id }), { nil: undefined }),
})
type Input = Parameters<typeof createLightDid>[0]
type InputArb = typeof inputArb extends fc.Arbitrary<infer T> ? T : never
/** Plain objects (fast-check may generate null-prototype ones, which cbor-web cannot encode). */
function clean(input: InputArb): Input {
  const [auth] = input.authentication
  const authentication: Input['authentication'] = [{ publicKey: auth.publicKey, type: auth.type }]
  const keyAgreement = input.keyAgreement && [
    { publicKey: input.keyAgreement[0].publicKey, type: 'x25519' as const },
  ]
  const service = input.service?.map((s) => ({
    id: s.id,
    type: [...s.type],
    serviceEndpoint: [...s.serviceEndpoint],
  }))
  return {
    authentication,
    ...(keyAgreement && { keyAgreement: keyAgreement as Input['keyAgreement'] }),
    ...(service && service.length > 0 && { service }),
  }
}

describe('SDK 0.35.2 as oracle', () => {
  it('creates the same URIs, and each side decodes the other', () => {
    fc.assert(
      fc.property(inputArb, (raw) => {
        const input = clean(raw)
        const ours = createLightDid(input)
        const sdk = Kilt.Did.createLightDidDocument(
          input as Parameters<typeof Kilt.Did.createLightDidDocument>[0],
        )
        expect(ours.uri).toBe(sdk.uri)
        const sdkDecoded = normalise(Kilt.Did.parseDocumentFromLightDid(ours.uri as Kilt.DidUri))
        expect(decodeUncached(sdk.uri)).toEqual(sdkDecoded)
        expect(decodeUncached(ours.uri)).toEqual(sdkDecoded)
        expect(ours).toEqual(sdkDecoded)
        expect(exportToW3C(ours, { contentType: 'application/ld+json' })).toStrictEqual(
          JSON.parse(
            JSON.stringify(
              Kilt.Did.exportToDidDocument(
                Kilt.Did.parseDocumentFromLightDid(sdk.uri),
                'application/ld+json',
              ),
            ),
          ),
        )
      }),
      { numRuns: 60 },
    )
  })

  it('never puts the secret key of a passed key pair into the DID, while the SDK does', () => {
    fc.assert(
      fc.property(key32, key32, (seed, authKey) => {
        const pair = Kilt.Utils.Crypto.makeEncryptionKeypairFromSeed(seed)
        const authentication: Input['authentication'] = [{ type: 'ed25519', publicKey: authKey }]
        const leaky = Kilt.Did.createLightDidDocument({
          authentication,
          keyAgreement: [pair as Kilt.NewDidEncryptionKey],
        }).uri
        const clean = Kilt.Did.createLightDidDocument({
          authentication,
          keyAgreement: [{ publicKey: pair.publicKey, type: 'x25519' }],
        }).uri
        const secretHex = toHex(pair.secretKey).slice(2)
        const detailsHex = (uri: string) =>
          toHex(base58.decode((parseDid(uri).encodedDetails as string).slice(1)))
        // the SDK leaks; we do not
        expect(detailsHex(leaky)).toContain(secretHex)
        const ours = createLightDid({
          authentication,
          keyAgreement: [pair as { type: 'x25519'; publicKey: Uint8Array }],
        })
        expect(ours.uri).toBe(clean)
        expect(detailsHex(ours.uri)).not.toContain(secretHex)
        // our decoder reads the SDK's leaky DID and ignores the secret
        const decoded = decodeUncached(leaky)
        expect(decoded.uri).toBe(leaky)
        expect(decoded.keyAgreement).toEqual([
          { id: '#encryption', type: 'x25519', publicKey: pair.publicKey },
        ])
        expect(Object.keys(decoded.keyAgreement?.[0] ?? {}).sort()).toEqual(['id', 'publicKey', 'type'])
      }),
      { numRuns: 20 },
    )
  })

  it('writes publicKey before type whatever the property order of the input (the SDK does not)', () => {
    const authentication: Input['authentication'] = [{ type: 'ed25519', publicKey: new Uint8Array(32) }]
    const typeFirst = { type: 'x25519' as const, publicKey: new Uint8Array(32).fill(5) }
    const keyFirst = { publicKey: typeFirst.publicKey, type: 'x25519' as const }
    const sdk = (k: typeof typeFirst) =>
      Kilt.Did.createLightDidDocument({ authentication, keyAgreement: [k] }).uri
    expect(sdk(typeFirst)).not.toBe(sdk(keyFirst))
    expect(createLightDid({ authentication, keyAgreement: [typeFirst] }).uri).toBe(sdk(keyFirst))
    // the SDK's type-first string still decodes to the same key
    expect(decodeUncached(sdk(typeFirst)).keyAgreement).toEqual([{ id: '#encryption', ...keyFirst }])
  })

  it('validateDidUri fails exactly when the SDK validateUri does, with the same error class', () => {
    const base = [
      dids[0]?.[1].uri as string,
      `${dids[4]?.[1].uri}#mailbox`,
      `did:kilt:${dids[1]?.[1].address}#0x1234`,
      dids[2]?.[1].shortUri as string,
    ]
    const mutated = fc
      .tuple(
        fc.constantFrom(...base),
        fc.nat(),
        fc.oneof(fc.string({ maxLength: 2 }), fc.string({ maxLength: 2, unit: 'binary' })),
        fc.nat({ max: 2 }),
      )
      .map(([s, pos, ins, del]) => {
        const i = pos % (s.length + 1)
        return s.slice(0, i) + ins + s.slice(i + del)
      })
    const outcome = (fn: () => void): string => {
      try {
        fn()
        return 'ok'
      } catch (e) {
        if (isMessagingError(e)) return e.sdkError
        return (e as Error).name === 'Error' ? (e as Error).constructor.name : (e as Error).name
      }
    }
    fc.assert(
      fc.property(
        mutated,
        // booleans: the SDK's legacy form (false = 'Did', true = either), accepted at run time
        fc.constantFrom(undefined, 'Did' as const, 'ResourceUri' as const, false, true),
        (uri, expectType) => {
          const ours = outcome(() => validateDidUri(uri, expectType))
          const sdk = outcome(() => Kilt.Did.validateUri(uri, expectType as 'Did' | undefined))
          expect(ours).toBe(sdk)
        },
      ),
      { numRuns: 1500 },
    )
  })
})
