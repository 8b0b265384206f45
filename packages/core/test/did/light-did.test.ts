import { base58 } from '@scure/base'
import { encode } from 'cborg'
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { createLightDid, lightDidToDocument, MAX_DETAILS_LENGTH, parseDid } from '../../src/did/index.js'
import { base58Decode } from '../../src/did/lib/base58.js'
import { decodeLightDid } from '../../src/did/lib/light-document.js'
import type { MessagingError } from '../../src/errors.js'
import { fromHex, toHex } from '../../src/lib/bytes.js'
import { expectCode, onlyMessagingErrors } from '../helpers/expect-error.js'

// The base58 decoder, counted: the quadratic step of decoding a light DID.
vi.mock('../../src/did/lib/base58.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/did/lib/base58.js')>()
  return { ...actual, base58Decode: vi.fn(actual.base58Decode) }
})
const decodes = vi.mocked(base58Decode)

const ZERO_ADDRESS = '4nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS'
const zero = (): Uint8Array => new Uint8Array(32)

// §11.3
const SENDER_AUTH = fromHex('0x50780547322a1ceba67ea8c552c9bc6c686f8698ac9a8cafab7cd15a1db19859')
const SENDER_X25519 = fromHex('0x0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20')
const RECEIVER_AUTH = fromHex('0x17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce')
const RECEIVER_X25519 = fromHex('0xff2ee45601ec1b67310c7790404585ae697331eee1c1f8cf2419731c1fff3e6b')
const SENDER =
  'did:kilt:light:004pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B:z1Ac9CMtYCTRWjetJfJqJoV7FcNFGJg1GdQ8aUFrWeYoEti3ZKjn7kGoYmif6AS3QKVWfenRxQbD7TjayKVjnSk'
const SENDER_DETAILS =
  '0x00a16165a2697075626c69634b6579d84058200faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20647479706566783235353139'
const RECEIVER =
  'did:kilt:light:014oTGNPyGzC8gxydsGWQqDX8yzZvLJ64F1tZBmwPtZFeo7Wkc:z1A4HBcxueZfNcpheHYc4cQYeymfYEJLSGHjcXbRkasVk59uLzJMxGsfVwhPvEpkXS93MMaCbijnqT17VYb5sVtkKQCHZpSPPNYtvm57GGFNA2Q9LUsszyaaHgV2nKQzw3sJqfXW1E3h6QN6sKzCbsspd7hyBDQ9zuAjyKEtAEqMWE8YHxcPSgiV1dqMpu6afHnW1AP'
const RECEIVER_DETAILS =
  '0x00a26165a2697075626c69634b6579d8405820ff2ee45601ec1b67310c7790404585ae697331eee1c1f8cf2419731c1fff3e6b647479706566783235353139617381a362696465696e626f78647479706581724b696c744d6573736167696e67496e626f786f73657276696365456e64706f696e7481781968747470733a2f2f6578616d706c652e636f6d2f696e626f78'

// §11.4
const ZERO_WITH_SERVICES =
  'did:kilt:light:014nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS:z16QMTH1Pc4A99Und9RZvzyikFR73Aepx9exPZPgXJX18upeuSpgXeat2LsjEQpXUBUtaRtdpSXpv42KitoFqySLjiuXVcghuoWviPci3QrnQMeD161howeWdF5GTbBFRHSVXpEu9PWbtUEsnLfDf2NQgu4LmktN8Ti6CAmdQtQiVNbJkB7TnyzLiJJ27rYayWj15mjJ9EoNyyu3rDJGomi2vUgt2DiSUXaJbnSzuuFf'
const ZERO_SERVICES_DETAILS =
  '0x00a26165a2697075626c69634b6579d84058200000000000000000000000000000000000000000000000000000000000000000647479706566783235353139617382a36269646469642d3164747970658169747970652d69642d316f73657276696365456e64706f696e74816a783a75726c2d69642d31a36269646469642d3264747970658169747970652d69642d326f73657276696365456e64706f696e74816a783a75726c2d69642d32'
const ZERO_ENC_DETAILS =
  'z1Ac9CMtYCTRWjetJfJqJoV7FcNAAtB4sjQtE1aByEzECZsWC1ssdrfFsU4oa1StsZ1ENgJPdx2AnomuDMZGLtg'
