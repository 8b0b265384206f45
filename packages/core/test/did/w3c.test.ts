import { base58 } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createLightDid,
  documentFromW3C,
  exportToW3C,
  fullDidKeyId,
  lightDidToDocument,
} from '../../src/did/index.js'
import type { DidDocument } from '../../src/did/types.js'
import { fromHex } from '../../src/lib/bytes.js'
import { expectCode, onlyMessagingErrors } from '../helpers/expect-error.js'

// §11.3 receiver and its JSON-LD export, copied from the spec
const RECEIVER =
  'did:kilt:light:014oTGNPyGzC8gxydsGWQqDX8yzZvLJ64F1tZBmwPtZFeo7Wkc:z1A4HBcxueZfNcpheHYc4cQYeymfYEJLSGHjcXbRkasVk59uLzJMxGsfVwhPvEpkXS93MMaCbijnqT17VYb5sVtkKQCHZpSPPNYtvm57GGFNA2Q9LUsszyaaHgV2nKQzw3sJqfXW1E3h6QN6sKzCbsspd7hyBDQ9zuAjyKEtAEqMWE8YHxcPSgiV1dqMpu6afHnW1AP'
const RECEIVER_JSON_LD = {
  id: RECEIVER,
  verificationMethod: [
    {
      id: `${RECEIVER}#authentication`,
      controller: RECEIVER,
      type: 'Ed25519VerificationKey2018',
      publicKeyBase58: '2btLJAAb1S3x6hZYdVyAePjqtQYi2ZBSRGy4569RZu8h',
    },
    {
      id: `${RECEIVER}#encryption`,
      controller: RECEIVER,
      type: 'X25519KeyAgreementKey2019',
      publicKeyBase58: 'JB8SCJvLGk2ksBJeB9jpPBeXYcJQ29iM9ViJ6T8gLcpJ',
    },
  ],
  authentication: ['#authentication'],
  keyAgreement: ['#encryption'],
  service: [
    {
      id: `${RECEIVER}#inbox`,
      type: ['KiltMessagingInbox'],
      serviceEndpoint: ['https://example.com/inbox'],
    },
  ],
  '@context': ['https://www.w3.org/ns/did/v1', 'ipfs://QmU7QkuTCPz7NmD5bD7Z7mQVz2UsSPaEK58B5sYnjnPRNW'],
}

// §7.4 / §11.5: a real Spiritnet DID and its key, with the multibase form published by the KILT driver
const SPIRITNET = 'did:kilt:4rNTX3ihuxyWkB7wG3oLgUWSBLa2gva1NBKJsBFm7jJZUYfc'
const SPIRITNET_KEY = fromHex('0x98d57b312444dde1093fbef7d234580c6671c9e5b328c2f43b187d0eccf96e83')
const SPIRITNET_MULTIBASE = 'z6MkpjrpUkbrywWKKrQZf5HPJ3Hghw4xvS2pCLDFTxLX8hKx'

function fullDoc(): DidDocument {
  const auth = { type: 'ed25519' as const, publicKey: SPIRITNET_KEY }
  const x1 = { type: 'x25519' as const, publicKey: new Uint8Array(32).fill(1) }
  const x2 = { type: 'x25519' as const, publicKey: new Uint8Array(32).fill(2) }
  const sr = { type: 'sr25519' as const, publicKey: new Uint8Array(32).fill(3) }
  const ecdsa = { type: 'ecdsa' as const, publicKey: new Uint8Array(33).fill(4) }
  return {
    uri: SPIRITNET,
    authentication: [{ id: fullDidKeyId(auth), ...auth }],
    assertionMethod: [{ id: fullDidKeyId(sr), ...sr }],
    capabilityDelegation: [{ id: fullDidKeyId(ecdsa), ...ecdsa }],
    keyAgreement: [
      { id: fullDidKeyId(x1), ...x1 },
      { id: fullDidKeyId(x2), ...x2 },
    ],
    service: [{ id: '#svc', type: ['A', 'B'], serviceEndpoint: ['https://a.example', 'https://b.example'] }],
  }
}

