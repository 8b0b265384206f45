/**
 * Verification against the SDK 0.35.2 golden vectors and the SDK itself as an oracle:
 * - every `messages[].plaintext` passes `verifyMessage` (m17–m20 too, which the SDK rejects);
 * - every decrypted `negative[]` case fails with the code / sdkError of its recorded SDK error;
 * - the lenient cases l07–l09 are handled as documented below;
 * - CType ids match the SDK's `CType.getIdForSchema` for random schemas;
 * - for random mutations of the vector bodies, whenever the SDK's `Message.verifyMessageBody`
 *   accepts, we accept in SDK-compatible mode (except documented always-stricter rules), and
 *   whenever the SDK rejects, we reject with the same SDK class.
 */
import * as Kilt from '@kiltprotocol/sdk-js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ErrorCode } from '../../src/errors.js'
import {
  cTypeIdForSchema,
  verifyCTypeStructure,
  verifyMessage,
  verifyMessageBody,
  verifyPresentationIntegrity,
  verifyRequiredCTypeProperties,
} from '../../src/message/verify.js'
import { caught } from '../helpers/expect-error.js'
import { loadVectors } from '../helpers/vectors.js'

const v = loadVectors()

function sdkError(fn: () => void): Error | undefined {
  try {
    fn()
    return undefined
  } catch (e) {
    return e as Error
  }
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x))

/** Our code for a recorded SDK error of the verify stage. */
function codeFor(name: string): ErrorCode {
  switch (name) {
    case 'IdentityMismatchError':
      return 'ERR_OWNER_MISMATCH'
    case 'UnknownMessageBodyTypeError':
      return 'ERR_BODY_TYPE_UNKNOWN'
    case 'TypeError':
      return 'ERR_MESSAGE_INVALID' // n19/n22: envelope fields
    default:
      return 'ERR_BODY_INVALID'
  }
}

describe('messages[] plaintexts', () => {
  for (const m of v.messages) {
    it(`${m.id} passes verifyMessage (SDK: ${m.expect.verify})`, () => {
      expect(caught(() => verifyMessage(clone(m.plaintext)))).toBeUndefined()
      expect(caught(() => verifyMessage(clone(m.plaintext), { sdkCompatible: true }))).toBeUndefined()
    })
  }

  it('the SDK itself rejects exactly m17–m20 (error, reject, request-payment, confirm-payment)', () => {
    const rejected = v.messages
      .filter((m: { plaintext: unknown }) => sdkError(() => Kilt.Message.verify(clone(m.plaintext) as never)))
      .map((m: { bodyType: string }) => m.bodyType)
    expect(rejected).toEqual(['error', 'reject', 'request-payment', 'confirm-payment'])
  })
})

describe('negative[] cases with a decrypted message', () => {
  const cases = v.negative.filter((n: { decrypted?: unknown }) => n.decrypted !== undefined)
  it('are n14–n22', () => {
    expect(cases.map((n: { id: string }) => n.id.slice(0, 3))).toEqual([
      'n14',
      'n15',
      'n16',
      'n17',
      'n18',
      'n19',
      'n20',
      'n21',
      'n22',
    ])
  })
  for (const n of cases) {
    it(`${n.id} fails with ${n.error.name}`, () => {
      // the recorded error is what the SDK throws today
      expect(sdkError(() => Kilt.Message.verify(clone(n.decrypted)))?.name).toBe(n.error.name)
      for (const sdkCompatible of [false, true]) {
        const e = caught(() => verifyMessage(clone(n.decrypted), { sdkCompatible }))
        expect(e?.code).toBe(codeFor(n.error.name))
        expect(e?.sdkError).toBe(n.error.name)
      }
    })
  }
})

