/**
 * Every built-in body type, valid and invalid: each check of spec §5.2 and the negative vectors of
 * §11.6, asserting `code` and `sdkError`; the stricter rules and what `sdkCompatible` relaxes.
 * Valid bodies come from the SDK-generated golden vectors.
 */
import { describe, expect, it } from 'vitest'
import type { ErrorCode, MessagingError } from '../../src/errors.js'
import { MESSAGE_BODY_TYPES } from '../../src/message/body-types.js'
import { verifyDelegationStructure, verifyMessageBody } from '../../src/message/verify.js'
import { caught } from '../helpers/expect-error.js'
import { loadVectors } from '../helpers/vectors.js'

const v = loadVectors()
// biome-ignore lint/suspicious/noExplicitAny: bodies are mutated freely in the tables below
type AnyBody = any
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x))
function bodyOf(type: string, nth = 0): AnyBody {
  const ms = v.messages.filter((m: { bodyType: string }) => m.bodyType === type)
  return clone(ms[nth].plaintext.body)
}
function expectFail(
  body: unknown,
  sdkError: string,
  opts: { sdkCompatible?: boolean } = {},
  code: ErrorCode = 'ERR_BODY_INVALID',
) {
  const e = caught(() => verifyMessageBody(body, opts))
  expect(e, 'expected a failure').toBeDefined()
  expect(e?.code).toBe(code)
  expect(e?.sdkError).toBe(sdkError)
  return e as MessagingError
}
function expectOk(body: unknown, opts: { sdkCompatible?: boolean } = {}) {
  expect(caught(() => verifyMessageBody(body, opts))).toBeUndefined()
}

const H64 = `0x${'ab'.repeat(32)}`
const alice = v.dids.alice.uri as string
const aliceAuth = `${alice}#authentication`

describe('valid bodies of all 18 types', () => {
  it('the vectors cover all 18 types and each passes in both modes', () => {
    const types = new Set(v.messages.map((m: { bodyType: string }) => m.bodyType))
    expect([...types].sort()).toEqual([...MESSAGE_BODY_TYPES].sort())
    for (const m of v.messages) {
      expectOk(clone(m.plaintext.body))
      expectOk(clone(m.plaintext.body), { sdkCompatible: true })
    }
  })
})

describe('unknown body types', () => {
  it('{} and unknown strings → ERR_BODY_TYPE_UNKNOWN / UnknownMessageBodyTypeError', () => {
    for (const body of [
      {},
      { type: 'request-magic', content: {} },
      { type: 42, content: {} },
      { type: '__proto__' },
    ]) {
      expectFail(body, 'UnknownMessageBodyTypeError', {}, 'ERR_BODY_TYPE_UNKNOWN')
    }
  })
  it('a body that is not an object → ERR_BODY_INVALID / TypeError', () => {
    for (const body of [null, undefined, 'request-terms', [], 5]) expectFail(body, 'TypeError')
  })
})

describe('error, reject (accepted, unlike the SDK)', () => {
  for (const type of ['error', 'reject']) {
    it(`${type}: name/message optional strings`, () => {
      expectOk({ type, content: {} })
      expectOk({ type, content: { name: 'x' } })
      expectFail({ type, content: { name: 5 } }, 'TypeError')
      expectFail({ type, content: { message: {} } }, 'TypeError')
      expectFail({ type, content: 'oops' }, 'TypeError')
    })
  }
})

describe('request-payment, confirm-payment (accepted, unlike the SDK)', () => {
  it('claimHash/txHash/blockHash must be 256-bit hex', () => {
    expectFail({ type: 'request-payment', content: { claimHash: '0x1234' } }, 'HashMalformedError')
    expectFail({ type: 'request-payment', content: {} }, 'HashMalformedError')
    const b = bodyOf('confirm-payment')
    b.content.txHash = 'nope'
    expect(expectFail(b, 'HashMalformedError').message).toMatch(/content\.txHash/)
    const c = bodyOf('confirm-payment')
    delete c.content.blockHash
    expectFail(c, 'HashMalformedError')
  })
})