describe('exportToW3C', () => {
  it('reproduces the §11.3 JSON-LD export (kilt-0.3x)', () => {
    expect(exportToW3C(lightDidToDocument(RECEIVER), { contentType: 'application/ld+json' })).toStrictEqual(
      RECEIVER_JSON_LD,
    )
    const { '@context': _, ...json } = RECEIVER_JSON_LD
    expect(exportToW3C(lightDidToDocument(RECEIVER))).toStrictEqual(json)
  })
  it('lists only the first key agreement key in 0.3x and all of them in multikey', () => {
    const doc = fullDoc()
    const v0 = exportToW3C(doc)
    expect(v0.verificationMethod).toHaveLength(5)
    expect(v0.keyAgreement).toEqual([doc.keyAgreement?.[0]?.id])
    expect(v0.assertionMethod).toEqual([doc.assertionMethod?.[0]?.id])
    expect(v0.verificationMethod.map((m) => m.type)).toEqual([
      'Ed25519VerificationKey2018',
      'Sr25519VerificationKey2020',
      'EcdsaSecp256k1VerificationKey2019',
      'X25519KeyAgreementKey2019',
      'X25519KeyAgreementKey2019',
    ])
    const v1 = exportToW3C(doc, { format: 'multikey', contentType: 'application/ld+json' })
    expect(v1['@context']).toEqual([
      'https://www.w3.org/ns/did/v1',
      'ipfs://QmPtQ7wbdxbTuGugx4nFAyrhspcqXKrnriuGr7x4NYaZYN',
    ])
    expect(v1.keyAgreement).toEqual(doc.keyAgreement?.map((k) => `${SPIRITNET}${k.id}`))
    expect(v1.authentication).toEqual([`${SPIRITNET}${doc.authentication[0].id}`])
    expect(v1.verificationMethod.every((m) => m.type === 'Multikey' && m.controller === SPIRITNET)).toBe(true)
  })
  it('writes Multikey keys with the multicodec prefixes (Spiritnet example)', () => {
    const v1 = exportToW3C(fullDoc(), { format: 'multikey' })
    expect(v1.verificationMethod[0]).toEqual({
      id: `${SPIRITNET}#0x1c1dcca1a29abc3538294e2d746853349bc43d781de4fa013b6cef473e196dff`,
      controller: SPIRITNET,
      type: 'Multikey',
      publicKeyMultibase: SPIRITNET_MULTIBASE,
    })
    const prefixes = v1.verificationMethod.map((m) => {
      const bytes = base58.decode((m.publicKeyMultibase as string).slice(1))
      return [bytes[0], bytes[1], bytes.length]
    })
    expect(prefixes).toEqual([
      [0xed, 1, 34],
      [0xef, 1, 34],
      [0xe7, 1, 35],
      [0xec, 1, 34],
      [0xec, 1, 34],
    ])
  })
  it('removes duplicate key ids like the SDK', () => {
    const key = { id: '#k' as const, type: 'ed25519' as const, publicKey: new Uint8Array(32) }
    const doc: DidDocument = { uri: SPIRITNET, authentication: [key], assertionMethod: [key] }
    expect(exportToW3C(doc).verificationMethod).toHaveLength(1)
    expect(exportToW3C(doc).assertionMethod).toEqual(['#k'])
  })
  it('rejects malformed documents and options', () => {
    const doc = fullDoc()
    expectCode(
      () => exportToW3C({ ...doc, uri: 'did:kilt:nope' } as unknown as DidDocument),
      'ERR_DID_DOCUMENT_INVALID',
    )
    expectCode(
      () => exportToW3C({ ...doc, uri: `${SPIRITNET}#x` } as DidDocument),
      'ERR_DID_DOCUMENT_INVALID',
    )
    // key bytes of the wrong length: ERR_KEY_INVALID, as for documents given to the resolvers
    expectCode(
      () =>
        exportToW3C({
          ...doc,
          authentication: [{ id: '#a', type: 'ed25519', publicKey: new Uint8Array(31) }],
        }),
      'ERR_KEY_INVALID',
    )
    // one validator for every document: a key id naming two different keys is refused here too
    expectCode(
      () =>
        exportToW3C({
          ...doc,
          assertionMethod: [
            { id: doc.authentication[0].id, type: 'sr25519', publicKey: new Uint8Array(32).fill(7) },
          ],
        }),
      'ERR_DID_DOCUMENT_INVALID',
    )
    expectCode(
      () => exportToW3C({ ...doc, keyAgreement: [doc.authentication[0]] } as unknown as DidDocument),
      'ERR_DID_DOCUMENT_INVALID',
    )
    expectCode(
      () => exportToW3C({ ...doc, authentication: [] } as unknown as DidDocument),
      'ERR_DID_DOCUMENT_INVALID',
    )
    expectCode(() => exportToW3C(null as unknown as DidDocument), 'ERR_DID_DOCUMENT_INVALID')
    expectCode(() => exportToW3C(doc, { format: 'x' as 'multikey' }), 'ERR_ARGUMENT_INVALID')
    expectCode(
      () => exportToW3C(doc, { contentType: 'text/html' as 'application/json' }),
      'ERR_ARGUMENT_INVALID',
    )
  })
})