describe('lenient[] cases the SDK accepts', () => {
  const byId = (p: string) => v.lenient.find((l: { id: string }) => l.id.startsWith(p))

  it('l07 (tampered presentation contents): the structure passes; verifyPresentationIntegrity rejects it', () => {
    const l07 = byId('l07')
    expect(caught(() => verifyMessage(clone(l07.decrypted)))).toBeUndefined()
    const recorded = l07.extraChecks['Credential.verifyDataIntegrity(content[0])']
    const e = caught(() => verifyPresentationIntegrity(clone(l07.decrypted.body.content[0])))
    expect(e?.code).toBe('ERR_BODY_INVALID')
    expect(e?.sdkError).toBe(recorded.name)
  })

  it('l08 (quote failing the Quote schema): rejected by default, accepted with sdkCompatible', () => {
    const l08 = byId('l08')
    expect(l08.extraChecks['Quote.validateQuoteSchema(QuoteSchema, quote)']).toBe(false)
    const e = caught(() => verifyMessage(clone(l08.decrypted)))
    expect(e?.code).toBe('ERR_BODY_INVALID')
    expect(e?.sdkError).toBe('QuoteUnverifiableError')
    expect(e?.message).toMatch(/content\.quote/)
    expect(caught(() => verifyMessage(clone(l08.decrypted), { sdkCompatible: true }))).toBeUndefined()
  })

  it('l09 (16-bit cTypeHash): rejected by default, accepted with sdkCompatible', () => {
    const l09 = byId('l09')
    const e = caught(() => verifyMessage(clone(l09.decrypted)))
    expect(e?.code).toBe('ERR_BODY_INVALID')
    expect(e?.sdkError).toBe('HashMalformedError')
    expect(e?.message).toMatch(/content\.cTypes\[0\]\.cTypeHash/)
    expect(caught(() => verifyMessage(clone(l09.decrypted), { sdkCompatible: true }))).toBeUndefined()
    // the SDK agrees that the same body is fine, and that a 256-bit check would fail it
    expect(sdkError(() => Kilt.Message.verifyMessageBody(clone(l09.decrypted.body)))).toBeUndefined()
  })
})

describe('verifyPresentationIntegrity on the vector credentials', () => {
  // every credential, presentation and legitimation in the SDK-made bodies
  const credentials: [string, unknown][] = []
  for (const m of v.messages) {
    const c = m.plaintext.body.content
    if (m.bodyType === 'request-attestation') credentials.push([m.id, c.credential])
    if (m.bodyType === 'submit-credential') for (const p of c) credentials.push([m.id, p])
    if (m.bodyType === 'submit-terms' || m.bodyType === 'reject-terms')
      for (const l of c.legitimations) credentials.push([`${m.id} legitimation`, l])
  }
  it('covers presentations, selective disclosure, legitimations and delegation ids', () => {
    expect(credentials.length).toBeGreaterThanOrEqual(5)
  })
  for (const [id, credential] of credentials) {
    it(`${id}: verifies, as in the SDK`, () => {
      expect(sdkError(() => Kilt.Credential.verifyDataIntegrity(clone(credential) as never))).toBeUndefined()
      expect(caught(() => verifyPresentationIntegrity(clone(credential)))).toBeUndefined()
    })
  }

  it('random tampering: we reject exactly when the SDK rejects, with the same class', () => {
    const edits = fc.record({
      idx: fc.nat({ max: credentials.length - 1 }),
      what: fc.constantFrom(
        'content',
        'owner',
        'nonce',
        'hash',
        'order',
        'delegation',
        'dropNonce',
        'dropContent',
      ),
      text: fc.oneof(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6, unit: 'binary' })),
    })
    fc.assert(
      fc.property(edits, ({ idx, what, text }) => {
        // biome-ignore lint/suspicious/noExplicitAny: free-form edits of SDK JSON
        const c: any = clone(credentials[idx]?.[1])
        const keys = Object.keys(c.claim.contents)
        const nonceKeys = Object.keys(c.claimNonceMap)
        if (what === 'content' && keys[0]) c.claim.contents[keys[0]] = text
        if (what === 'owner') c.claim.owner = v.dids.erin.uri
        if (what === 'nonce' && nonceKeys[0]) c.claimNonceMap[nonceKeys[0]] = `${text}x`
        if (what === 'hash') c.claimHashes[0] = `0x${'0'.repeat(63)}${text.length % 10}`
        if (what === 'order') c.claimHashes.reverse()
        if (what === 'delegation') c.delegationId = c.delegationId ? null : `0x${'ab'.repeat(32)}`
        if (what === 'dropNonce' && nonceKeys[0]) delete c.claimNonceMap[nonceKeys[0]]
        if (what === 'dropContent' && keys[0]) delete c.claim.contents[keys[0]]
        const sdk = sdkError(() => Kilt.Credential.verifyDataIntegrity(clone(c)))
        const ours = caught(() => verifyPresentationIntegrity(clone(c)))
        expect(ours?.sdkError).toBe(sdk?.name)
      }),
      { numRuns: 200 },
    )
  })
})