describe('request-terms (Claim.verifyDataStructure)', () => {
  it('§11.6: cTypeHash "this is not a ctype hash" → HashMalformedError', () => {
    const b = bodyOf('request-terms')
    b.content.cTypeHash = 'this is not a ctype hash'
    expectFail(b, 'HashMalformedError')
    expectFail(b, 'HashMalformedError', { sdkCompatible: true })
  })
  it('16-bit cTypeHash → HashMalformedError in both modes (the SDK checks 256 bits here)', () => {
    const b = bodyOf('request-terms')
    b.content.cTypeHash = '0x1234'
    expectFail(b, 'HashMalformedError', { sdkCompatible: true })
  })
  it('missing cTypeHash → CTypeHashMissingError', () => {
    const b = bodyOf('request-terms')
    delete b.content.cTypeHash
    expectFail(b, 'CTypeHashMissingError')
  })
  it('owner must be a DID without fragment', () => {
    const b = bodyOf('request-terms')
    b.content.owner = 'did:kilt:thisisnotadid'
    expectFail(b, 'InvalidDidFormatError')
    b.content.owner = aliceAuth
    expectFail(b, 'DidError')
    b.content.owner = 42
    expectFail(b, 'TypeError')
  })
  it('contents: empty key or non-JSON-ish value → ClaimContentsMalformedError', () => {
    const b = bodyOf('request-terms')
    b.content.contents = { '': 'x' }
    expectFail(b, 'ClaimContentsMalformedError')
    b.content.contents = { a: undefined }
    expectFail(b, 'ClaimContentsMalformedError')
    b.content.contents = 'text'
    expectFail(b, 'ClaimContentsMalformedError', { sdkCompatible: true })
  })
  it('nested contents: null and nested arrays rejected by default, accepted with sdkCompatible', () => {
    const b = bodyOf('request-terms')
    b.content.contents = { a: null }
    expectFail(b, 'ClaimContentsMalformedError')
    expectOk(b, { sdkCompatible: true })
    b.content.contents = { a: [[1]] }
    expectFail(b, 'ClaimContentsMalformedError')
    expectOk(b, { sdkCompatible: true })
    b.content.contents = { a: { b: [1, 'x', true, { c: 2 }] } }
    expectOk(b)
  })
})

describe('submit-terms / reject-terms', () => {
  it('§11.6: delegationId "this is not a delegation id" → HashMalformedError', () => {
    for (const type of ['submit-terms', 'reject-terms']) {
      const b = bodyOf(type)
      b.content.delegationId = 'this is not a delegation id'
      expectFail(b, 'HashMalformedError')
      expectFail(b, 'HashMalformedError', { sdkCompatible: true })
    }
  })
  it('16-bit delegationId: rejected by default, accepted with sdkCompatible', () => {
    const b = bodyOf('submit-terms')
    b.content.delegationId = '0x1234'
    expectFail(b, 'HashMalformedError')
    expectOk(b, { sdkCompatible: true })
  })
  it('§11.6: reject-terms without claim.cTypeHash → CTypeHashMissingError', () => {
    const b = bodyOf('reject-terms')
    delete b.content.claim.cTypeHash
    expectFail(b, 'CTypeHashMissingError')
  })
  it('legitimations must be an array of credentials', () => {
    const b = bodyOf('submit-terms')
    b.content.legitimations = 'none'
    expectFail(b, 'TypeError')
    const c = bodyOf('submit-terms')
    delete c.content.legitimations[0].claimNonceMap
    expectFail(c, 'ClaimNonceMapMissingError')
  })
  it('quote failing the Quote schema → QuoteUnverifiableError, unless sdkCompatible', () => {
    const mutations: ((q: AnyBody) => void)[] = [
      (q) => delete q.currency,
      (q) => (q.cost = 'free'),
      (q) => delete q.cost.tax,
      (q) => (q.cost.net = '1000'),
      (q) => (q.timeframe = '31.12.2024'),
      (q) => (q.timeframe = 5),
      (q) => (q.termsAndConditions = null),
      (q) => (q.attesterDid = 7),
    ]
    for (const m of mutations) {
      const b = bodyOf('submit-terms')
      m(b.content.quote)
      expectFail(b, 'QuoteUnverifiableError')
      expectOk(b, { sdkCompatible: true })
    }
  })
  it('quote signature, attester DID and cTypeHash are checked by default', () => {
    for (const m of [
      (q: AnyBody) => delete q.attesterSignature,
      (q: AnyBody) => (q.attesterSignature.signature = 'zz'),
      (q: AnyBody) => (q.attesterDid = 'did:kilt:nope'),
      (q: AnyBody) => (q.cTypeHash = '0x1234'),
    ]) {
      const b = bodyOf('submit-terms')
      m(b.content.quote)
      expectFail(b, 'QuoteUnverifiableError')
      expectOk(b, { sdkCompatible: true })
    }
  })
  it('cTypes: schema violation → ObjectUnverifiableError, wrong $id → CTypeIdMismatchError', () => {
    const b = bodyOf('submit-terms')
    b.content.cTypes[0].title = 'changed'
    expectFail(b, 'CTypeIdMismatchError', { sdkCompatible: true })
    const c = bodyOf('submit-terms')
    c.content.cTypes[0].properties.name = { type: 'text' }
    expectFail(c, 'ObjectUnverifiableError', { sdkCompatible: true })
  })
  it('cTypes present but not an array (even a falsy value) → TypeError by default; the SDK skips falsy ones', () => {
    for (const cTypes of [null, false, 0, '', 'x']) {
      const b = bodyOf('submit-terms')
      b.content.cTypes = cTypes
      expectFail(b, 'TypeError')
      if (!cTypes) expectOk(b, { sdkCompatible: true })
    }
    const absent = bodyOf('submit-terms')
    delete absent.content.cTypes
    expectOk(absent)
  })
})