// LightDidDetails.spec.ts: details that carry secretKey = 32 × 0x01
const LEAKY_SERVICES_DETAILS =
  'z17GNCdxLqMYTMC5pnnDrPZGxLEFcXvDamtGNXeNkfSaFf8cktX6erFJiQy8S3ugL981NNys7Rz8DJiaNPZi98v1oeFVL7PjUGNTz1g3jgZo4VgQri2SYHBifZFX9foHZH4DreZXFN66k5dPrvAtBpFXaiG2WZkkxsnxNWxYpqWPPcxvbTE6pJbXxWKjRUd7rog1h9vjA93QA9jMDxm6BSGJHACFgSPUU3UTLk2kjNwT2bjZVvihVFu1zibxwHjowb7N6UQfieJ7ny9HnaQy64qJvGqh4NNtpwkhwm5DTYUoAeAhjt3a6TWyxmBgbFdZF7'
const LEAKY_DETAILS =
  'z15dZSRuzEPTFnBErPxqJie4CmmQH1gYKSQYxmwW5Qhgz5Sr7EYJA3J65KoC5YbgF3NGoBsTY2v6zwj1uDnZzgXzLy8R72Fhjmp8ujY81y2AJc8uQ6s2pVbAMZ6bnvaZ3GVe8bMjY5MiKFySS27qRi'
const LEAKY_DETAILS_BYTES =
  '0x00a16165a3697075626c69634b6579d8405820a4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209697365637265744b6579d84058200101010101010101010101010101010101010101010101010101010101010101647479706566783235353139'
const LEAKY_X25519 = '0xa4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209'
const METHOD_SPEC_EXAMPLE =
  'did:kilt:light:004pqDzaWi3w7TzYzGnQDyrasK6UnyNnW6JQvWRrq6r8HzNNGy:z14mMLbhZGB6YYU7ud2eFvUiHz3Mwo6UdttffCxB5s4hB3pxV2UgTQrgTyV6MZ8FAvqqKZQpxsJTFRYHzYhjzDUbxMtyxQtTrBu4F9YZx99AuEHuNSPCCd8RqpLeczkuDTGMP7eBDmmNbPbiXhKv5hb6ibYPCpZjUtjPBDqUQ1wXmBv3'
const DOCS_CONCEPT_EXAMPLE =
  'did:kilt:light:014nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS:z1ERkVVjngcarMbJn6YssB1PYULescQneSSEfCTJwYbzT2aK8fzH5WPsp3G4UVuLWWfsTayketnFV74YCnyboHBUvqEs6J8jdYY5dK2XeqCCs653Sf9XVH4RN2WvPrDFZXzzKf3KigvcaE7kkaEwLZvcas3U1M2ZDZCajDG71winwaRNrDtcqkJL9V6Q5yKNWRacw7hJ58d'

function detailsHex(uri: string): string {
  const details = parseDid(uri).encodedDetails as string
  expect(details[0]).toBe('z')
  return toHex(base58.decode(details.slice(1)))
}

function detailsFromHex(hex: string): string {
  return `z${base58.encode(fromHex(hex))}`
}