describe('CTypes', () => {
  it('the vector CType verifies and its $id is the SDK hash', () => {
    expect(cTypeIdForSchema(v.cType)).toBe(v.cType.$id)
    expect(cTypeIdForSchema(v.cType)).toBe(Kilt.CType.getIdForSchema(clone(v.cType)))
    expect(caught(() => verifyCTypeStructure(clone(v.cType)))).toBeUndefined()
  })

  it('a tampered CType fails with CTypeIdMismatchError, as in the SDK', () => {
    const c = clone(v.cType)
    c.title = 'Other title'
    expect(sdkError(() => Kilt.CType.verifyDataStructure(clone(c)))?.name).toBe('CTypeIdMismatchError')
    expect(caught(() => verifyCTypeStructure(c))?.sdkError).toBe('CTypeIdMismatchError')
  })

  it('verifyRequiredCTypeProperties agrees with the SDK', () => {
    expect(caught(() => verifyRequiredCTypeProperties(['name', 'age'], clone(v.cType)))).toBeUndefined()
    expect(
      sdkError(() => Kilt.Message.verifyRequiredCTypeProperties(['id', 'name'], clone(v.cType)))?.name,
    ).toBe('CTypeUnknownPropertiesError')
    const e = caught(() => verifyRequiredCTypeProperties(['id', 'name'], clone(v.cType)))
    expect(e?.code).toBe('ERR_CTYPE_PROPERTIES_UNKNOWN')
    expect(e?.sdkError).toBe('CTypeUnknownPropertiesError')
  })

  it('hand-written meta-schema checks agree with the SDK on draft-01 and V1 variants', () => {
    const V1 = 'ipfs://bafybeiah66wbkhqbqn7idkostj2iqyan2tstc4tpqt65udlhimd7hcxjyq/'
    const D1 = 'http://kilt-protocol.org/draft-01/ctype#'
    const ref = `kilt:ctype:0x${'ab'.repeat(32)}`
    const variants: Record<string, unknown>[] = [
      { $schema: D1, title: 't', type: 'object', properties: { a: { type: 'string' }, b: { $ref: ref } } },
      { $schema: D1, title: 't', type: 'object', properties: { a: { type: 'string', $ref: ref } } },
      { $schema: D1, title: 't', type: 'object', properties: { a: { type: 'array' } } },
      { $schema: D1, title: 't', type: 'object', properties: { '': { type: 'integer', format: 'date' } } },
      { $schema: D1, title: 't', type: 'object', properties: {}, additionalProperties: false },
      { $schema: V1, title: 't', type: 'object', properties: {} },
      {
        $schema: V1,
        title: 't',
        type: 'object',
        properties: {},
        additionalProperties: false,
        description: 'd',
      },
      {
        $schema: V1,
        title: 't',
        type: 'object',
        additionalProperties: false,
        properties: { a: { $ref: `${ref}#/properties/x` } },
      },
      {
        $schema: V1,
        title: 't',
        type: 'object',
        additionalProperties: false,
        properties: { a: { $ref: `${ref}#/other` } },
      },
      {
        $schema: V1,
        title: 't',
        type: 'object',
        additionalProperties: false,
        properties: {
          a: { type: 'array', items: { type: 'number', minimum: 1 } },
          b: { type: 'string', format: 'uri', enum: ['x'] },
        },
      },
      {
        $schema: V1,
        title: 't',
        type: 'object',
        additionalProperties: false,
        properties: { a: { type: 'array', items: { type: 'array', items: { type: 'string' } } } },
      },
      {
        $schema: V1,
        title: 't',
        type: 'object',
        additionalProperties: false,
        properties: { a: { type: 'string', format: 'email' } },
      },
      { $schema: V1, title: 't', type: 'object', additionalProperties: false, properties: { '': 5 } },
      { $schema: V1, title: 5, type: 'object', additionalProperties: false, properties: {} },
      { $schema: 'other', title: 't', type: 'object', additionalProperties: false, properties: {} },
    ]
    let sdkAccepted = 0
    for (const schema of variants) {
      const cType = { ...schema, $id: cTypeIdForSchema(schema) }
      const sdk = sdkError(() => Kilt.CType.verifyDataStructure(clone(cType) as never))
      if (sdk === undefined) sdkAccepted++
      const ours = caught(() => verifyCTypeStructure(clone(cType)))
      expect(ours?.sdkError, JSON.stringify(schema)).toBe(sdk?.name)
    }
    expect(sdkAccepted).toBeGreaterThanOrEqual(3)
    expect(sdkAccepted).toBeLessThanOrEqual(variants.length - 5)
  })

  const propName = fc.oneof(
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.string({ minLength: 1, maxLength: 8, unit: 'binary' }),
    fc.constantFrom('Name', 'name', 'NAME', 'a', 'B', '10', '2', 'é', 'e\u0301', 'ß', 'İ'),
  )
  const propType = fc.oneof(
    fc.record({ type: fc.constant('string') }),
    fc.record({ type: fc.constantFrom('integer', 'number') }),
    fc.record({ type: fc.constant('boolean') }),
    fc.record({ type: fc.constant('string'), enum: fc.array(fc.string({ maxLength: 4 }), { maxLength: 4 }) }),
    fc.record({ type: fc.constant('array'), items: fc.record({ type: fc.constant('string') }) }),
  )

  it('cTypeIdForSchema equals the SDK getIdForSchema for random schemas (key order, case, NFC, arrays)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(propName, propType, { maxKeys: 6 }),
        fc.oneof(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12, unit: 'binary' })),
        (properties, title) => {
          const schema = {
            $schema: 'ipfs://bafybeiah66wbkhqbqn7idkostj2iqyan2tstc4tpqt65udlhimd7hcxjyq/',
            additionalProperties: false,
            properties,
            title,
            type: 'object',
          }
          const ours = cTypeIdForSchema(schema)
          expect(ours).toBe(Kilt.CType.getIdForSchema(clone(schema) as never))
          // and a CType built by the SDK verifies here exactly when it verifies there
          const sdkOk = sdkError(() =>
            Kilt.CType.verifyDataStructure({ ...clone(schema), $id: ours } as never),
          )
          const ourOk = caught(() => verifyCTypeStructure({ ...clone(schema), $id: ours }))
          expect(ourOk === undefined).toBe(sdkOk === undefined)
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe('cross-check with the SDK on mutated vector bodies', () => {
  const bodies: unknown[] = v.messages.map((m: { plaintext: { body: unknown } }) => m.plaintext.body)
  const dids = Object.values(v.dids as Record<string, { uri: string }>).map((d) => d.uri)
  const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`)).map((h) => `0x${h}`)
  const value = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 8 }),
    fc.string({ maxLength: 8, unit: 'binary' }),
    hex(64),
    hex(4),
    hex(3),
    fc.constant('0x'),
    fc.constantFrom(...dids),
    fc.constantFrom(...dids).map((d) => `${d}#authentication`),
    fc.constant([]),
    fc.constant({}),
    fc.array(hex(64), { maxLength: 2 }),
    fc.constant([1, 2, 3]),
  )
  const mutation = fc.record({
    idx: fc.nat({ max: bodies.length - 1 }),
    steps: fc.array(fc.nat(), { minLength: 1, maxLength: 7 }),
    op: fc.constantFrom('delete', 'replace'),
    value,
  })

  type Node = Record<string, unknown> | unknown[]
  type Mutation = { idx: number; steps: number[]; op: 'delete' | 'replace'; value: unknown }
  function mutate({ idx, steps, op, value: val }: Mutation): unknown {
    const body = clone(bodies[idx]) as Node
    let parent: Node = body
    let key: string | number = 'content'
    for (const s of steps) {
      const child = (parent as Record<string, unknown>)[key as string]
      if (typeof child !== 'object' || child === null) break
      const keys = Array.isArray(child) ? child.map((_, i) => i) : Object.keys(child)
      if (keys.length === 0 || s % 5 === 0) break
      parent = child as Node
      key = keys[s % keys.length] as string | number
    }
    if (op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1)
      else delete parent[key as string]
    } else (parent as Record<string, unknown>)[key as string] = val
    return body
  }

  // Rules we apply in every mode, where the SDK is looser (documented in message/lib/body).
  const ALWAYS_STRICTER =
    /contents: expected an object|claimNonceMap: expected an object|permissions: expected an array/

  it('SDK accepts ⇒ we accept in sdkCompatible mode; SDK rejects ⇒ we reject with the same class', () => {
    let accepted = 0
    let rejected = 0
    fc.assert(
      fc.property(mutation, (mut) => {
        const body = mutate(mut) as { type: string }
        const sdk = sdkError(() => Kilt.Message.verifyMessageBody(clone(body) as never))
        const ours = caught(() => verifyMessageBody(clone(body), { sdkCompatible: true }))
        const strict = caught(() => verifyMessageBody(clone(body)))
        if (sdk === undefined) {
          accepted++
          if (ours !== undefined) expect(ours.message).toMatch(ALWAYS_STRICTER)
        } else if (!['error', 'reject', 'request-payment', 'confirm-payment'].includes(body.type)) {
          rejected++
          expect(ours, `SDK threw ${sdk.name}: ${sdk.message}`).toBeDefined()
          expect(strict).toBeDefined()
          expect(ours?.sdkError).toBe(sdk.name)
        }
      }),
      { numRuns: 400 },
    )
    expect(accepted).toBeGreaterThan(20)
    expect(rejected).toBeGreaterThan(20)
  })
})