describe('request-attestation (Credential.verifyDataStructure)', () => {
  const cases: [string, (c: AnyBody) => void, string][] = [
    ['claim missing', (c) => delete c.claim, 'ClaimMissingError'],
    ['claim.owner missing', (c) => delete c.claim.owner, 'OwnerMissingError'],
    ['claim.cTypeHash missing', (c) => delete c.claim.cTypeHash, 'CTypeHashMissingError'],
    ['legitimations not an array', (c) => (c.legitimations = {}), 'LegitimationsMissingError'],
    ['claimNonceMap missing', (c) => delete c.claimNonceMap, 'ClaimNonceMapMissingError'],
    ['claimNonceMap a string', (c) => (c.claimNonceMap = 'x'), 'ClaimNonceMapMalformedError'],
    ['claimNonceMap key not a hash', (c) => (c.claimNonceMap = { '0x12': 'n' }), 'HashMalformedError'],
    ['claimNonceMap nonce empty', (c) => (c.claimNonceMap = { [H64]: '' }), 'ClaimNonceMapMalformedError'],
    ['claimNonceMap nonce a number', (c) => (c.claimNonceMap = { [H64]: 1 }), 'ClaimNonceMapMalformedError'],
    ['claimHashes missing', (c) => delete c.claimHashes, 'DataStructureError'],
    ['delegationId a number', (c) => (c.delegationId = 5), 'DelegationIdTypeError'],
    ['delegationId missing', (c) => delete c.delegationId, 'DelegationIdTypeError'],
  ]
  for (const [name, mutate, sdkError] of cases) {
    it(`${name} → ${sdkError} (both modes)`, () => {
      const b = bodyOf('request-attestation')
      mutate(b.content.credential)
      const e = expectFail(b, sdkError)
      expect(e.message).toMatch(/^content\.credential/)
      expectFail(b, sdkError, { sdkCompatible: true })
    })
  }
  const strictOnly: [string, (c: AnyBody) => void, string][] = [
    ['a claim hash that is not 256-bit hex', (c) => (c.claimHashes[0] = '0x12'), 'HashMalformedError'],
    ['claimHashes not an array', (c) => (c.claimHashes = 'x'), 'DataStructureError'],
    ['rootHash missing', (c) => delete c.rootHash, 'HashMalformedError'],
    ['delegationId 16-bit', (c) => (c.delegationId = '0x1234'), 'DelegationIdTypeError'],
    ['claim.contents missing', (c) => delete c.claim.contents, 'ClaimContentsMalformedError'],
    ['claimNonceMap an empty array', (c) => (c.claimNonceMap = []), 'ClaimNonceMapMalformedError'],
  ]
  for (const [name, mutate, sdkError] of strictOnly) {
    it(`${name} → ${sdkError} by default, accepted with sdkCompatible (the SDK does not check)`, () => {
      const b = bodyOf('request-attestation')
      mutate(b.content.credential)
      expectFail(b, sdkError)
      expectOk(b, { sdkCompatible: true })
    })
  }
  it('legitimations are checked recursively by default', () => {
    const b = bodyOf('request-attestation', 1) // m23, with a legitimation
    b.content.credential.legitimations[0].rootHash = 'x'
    expectFail(b, 'HashMalformedError')
    expectOk(b, { sdkCompatible: true })
  })
  it('quote agreement: claimer fields checked by default', () => {
    for (const m of [
      (q: AnyBody) => delete q.claimerSignature,
      (q: AnyBody) => (q.rootHash = '0x12'),
      (q: AnyBody) => (q.claimerDid = `${alice}#x`),
    ]) {
      const b = bodyOf('request-attestation')
      m(b.content.quote)
      expectFail(b, 'QuoteUnverifiableError')
      expectOk(b, { sdkCompatible: true })
    }
  })
})