describe('createLightDid (§7.3)', () => {
  it('reproduces the §11.3 DIDs and their detail bytes', () => {
    const sender = createLightDid({
      authentication: [{ type: 'sr25519', publicKey: SENDER_AUTH }],
      keyAgreement: [{ type: 'x25519', publicKey: SENDER_X25519 }],
    })
    expect(sender.uri).toBe(SENDER)
    expect(detailsHex(sender.uri)).toBe(SENDER_DETAILS)
    const receiver = createLightDid({
      authentication: [{ type: 'ed25519', publicKey: RECEIVER_AUTH }],
      keyAgreement: [{ type: 'x25519', publicKey: RECEIVER_X25519 }],
      service: [
        { id: '#inbox', type: ['KiltMessagingInbox'], serviceEndpoint: ['https://example.com/inbox'] },
      ],
    })
    expect(receiver.uri).toBe(RECEIVER)
    expect(detailsHex(receiver.uri)).toBe(RECEIVER_DETAILS)
    expect(createLightDid({ authentication: [{ type: 'sr25519', publicKey: SENDER_AUTH }] }).uri).toBe(
      'did:kilt:light:004pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B',
    )
  })
  it('builds the document with fixed ids', () => {
    const doc = createLightDid({
      authentication: [{ type: 'ed25519', publicKey: RECEIVER_AUTH }],
      keyAgreement: [{ type: 'x25519', publicKey: RECEIVER_X25519 }],
      service: [
        { id: 'inbox', type: ['KiltMessagingInbox'], serviceEndpoint: ['https://example.com/inbox'] },
      ],
    })
    expect(doc).toEqual({
      uri: RECEIVER,
      authentication: [{ id: '#authentication', type: 'ed25519', publicKey: RECEIVER_AUTH }],
      keyAgreement: [{ id: '#encryption', type: 'x25519', publicKey: RECEIVER_X25519 }],
      service: [
        { id: '#inbox', type: ['KiltMessagingInbox'], serviceEndpoint: ['https://example.com/inbox'] },
      ],
    })
    expect(Object.isFrozen(doc)).toBe(true)
    expect(Object.isFrozen(doc.authentication[0])).toBe(true)
    expect(Object.isFrozen(doc.service?.[0]?.type)).toBe(true)
  })
  it('reproduces the §11.4 zero-key vectors', () => {
    const enc = { type: 'x25519' as const, publicKey: zero() }
    expect(createLightDid({ authentication: [{ type: 'ed25519', publicKey: zero() }] }).uri).toBe(
      `did:kilt:light:01${ZERO_ADDRESS}`,
    )
    expect(
      createLightDid({ authentication: [{ type: 'ed25519', publicKey: zero() }], keyAgreement: [enc] }).uri,
    ).toBe(`did:kilt:light:01${ZERO_ADDRESS}:${ZERO_ENC_DETAILS}`)
    expect(
      createLightDid({ authentication: [{ type: 'sr25519', publicKey: zero() }], keyAgreement: [enc] }).uri,
    ).toBe(`did:kilt:light:00${ZERO_ADDRESS}:${ZERO_ENC_DETAILS}`)
    expect(detailsHex(`did:kilt:light:01${ZERO_ADDRESS}:${ZERO_ENC_DETAILS}`)).toBe(
      `0x00a16165a2697075626c69634b6579d8405820${'00'.repeat(32)}647479706566783235353139`,
    )
    const withServices = createLightDid({
      authentication: [{ type: 'ed25519', publicKey: zero() }],
      keyAgreement: [enc],
      service: [
        { id: '#id-1', type: ['type-id-1'], serviceEndpoint: ['x:url-id-1'] },
        { id: '#id-2', type: ['type-id-2'], serviceEndpoint: ['x:url-id-2'] },
      ],
    })
    expect(withServices.uri).toBe(ZERO_WITH_SERVICES)
    expect(detailsHex(withServices.uri)).toBe(ZERO_SERVICES_DETAILS)
  })
  it('never encodes a secret key or other extra properties (§7.3 pitfall)', () => {
    const keypair = {
      type: 'x25519' as const,
      publicKey: fromHex(LEAKY_X25519),
      secretKey: new Uint8Array(32).fill(1),
    }
    const doc = createLightDid({
      authentication: [{ type: 'ed25519', publicKey: zero() }],
      keyAgreement: [keypair],
      service: [
        { id: '#s', type: ['t'], serviceEndpoint: ['x:u'], secret: 'hunter2' } as {
          id: string
          type: string[]
          serviceEndpoint: string[]
        },
      ],
    })
    const clean = createLightDid({
      authentication: [{ type: 'ed25519', publicKey: zero() }],
      keyAgreement: [{ type: 'x25519', publicKey: fromHex(LEAKY_X25519) }],
      service: [{ id: '#s', type: ['t'], serviceEndpoint: ['x:u'] }],
    })
    expect(doc.uri).toBe(clean.uri)
    const bytes = detailsHex(doc.uri)
    expect(bytes).not.toContain(toHex(new TextEncoder().encode('secretKey')).slice(2))
    expect(bytes).not.toContain('01'.repeat(32))
    expect(bytes).not.toContain(toHex(new TextEncoder().encode('hunter2')).slice(2))
    expect(JSON.stringify(doc)).not.toContain('secret')
  })
  it('rejects unsupported key types and bad lengths', () => {
    const auth = (type: string, publicKey = zero()) =>
      ({ authentication: [{ type, publicKey }] }) as unknown as Parameters<typeof createLightDid>[0]
    expectCode(
      () => createLightDid(auth('ecdsa', new Uint8Array(33))),
      'ERR_KEY_TYPE_UNSUPPORTED',
      'UnsupportedKeyError',
    )
    expectCode(() => createLightDid(auth('x25519')), 'ERR_KEY_TYPE_UNSUPPORTED')
    expectCode(() => createLightDid(auth('ed25519', new Uint8Array(31))), 'ERR_KEY_INVALID')
    expectCode(() => createLightDid(auth('ed25519', 'nope' as unknown as Uint8Array)), 'ERR_KEY_INVALID')
    const withEnc = (type: string, publicKey = zero()) =>
      ({
        authentication: [{ type: 'ed25519', publicKey: zero() }],
        keyAgreement: [{ type, publicKey }],
      }) as unknown as Parameters<typeof createLightDid>[0]
    expectCode(() => createLightDid(withEnc('bls')), 'ERR_KEY_TYPE_UNSUPPORTED', 'DidError')
    expectCode(() => createLightDid(withEnc('X25519')), 'ERR_KEY_TYPE_UNSUPPORTED')
    expectCode(() => createLightDid(withEnc('x25519', new Uint8Array(33))), 'ERR_KEY_INVALID')
    expectCode(
      () => createLightDid(null as unknown as Parameters<typeof createLightDid>[0]),
      'ERR_ARGUMENT_INVALID',
    )
    expectCode(
      () => createLightDid({ authentication: [] } as unknown as Parameters<typeof createLightDid>[0]),
      'ERR_ARGUMENT_INVALID',
    )
    expectCode(
      () =>
        createLightDid({
          authentication: [{ type: 'ed25519', publicKey: zero() }],
          keyAgreement: [],
        } as unknown as Parameters<typeof createLightDid>[0]),
      'ERR_ARGUMENT_INVALID',
    )
  })
  it('applies the SDK service rules', () => {
    const make = (service: { id: string; type: string[]; serviceEndpoint: string[] }) => () =>
      createLightDid({ authentication: [{ type: 'ed25519', publicKey: zero() }], service: [service] })
    for (const id of [
      '#authentication',
      '#encryption',
      'authentication',
      'did:kilt:4abc',
      '#a b',
      '#%zz',
      '#',
      '',
      '##x',
    ])
      expectCode(make({ id, type: ['t'], serviceEndpoint: ['https://x.org'] }), 'ERR_SERVICE_INVALID')
    for (const url of ['my-service-url', 'https://exa mple.org', 'http://', ''])
      expectCode(make({ id: '#s', type: ['t'], serviceEndpoint: [url] }), 'ERR_SERVICE_INVALID')
    expectCode(
      make({ id: '#s', type: 't' as unknown as string[], serviceEndpoint: [] }),
      'ERR_SERVICE_INVALID',
    )
    expectCode(make({ id: '#s', type: [], serviceEndpoint: [1 as unknown as string] }), 'ERR_SERVICE_INVALID')
    // these pass, as in the SDK
    for (const [id, url] of [
      ["#a.b_c~d%20e+f,g;h=i*j(k)l'm&n$o!p@q:r/s?t-u", 'x:y'],
      ['#%C3%A9', 'urn:isbn:0451450523'],
      ['#x', 'https://example.org/p?q=1#frag'],
    ])
      make({ id: id as string, type: [], serviceEndpoint: [url as string] })()
  })
  it('refuses services that make the details longer than the decoding limit', () => {
    const service = Array.from({ length: 40 }, (_, i) => ({
      id: `#s${i}`,
      type: ['LongServiceTypeName'],
      serviceEndpoint: [`https://example.org/${'p'.repeat(40)}`],
    }))
    expectCode(
      () => createLightDid({ authentication: [{ type: 'ed25519', publicKey: zero() }], service }),
      'ERR_SERVICE_INVALID',
    )
  })
})