describe('documentFromW3C', () => {
  it('round-trips both formats and both content types', () => {
    const doc = fullDoc()
    for (const format of ['kilt-0.3x', 'multikey'] as const)
      for (const contentType of ['application/json', 'application/ld+json'] as const)
        expect(documentFromW3C(exportToW3C(doc, { format, contentType }))).toEqual(doc)
    const light = lightDidToDocument(RECEIVER)
    expect(documentFromW3C(RECEIVER_JSON_LD)).toEqual(light)
    expect(documentFromW3C(JSON.parse(JSON.stringify(exportToW3C(light, { format: 'multikey' }))))).toEqual(
      light,
    )
  })
  it('accepts relative, absolute and embedded relationship entries', () => {
    const light = lightDidToDocument(RECEIVER)
    const json = exportToW3C(light, { format: 'multikey' })
    const [authMethod, encMethod] = json.verificationMethod
    expect(
      documentFromW3C({
        ...json,
        authentication: ['#authentication'],
        keyAgreement: [`${RECEIVER}#encryption`],
      }),
    ).toEqual(light)
    expect(
      documentFromW3C({
        ...json,
        verificationMethod: [],
        authentication: [authMethod],
        keyAgreement: [encMethod],
      }),
    ).toEqual(light)
    // a relative method id and string-valued service fields are read too
    const relative = {
      id: SPIRITNET,
      verificationMethod: [
        { id: '#k', controller: SPIRITNET, type: 'Multikey', publicKeyMultibase: SPIRITNET_MULTIBASE },
      ],
      authentication: ['#k'],
      service: [{ id: '#s', type: 'LinkedDomains', serviceEndpoint: 'https://kilt.io' }],
    }
    expect(documentFromW3C(relative)).toEqual({
      uri: SPIRITNET,
      authentication: [{ id: '#k', type: 'ed25519', publicKey: SPIRITNET_KEY }],
      service: [{ id: '#s', type: ['LinkedDomains'], serviceEndpoint: ['https://kilt.io'] }],
    })
    expect(Object.isFrozen(documentFromW3C(relative))).toBe(true)
  })
  it('recovers x25519 keys that a 0.3x export lists only in verificationMethod', () => {
    const doc = fullDoc()
    const json = exportToW3C(doc)
    expect(json.keyAgreement).toHaveLength(1)
    expect(documentFromW3C(json).keyAgreement).toEqual(doc.keyAgreement)
  })
  it('rejects malformed documents with ERR_DID_DOCUMENT_INVALID', () => {
    const good = exportToW3C(fullDoc(), { format: 'multikey' })
    const vm0 = good.verificationMethod[0] as NonNullable<(typeof good.verificationMethod)[0]>
    const bad: unknown[] = [
      null,
      [],
      'did:kilt:x',
      { didDocument: good, didDocumentMetadata: {} },
      { ...good, id: 'did:web:example.com' },
      { ...good, id: `${SPIRITNET}#x` },
      { ...good, authentication: [] },
      { ...good, authentication: ['#nope'] },
      { ...good, authentication: [good.keyAgreement?.[0]] },
      { ...good, keyAgreement: [good.authentication[0]] },
      { ...good, assertionMethod: [good.authentication[0], good.authentication[0]] },
      { ...good, authentication: ['did:kilt:4nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS#k'] },
      {
        ...good,
        verificationMethod: [{ ...vm0, publicKeyMultibase: 'z6Mk' }, ...good.verificationMethod.slice(1)],
      },
      {
        ...good,
        verificationMethod: [{ ...vm0, type: 'JsonWebKey2020' }, ...good.verificationMethod.slice(1)],
      },
      {
        ...good,
        verificationMethod: [{ ...vm0, controller: 'did:kilt:other' }, ...good.verificationMethod.slice(1)],
      },
      { ...good, verificationMethod: [...good.verificationMethod, vm0] },
      {
        ...good,
        verificationMethod: [
          {
            id: vm0.id,
            controller: SPIRITNET,
            type: 'Ed25519VerificationKey2018',
            publicKeyBase58: base58.encode(new Uint8Array(31)),
          },
          ...good.verificationMethod.slice(1),
        ],
      },
      { ...good, service: [{ id: '#a', type: ['x'], serviceEndpoint: [1] }] },
      {
        ...good,
        service: [
          { id: '#a', type: ['x'], serviceEndpoint: [] },
          { id: '#a', type: [], serviceEndpoint: [] },
        ],
      },
      { ...good, service: {} },
      { ...good, verificationMethod: new Array(300).fill(vm0) },
      // a light DID whose authentication key is not the one its address names
      {
        ...exportToW3C(lightDidToDocument(RECEIVER)),
        verificationMethod: [
          {
            id: `${RECEIVER}#authentication`,
            controller: RECEIVER,
            type: 'Sr25519VerificationKey2020',
            publicKeyBase58: '2btLJAAb1S3x6hZYdVyAePjqtQYi2ZBSRGy4569RZu8h',
          },
        ],
        keyAgreement: undefined,
      },
    ]
    for (const b of bad) expectCode(() => documentFromW3C(b), 'ERR_DID_DOCUMENT_INVALID')
  })
  it('never throws anything but MessagingError on junk', () => {
    const good = exportToW3C(fullDoc(), { format: 'multikey' })
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            id: fc.constant(SPIRITNET),
            verificationMethod: fc.anything(),
            authentication: fc.anything(),
          }),
          fc
            .tuple(fc.constantFrom(...Object.keys(good)), fc.anything())
            .map(([k, v]) => ({ ...good, [k]: v })),
        ),
        (json) => {
          onlyMessagingErrors(() => documentFromW3C(json))
        },
      ),
      { numRuns: 500 },
    )
  })
  it('imports a document made by createLightDid for every key type combination', () => {
    const doc = createLightDid({
      authentication: [{ type: 'sr25519', publicKey: new Uint8Array(32).fill(9) }],
      keyAgreement: [{ type: 'x25519', publicKey: new Uint8Array(32).fill(8) }],
    })
    expect(documentFromW3C(exportToW3C(doc))).toEqual(doc)
  })
})