describe('submit-attestation (Attestation.verifyDataStructure)', () => {
  const cases: [string, (a: AnyBody) => void, string][] = [
    ['cTypeHash missing', (a) => delete a.cTypeHash, 'CTypeHashMissingError'],
    ['cTypeHash 16-bit', (a) => (a.cTypeHash = '0x1234'), 'HashMalformedError'],
    ['claimHash missing', (a) => delete a.claimHash, 'ClaimHashMissingError'],
    ['§11.6 bad claimHash', (a) => (a.claimHash = 'not a hash'), 'HashMalformedError'],
    ['delegationId a number', (a) => (a.delegationId = 1), 'DelegationIdTypeError'],
    ['owner missing', (a) => delete a.owner, 'OwnerMissingError'],
    ['owner not a DID', (a) => (a.owner = 'did:kilt:x'), 'InvalidDidFormatError'],
    ['revoked not a boolean', (a) => (a.revoked = 'no'), 'RevokedTypeError'],
  ]
  for (const [name, mutate, sdkError] of cases) {
    it(`${name} → ${sdkError}`, () => {
      const b = bodyOf('submit-attestation')
      mutate(b.content.attestation)
      expectFail(b, sdkError)
      expectFail(b, sdkError, { sdkCompatible: true })
    })
  }
})

describe('hash-only bodies', () => {
  it('§11.6: reject-attestation bad hash → HashMalformedError; 16-bit only with sdkCompatible', () => {
    expectFail({ type: 'reject-attestation', content: 'not-a-hash' }, 'HashMalformedError', {
      sdkCompatible: true,
    })
    expectFail({ type: 'reject-attestation', content: '0x1234' }, 'HashMalformedError')
    expectOk({ type: 'reject-attestation', content: '0x1234' }, { sdkCompatible: true })
  })
  for (const type of ['accept-credential', 'reject-credential']) {
    it(`§11.6: ${type} bad cTypeHash → HashMalformedError; 16-bit only with sdkCompatible`, () => {
      expectFail({ type, content: ['0xzz'] }, 'HashMalformedError', { sdkCompatible: true })
      expectFail({ type, content: [H64, '0x1234'] }, 'HashMalformedError')
      expectOk({ type, content: [H64, '0x1234'] }, { sdkCompatible: true })
      expectFail({ type, content: H64 }, 'TypeError')
    })
  }
  it('§11.6: inform-create-delegation bad id → HashMalformedError; isPCR must be boolean by default', () => {
    const b = bodyOf('inform-create-delegation')
    b.content.delegationId = 'nope'
    expectFail(b, 'HashMalformedError', { sdkCompatible: true })
    const c = bodyOf('inform-create-delegation')
    delete c.content.isPCR
    expectFail(c, 'TypeError')
    expectOk(c, { sdkCompatible: true })
  })
})

describe('request-credential', () => {
  it('§11.6: bad cTypeHash → HashMalformedError', () => {
    const b = bodyOf('request-credential')
    b.content.cTypes[0].cTypeHash = 'abc'
    expectFail(b, 'HashMalformedError', { sdkCompatible: true })
  })
  it('trustedAttesters must be DIDs, requiredProperties strings', () => {
    const b = bodyOf('request-credential')
    b.content.cTypes[0].trustedAttesters = ['did:kilt:nope']
    expectFail(b, 'InvalidDidFormatError')
    const c = bodyOf('request-credential')
    c.content.cTypes[0].requiredProperties = ['name', 5]
    const e = expectFail(c, 'TypeError')
    expect(e.message).toMatch(/Required properties is expected to be a string/)
  })
  it('challenge and owner are checked by default only', () => {
    const b = bodyOf('request-credential')
    b.content.challenge = 5
    expectFail(b, 'TypeError')
    expectOk(b, { sdkCompatible: true })
    const c = bodyOf('request-credential')
    c.content.owner = 'not a did'
    expectFail(c, 'InvalidDidFormatError')
    c.content.owner = alice
    expectOk(c)
  })
})

describe('submit-credential', () => {
  it('claimerSignature malformed → SignatureMalformedError', () => {
    for (const m of [
      (s: AnyBody) => (s.signature = 'not hex'),
      (s: AnyBody) => (s.keyUri = alice),
      (s: AnyBody) => delete s.keyUri,
    ]) {
      const b = bodyOf('submit-credential')
      m(b.content[0].claimerSignature)
      expectFail(b, 'SignatureMalformedError', { sdkCompatible: true })
    }
    const b = bodyOf('submit-credential')
    delete b.content[0].claimerSignature
    expectFail(b, 'SignatureMalformedError')
  })
  it('legacy keyId is accepted in place of keyUri', () => {
    const b = bodyOf('submit-credential')
    const sig = b.content[0].claimerSignature
    sig.keyId = sig.keyUri
    delete sig.keyUri
    expectOk(b)
  })
  it('content must be an array of credentials', () => {
    expectFail({ type: 'submit-credential', content: {} }, 'TypeError')
    const b = bodyOf('submit-credential')
    delete b.content[0].claim
    expectFail(b, 'ClaimMissingError')
  })
})