describe('lightDidToDocument (§7.6)', () => {
  it('decodes the §11.3 and §11.4 DIDs', () => {
    expect(lightDidToDocument(RECEIVER)).toEqual({
      uri: RECEIVER,
      authentication: [{ id: '#authentication', type: 'ed25519', publicKey: RECEIVER_AUTH }],
      keyAgreement: [{ id: '#encryption', type: 'x25519', publicKey: RECEIVER_X25519 }],
      service: [
        { id: '#inbox', type: ['KiltMessagingInbox'], serviceEndpoint: ['https://example.com/inbox'] },
      ],
    })
    expect(lightDidToDocument(ZERO_WITH_SERVICES).service).toEqual([
      { id: '#id-1', type: ['type-id-1'], serviceEndpoint: ['x:url-id-1'] },
      { id: '#id-2', type: ['type-id-2'], serviceEndpoint: ['x:url-id-2'] },
    ])
    const short = lightDidToDocument(`did:kilt:light:00${ZERO_ADDRESS}`)
    expect(short).toEqual({
      uri: `did:kilt:light:00${ZERO_ADDRESS}`,
      authentication: [{ id: '#authentication', type: 'sr25519', publicKey: zero() }],
    })
  })
  it('ignores a leaked secretKey and never copies it (LightDidDetails.spec.ts details)', () => {
    expect(detailsHex(`did:kilt:light:01${ZERO_ADDRESS}:${LEAKY_DETAILS}`)).toBe(LEAKY_DETAILS_BYTES)
    const doc = lightDidToDocument(`did:kilt:light:01${ZERO_ADDRESS}:${LEAKY_DETAILS}`)
    expect(doc.uri).toBe(`did:kilt:light:01${ZERO_ADDRESS}:${LEAKY_DETAILS}`)
    expect(doc.keyAgreement).toEqual([
      { id: '#encryption', type: 'x25519', publicKey: fromHex(LEAKY_X25519) },
    ])
    expect(Object.keys(doc.keyAgreement?.[0] ?? {}).sort()).toEqual(['id', 'publicKey', 'type'])
    const withServices = lightDidToDocument(`did:kilt:light:00${ZERO_ADDRESS}:${LEAKY_SERVICES_DETAILS}`)
    expect(withServices.keyAgreement?.[0]?.publicKey).toEqual(fromHex(LEAKY_X25519))
    expect(withServices.service).toEqual([
      { id: '#service-1', type: ['type-1'], serviceEndpoint: ['x:url-1'] },
      { id: '#service-2', type: ['type-21', 'type-22'], serviceEndpoint: ['x:url-21', 'x:url-22'] },
    ])
    expect(JSON.stringify(withServices, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v))).not.toContain(
      '01'.repeat(32),
    )
  })
  it('accepts untagged byte strings (a Node Buffer in cbor-web)', () => {
    const untagged = SENDER_DETAILS.replace('d8405820', '5820')
    const doc = lightDidToDocument(`did:kilt:light:00${ZERO_ADDRESS}:${detailsFromHex(untagged)}`)
    expect(doc.keyAgreement?.[0]?.publicKey).toEqual(SENDER_X25519)
  })
  it('rejects the §11.4 negatives', () => {
    expectCode(() => lightDidToDocument('did:kilt:light:sdasdsadas'), 'ERR_DID_INVALID')
    expectCode(() => lightDidToDocument('random-uri'), 'ERR_DID_INVALID')
    expectCode(() => lightDidToDocument('did:kilt:light'), 'ERR_DID_INVALID')
    expectCode(() => lightDidToDocument('did:kilt:light:'), 'ERR_DID_INVALID')
    expectCode(
      () => lightDidToDocument(`did:kilt:light:11${ZERO_ADDRESS}`),
      'ERR_KEY_TYPE_UNSUPPORTED',
      'DidError',
    )
    expectCode(() => lightDidToDocument(`did:kilt:${ZERO_ADDRESS}`), 'ERR_DID_INVALID', 'DidError')
    expectCode(
      () => lightDidToDocument(`did:kilt:light:00${ZERO_ADDRESS}:randomdetails`),
      'ERR_DID_DETAILS_INVALID',
    )
    expectCode(() => lightDidToDocument(`${SENDER}#authentication`), 'ERR_DID_FRAGMENT')
    expect(lightDidToDocument(`${SENDER}#authentication`, { allowFragment: true }).uri).toBe(SENDER)
  })
  it('rejects bad multibase, version, CBOR and oversized details', () => {
    const did = (details: string) => `did:kilt:light:00${ZERO_ADDRESS}:${details}`
    expectCode(() => lightDidToDocument(did(`m${ZERO_ENC_DETAILS.slice(1)}`)), 'ERR_DID_DETAILS_INVALID')
    expectCode(() => lightDidToDocument(did('z0OIl')), 'ERR_DID_DETAILS_INVALID')
    expectCode(() => lightDidToDocument(did('z')), 'ERR_DID_DETAILS_INVALID')
    expectCode(
      () => lightDidToDocument(did(detailsFromHex(`0x01${SENDER_DETAILS.slice(4)}`))),
      'ERR_DID_DETAILS_INVALID',
    )
    expectCode(
      () => lightDidToDocument(did(detailsFromHex(SENDER_DETAILS.slice(0, -2)))),
      'ERR_DID_DETAILS_INVALID',
    )
    expectCode(
      () => lightDidToDocument(did(detailsFromHex(`${SENDER_DETAILS}00`))),
      'ERR_DID_DETAILS_INVALID',
    )
    expectCode(() => lightDidToDocument(did(detailsFromHex('0x0083010203'))), 'ERR_DID_DETAILS_INVALID')
    // tag 0 (date) is not a byte string tag
    expectCode(
      () => lightDidToDocument(did(detailsFromHex(SENDER_DETAILS.replace('d8405820', 'c05820')))),
      'ERR_DID_DETAILS_INVALID',
    )
    expectCode(
      () => lightDidToDocument(did(`z1${'2'.repeat(MAX_DETAILS_LENGTH)}`)),
      'ERR_DID_DETAILS_INVALID',
    )
    // e that is not a map; s that is not an array; key of the wrong length
    expectCode(() => lightDidToDocument(did(detailsFromHex('0x00a1616501'))), 'ERR_DID_DETAILS_INVALID')
    expectCode(() => lightDidToDocument(did(detailsFromHex('0x00a1617301'))), 'ERR_DID_DETAILS_INVALID')
    expectCode(
      () =>
        lightDidToDocument(
          did(detailsFromHex(SENDER_DETAILS.replace(`5820${toHex(SENDER_X25519).slice(2)}`, '4100'))),
        ),
      'ERR_KEY_INVALID',
    )
  })
  it('maps the ≤0.28 service keys types/urls also in strict mode, and ignores unknown keys', () => {
    const cbor = encode({
      s: [{ id: 'old', types: ['T'], urls: ['https://old.example'], extra: 1 }],
      z: 'ignored',
    })
    const doc = lightDidToDocument(
      `did:kilt:light:01${ZERO_ADDRESS}:z${base58.encode(new Uint8Array([0, ...cbor]))}`,
    )
    expect(doc.service).toEqual([{ id: '#old', type: ['T'], serviceEndpoint: ['https://old.example'] }])
    expect(doc.keyAgreement).toBeUndefined()
  })
  it('decodes the legacy examples only with legacy: true', () => {
    expectCode(() => lightDidToDocument(METHOD_SPEC_EXAMPLE), 'ERR_SERVICE_INVALID')
    const spec = lightDidToDocument(METHOD_SPEC_EXAMPLE, { legacy: true })
    expect(spec.keyAgreement).toEqual([
      {
        id: '#encryption',
        type: 'x25519',
        publicKey: fromHex('0xe46df9e623ec23d1b4866f9bce9e1c6face1f7dd3511fe59672ca8394f08c55e'),
      },
    ])
    expect(spec.service).toEqual([
      { id: '#my-service-id', type: ['my-service-type'], serviceEndpoint: ['my-service-url'] },
    ])
    expect(spec.authentication[0].type).toBe('sr25519')

    expectCode(() => lightDidToDocument(DOCS_CONCEPT_EXAMPLE), 'ERR_KEY_TYPE_UNSUPPORTED')
    const docs = lightDidToDocument(DOCS_CONCEPT_EXAMPLE, { legacy: true })
    expect(docs.keyAgreement).toEqual([{ id: '#encryption', type: 'x25519', publicKey: zero() }])
    expect(docs.service).toEqual([
      { id: '#id-1', type: ['type-id-1'], serviceEndpoint: ['url-id-1'] },
      { id: '#id-2', type: ['type-id-2'], serviceEndpoint: ['url-id-2'] },
    ])
    // the strict cache entry is not polluted by the legacy decoding
    expectCode(() => lightDidToDocument(DOCS_CONCEPT_EXAMPLE), 'ERR_KEY_TYPE_UNSUPPORTED')
  })
  it('returns frozen copies that cannot alter the cache', () => {
    const a = lightDidToDocument(SENDER)
    expect(Object.isFrozen(a)).toBe(true)
    expect(Object.isFrozen(a.keyAgreement)).toBe(true)
    a.keyAgreement?.[0]?.publicKey.fill(0)
    expect(lightDidToDocument(SENDER).keyAgreement?.[0]?.publicKey).toEqual(SENDER_X25519)
  })
})

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const serviceArb = fc.record({
  id: fc
    .stringMatching(/^[a-zA-Z0-9._~+,;=*()'&$!@:/?-]{1,12}$/)
    .filter((s) => !s.startsWith('did:kilt') && s !== 'authentication' && s !== 'encryption'),
  type: fc.array(fc.stringMatching(/^[A-Za-z]{1,12}$/), { maxLength: 2 }),
  serviceEndpoint: fc.array(
    fc
      .tuple(
        fc.constantFrom('https://', 'http://'),
        fc.domain(),
        fc.stringMatching(/^(\/[a-z0-9]{0,8}){0,2}$/),
      )
      .map(([s, d, p]) => `${s}${d}${p}`),
    { maxLength: 2 },
  ),
})
export const lightInputArb = fc.record({
  authentication: fc.tuple(
    fc.record({ type: fc.constantFrom('sr25519' as const, 'ed25519' as const), publicKey: key32 }),
  ),
  keyAgreement: fc.option(fc.tuple(fc.record({ type: fc.constant('x25519' as const), publicKey: key32 })), {
    nil: undefined,
  }),
  service: fc.option(fc.uniqueArray(serviceArb, { maxLength: 3, selector: (s) => s.id }), { nil: undefined }),
})

describe('light DID properties', () => {
  it('round-trips create → lightDidToDocument', () => {
    fc.assert(
      fc.property(lightInputArb, (input) => {
        const { keyAgreement, service, ...rest } = input
        const doc = createLightDid({
          ...rest,
          ...(keyAgreement && { keyAgreement }),
          ...(service && { service }),
        })
        // createLightDid primes the cache, so also decode with the uncached decoder
        expect(lightDidToDocument(doc.uri)).toEqual(doc)
        const p = parseDid(doc.uri)
        const authType = p.authKeyType as 'sr25519' | 'ed25519'
        expect(decodeLightDid(p.did, authType, p.addressPublicKey, p.encodedDetails, false)).toEqual(doc)
      }),
      { numRuns: 150 },
    )
  })
  it('never throws anything but MessagingError on mutated details, and decodes each part once', () => {
    const base = [
      RECEIVER,
      SENDER,
      ZERO_WITH_SERVICES,
      `did:kilt:light:00${ZERO_ADDRESS}:${LEAKY_SERVICES_DETAILS}`,
    ]
    const mutation = fc.oneof(
      // flip a bit of the decoded payload and re-encode
      fc.tuple(fc.constantFrom(...base), fc.nat(), fc.nat({ max: 7 })).map(([uri, pos, bit]) => {
        const [prefix, details] = [uri.slice(0, uri.lastIndexOf(':')), parseDid(uri).encodedDetails as string]
        const bytes = base58.decode(details.slice(1))
        const i = pos % bytes.length
        bytes[i] = (bytes[i] as number) ^ (1 << bit)
        return `${prefix}:z${base58.encode(bytes)}`
      }),
      // truncate or insert raw bytes into the payload
      fc
        .tuple(fc.constantFrom(...base), fc.nat(), fc.uint8Array({ maxLength: 8 }), fc.nat({ max: 8 }))
        .map(([uri, pos, ins, del]) => {
          const [prefix, details] = [
            uri.slice(0, uri.lastIndexOf(':')),
            parseDid(uri).encodedDetails as string,
          ]
          const bytes = base58.decode(details.slice(1))
          const i = pos % (bytes.length + 1)
          const out = new Uint8Array([...bytes.subarray(0, i), ...ins, ...bytes.subarray(i + del)])
          return `${prefix}:z${base58.encode(out)}`
        }),
      // edit the string itself
      fc
        .tuple(
          fc.constantFrom(...base),
          fc.nat(),
          fc.oneof(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4, unit: 'binary' })),
          fc.nat({ max: 4 }),
        )
        .map(([s, pos, ins, del]) => {
          const i = pos % (s.length + 1)
          return s.slice(0, i) + ins + s.slice(i + del)
        }),
      fc.string().map((s) => `did:kilt:light:00${ZERO_ADDRESS}:z1${s}`),
    )
    fc.assert(
      fc.property(mutation, fc.boolean(), (uri, legacy) => {
        decodes.mockClear()
        onlyMessagingErrors(() => lightDidToDocument(uri, { legacy, allowFragment: true }))
        // Base58 decoding, quadratic in its input, is the costly step: it runs at most once on the
        // address and once on the details, each within MAX_DETAILS_LENGTH characters.
        const lengths = decodes.mock.calls.map(([text]) => text.length)
        expect(lengths.length).toBeLessThanOrEqual(2)
        for (const n of lengths) expect(n).toBeLessThanOrEqual(MAX_DETAILS_LENGTH)
        expect(lengths.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(uri.length)
      }),
      { numRuns: 1500 },
    )
  })
  it('decodes random CBOR-ish payloads without throwing anything but MessagingError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (payload) => {
        const bytes = new Uint8Array([0, ...payload])
        onlyMessagingErrors(() =>
          lightDidToDocument(`did:kilt:light:00${ZERO_ADDRESS}:z${base58.encode(bytes)}`),
        )
      }),
      { numRuns: 1000 },
    )
  })
  it('survives deeply nested CBOR', () => {
    const nested = new Uint8Array([0, 0xa1, 0x61, 0x73, ...new Array(2000).fill(0x81), 0x00])
    expectCode(
      () => lightDidToDocument(`did:kilt:light:00${ZERO_ADDRESS}:z${base58.encode(nested)}`),
      'ERR_DID_DETAILS_INVALID',
    )
  })
  it('bounds the decoding work by MAX_DETAILS_LENGTH', () => {
    const withDetails = (length: number) => `did:kilt:light:00${ZERO_ADDRESS}:z1${'2'.repeat(length - 2)}`
    /** The lengths of the details strings (not the address) base58-decoded while running `fn`. */
    function detailsDecoded(fn: () => void): number[] {
      decodes.mockClear()
      fn()
      return decodes.mock.calls.filter(([text]) => text !== ZERO_ADDRESS).map(([text]) => text.length)
    }
    // The longest details accepted are decoded once, whole, and refused only as CBOR.
    let e: MessagingError | undefined
    expect(
      detailsDecoded(() => {
        e = expectCode(() => lightDidToDocument(withDetails(MAX_DETAILS_LENGTH)), 'ERR_DID_DETAILS_INVALID')
      }),
    ).toEqual([MAX_DETAILS_LENGTH - 1])
    expect(e?.message).toMatch(/not valid CBOR/)
    // One character more is refused on its length, before any decoding.
    expect(
      detailsDecoded(() => {
        e = expectCode(
          () => lightDidToDocument(withDetails(MAX_DETAILS_LENGTH + 1)),
          'ERR_DID_DETAILS_INVALID',
        )
      }),
    ).toEqual([])
    expect(e?.message).toMatch(new RegExp(`longer than ${MAX_DETAILS_LENGTH} characters`))
  })
})