describe('delegation bodies (verifyDelegationStructure)', () => {
  it('§11.6: request-accept-delegation without metaData → ObjectUnverifiableError', () => {
    const b = bodyOf('request-accept-delegation')
    delete b.content.metaData
    expectFail(b, 'ObjectUnverifiableError', { sdkCompatible: true })
    b.content.metaData = '{"a":1}'
    expectFail(b, 'ObjectUnverifiableError')
    expectOk(b, { sdkCompatible: true }) // isJsonObject parses strings
  })
  it('§11.6: bad inviter signature / invitee keyUri → SignatureMalformedError', () => {
    const b = bodyOf('request-accept-delegation')
    b.content.signatures.inviter.signature = 'nope'
    expectFail(b, 'SignatureMalformedError')
    const c = bodyOf('submit-accept-delegation')
    c.content.signatures.invitee.keyUri = 'did:kilt:nope#x'
    expectFail(c, 'SignatureMalformedError')
  })
  it('§11.6: submit-accept-delegation bad parentId → DelegationIdTypeError', () => {
    const b = bodyOf('submit-accept-delegation')
    b.content.delegationData.parentId = 'nope'
    expectFail(b, 'DelegationIdTypeError', { sdkCompatible: true })
  })
  it('sdkCompatible still wants claim contents as an object and permissions as an array (the SDK iterates anything)', () => {
    const r = bodyOf('request-terms')
    r.content.contents = 'x'
    expectFail(r, 'ClaimContentsMalformedError', { sdkCompatible: true })
    for (const permissions of ['x', { length: 1 }]) {
      const d = bodyOf('reject-accept-delegation')
      d.content.permissions = permissions
      expectFail(d, 'UnauthorizedError', { sdkCompatible: true })
    }
  })
  it('parentId is required by the type: missing or falsy → DelegationIdTypeError by default; the SDK skips falsy ones', () => {
    for (const parentId of [undefined, null, '', 0, false]) {
      const b = bodyOf('reject-accept-delegation')
      if (parentId === undefined) delete b.content.parentId
      else b.content.parentId = parentId
      expectFail(b, 'DelegationIdTypeError')
      expectOk(b, { sdkCompatible: true })
    }
  })
  it('§11.6: reject-accept-delegation without account → OwnerMissingError', () => {
    const b = bodyOf('reject-accept-delegation')
    delete b.content.account
    expectFail(b, 'OwnerMissingError')
  })
  const data = () => bodyOf('reject-accept-delegation').content
  const cases: [string, (d: AnyBody) => void, string][] = [
    ['§11.6 missing isPCR', (d) => delete d.isPCR, 'TypeError'],
    ['§11.6 bad id', (d) => (d.id = 'nope'), 'DelegationIdTypeError'],
    ['§11.6 permissions []', (d) => (d.permissions = []), 'UnauthorizedError'],
    ['§11.6 missing id', (d) => delete d.id, 'DelegationIdMissingError'],
    ['4 permissions', (d) => (d.permissions = [1, 2, 1, 2]), 'UnauthorizedError'],
    ['account with fragment', (d) => (d.account = aliceAuth), 'DidError'],
  ]
  for (const [name, mutate, sdkError] of cases) {
    it(`${name} → ${sdkError}`, () => {
      const d = data()
      mutate(d)
      const e = caught(() => verifyDelegationStructure(d))
      expect(e?.code).toBe('ERR_BODY_INVALID')
      expect(e?.sdkError).toBe(sdkError)
      expectFail({ type: 'reject-accept-delegation', content: d }, sdkError, { sdkCompatible: true })
    })
  }
  it('stricter by default: 256-bit ids, permissions distinct 1|2', () => {
    for (const m of [
      (d: AnyBody) => (d.permissions = [3]),
      (d: AnyBody) => (d.permissions = [1, 1]),
      (d: AnyBody) => (d.id = '0x1234'),
      (d: AnyBody) => (d.parentId = '0x1234'),
    ]) {
      const d = data()
      m(d)
      expect(caught(() => verifyDelegationStructure(d))?.code).toBe('ERR_BODY_INVALID')
      expect(caught(() => verifyDelegationStructure(d, { sdkCompatible: true }))).toBeUndefined()
    }
  })
})
