/**
 * `verifyMessageEnvelope` (spec §5.1, stricter), `ensureOwnerIsSender` (§5.3, light/full variants)
 * and `verifyMessage` (body → envelope → owner, as the SDK's `Message.verify`).
 */
import { describe, expect, it } from 'vitest'
import { ensureOwnerIsSender, verifyMessage, verifyMessageEnvelope } from '../../src/message/verify.js'
import { caught } from '../helpers/expect-error.js'
import { loadVectors } from '../helpers/vectors.js'

const v = loadVectors()
// biome-ignore lint/suspicious/noExplicitAny: messages are mutated freely below
type AnyMessage = any
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x))
function message(id: string): AnyMessage {
  return clone(v.messages.find((m: { id: string }) => m.id.startsWith(id)).plaintext)
}

/** The same subject written as full DID, short light DID, and light DID with the other key code. */
function variants(lightDid: string): string[] {
  const m = /^did:kilt:light:(0[01])([1-9A-HJ-NP-Za-km-z]+)(?::.*)?$/.exec(lightDid)
  if (!m) throw new Error(`not a light DID: ${lightDid}`)
  const [, code, address] = m
  const other = code === '00' ? '01' : '00'
  return [`did:kilt:${address}`, `did:kilt:light:${code}${address}`, `did:kilt:light:${other}${address}`]
}

describe('verifyMessageEnvelope', () => {
  const base = () => message('m09')

  it('accepts the vector message (with and without receivedAt, inReplyTo, references)', () => {
    expect(caught(() => verifyMessageEnvelope(base()))).toBeUndefined()
    expect(caught(() => verifyMessageEnvelope(message('m22')))).toBeUndefined()
    const m = base()
    m.receivedAt = 1
    m.inReplyTo = '0xabc'
    m.references = ['0x1', '0x2']
    expect(caught(() => verifyMessageEnvelope(m))).toBeUndefined()
  })

  const typeErrors: [string, (m: AnyMessage) => void, RegExp][] = [
    ['§11.6 messageId = 12', (m) => (m.messageId = 12), /Message id is expected to be a string/],
    ["§11.6 createdAt = '123456'", (m) => (m.createdAt = '123456'), /Created at is expected to be a number/],
    [
      "§11.6 receivedAt = '123456'",
      (m) => (m.receivedAt = '123456'),
      /Received at is expected to be a number/,
    ],
    ['§11.6 inReplyTo = 123', (m) => (m.inReplyTo = 123), /In reply to/],
  ]
  for (const [name, mutate, text] of typeErrors) {
    it(`${name} → ERR_MESSAGE_INVALID / TypeError (both modes)`, () => {
      const m = base()
      mutate(m)
      for (const sdkCompatible of [false, true]) {
        const e = caught(() => verifyMessageEnvelope(m, { sdkCompatible }))
        expect(e?.code).toBe('ERR_MESSAGE_INVALID')
        expect(e?.sdkError).toBe('TypeError')
        expect(e?.message).toMatch(text)
      }
    })
  }

  const strictOnly: [string, (m: AnyMessage) => void][] = [
    ['messageId missing', (m) => delete m.messageId],
    ['createdAt missing', (m) => delete m.createdAt],
    ['messageId empty', (m) => (m.messageId = '')],
    ['inReplyTo empty', (m) => (m.inReplyTo = '')],
    ['references not an array', (m) => (m.references = '0x1')],
    ['references with a number', (m) => (m.references = ['0x1', 2])],
    ['references with an empty id', (m) => (m.references = [''])],
  ]
  for (const [name, mutate] of strictOnly) {
    it(`${name} → ERR_MESSAGE_INVALID by default, accepted with sdkCompatible (SDK semantics)`, () => {
      const m = base()
      mutate(m)
      const e = caught(() => verifyMessageEnvelope(m))
      expect(e?.code).toBe('ERR_MESSAGE_INVALID')
      expect(e?.sdkError).toBe('TypeError')
      expect(caught(() => verifyMessageEnvelope(m, { sdkCompatible: true }))).toBeUndefined()
    })
  }

  it('createdAt must be finite (no NaN/Infinity from JS callers)', () => {
    const m = base()
    m.createdAt = Number.POSITIVE_INFINITY
    expect(caught(() => verifyMessageEnvelope(m))?.code).toBe('ERR_MESSAGE_INVALID')
  })

  it('§11.6 sender/receiver not KILT DIDs → InvalidDidFormatError; with fragment → DidError; non-string → TypeError', () => {
    const cases: [string, unknown, string][] = [
      ['receiver', 'did:kilt:thisisnotareceiveraddress', 'InvalidDidFormatError'],
      ['sender', 'this is not a sender did', 'InvalidDidFormatError'],
      ['sender', `${v.dids.alice.uri}#encryption`, 'DidError'],
      ['receiver', 42, 'TypeError'],
      ['sender', undefined, 'TypeError'],
    ]
    for (const [field, value, sdkError] of cases) {
      const m = base()
      m[field] = value
      const e = caught(() => verifyMessageEnvelope(m))
      expect(e?.code, `${field}=${String(value)}`).toBe('ERR_MESSAGE_INVALID')
      expect(e?.sdkError).toBe(sdkError)
      expect(e?.message.startsWith(field)).toBe(true)
    }
  })

  it('a bad SS58 checksum → AddressInvalidError', () => {
    const m = base()
    const [full] = variants(m.sender)
    const broken = `${full?.slice(0, -1)}${full?.endsWith('a') ? 'b' : 'a'}`
    m.sender = broken
    expect(caught(() => verifyMessageEnvelope(m))?.sdkError).toBe('AddressInvalidError')
  })

  it('non-objects and bad options are refused', () => {
    for (const m of [null, 'x', [], 5])
      expect(caught(() => verifyMessageEnvelope(m))?.code).toBe('ERR_MESSAGE_INVALID')
    expect(caught(() => verifyMessageEnvelope(base(), 'x' as never))?.code).toBe('ERR_ARGUMENT_INVALID')
  })
})

describe('ensureOwnerIsSender', () => {
  const cases: [string, string][] = [
    ['m04', 'Claim'],
    ['m05', 'Attestation'],
    ['m08', 'Claims'],
  ]
  for (const [id, context] of cases) {
    it(`${id}: owner = sender passes; light/full variants of the sender pass; another DID → ERR_OWNER_MISMATCH`, () => {
      const m = message(id)
      expect(caught(() => ensureOwnerIsSender(m))).toBeUndefined()
      for (const sender of variants(m.sender)) {
        expect(
          caught(() => ensureOwnerIsSender({ ...m, sender })),
          sender,
        ).toBeUndefined()
      }
      const other = Object.values(v.dids as Record<string, { uri: string }>).find(
        (d) => !variants(m.sender).includes(variants(d.uri)[0] as string) && d.uri !== m.sender,
      )?.uri as string
      const e = caught(() => ensureOwnerIsSender({ ...m, sender: other }))
      expect(e?.code).toBe('ERR_OWNER_MISMATCH')
      expect(e?.sdkError).toBe('IdentityMismatchError')
      expect(e?.message).toBe(`Sender is not owner of the ${context}`)
    })
  }

  it('the owner may also be written as the full DID of the light sender', () => {
    const m = message('m04')
    m.body.content.credential.claim.owner = variants(m.sender)[0]
    expect(caught(() => ensureOwnerIsSender(m))).toBeUndefined()
  })

  it('every presentation of submit-credential is checked', () => {
    const m = message('m08')
    const second = clone(m.body.content[0])
    second.claim.owner = v.dids.erin.uri
    m.body.content.push(second)
    expect(caught(() => ensureOwnerIsSender(m))?.code).toBe('ERR_OWNER_MISMATCH')
  })

  it('other body types pass regardless of sender', () => {
    const m = message('m01')
    m.sender = v.dids.erin.uri
    expect(caught(() => ensureOwnerIsSender(m))).toBeUndefined()
  })

  it('malformed owner or sender is reported, not a crash', () => {
    const m = message('m05')
    delete m.body.content.attestation.owner
    expect(caught(() => ensureOwnerIsSender(m))?.code).toBe('ERR_BODY_INVALID')
    const n = message('m05')
    n.sender = 'nope'
    expect(caught(() => ensureOwnerIsSender(n))?.code).toBe('ERR_MESSAGE_INVALID')
    const o = message('m08')
    o.body.content = {}
    expect(caught(() => ensureOwnerIsSender(o))?.code).toBe('ERR_BODY_INVALID')
  })
})

describe('verifyMessage', () => {
  it('runs body, then envelope, then owner (as Message.verify)', () => {
    const m = message('m05')
    m.createdAt = 'x'
    m.body.content.attestation.revoked = 'x'
    expect(caught(() => verifyMessage(m))?.sdkError).toBe('RevokedTypeError')
    m.body.content.attestation.revoked = false
    expect(caught(() => verifyMessage(m))?.sdkError).toBe('TypeError')
    m.createdAt = 1
    m.sender = v.dids.erin.uri
    expect(caught(() => verifyMessage(m))?.code).toBe('ERR_OWNER_MISMATCH')
  })
  it('sdkCompatible applies to body and envelope', () => {
    const m = message('m09')
    delete m.messageId
    m.body.content = ['0x1234']
    expect(caught(() => verifyMessage(m))?.code).toBe('ERR_BODY_INVALID')
    expect(caught(() => verifyMessage(m, { sdkCompatible: true }))).toBeUndefined()
  })
  it('bad options → ERR_ARGUMENT_INVALID', () => {
    expect(caught(() => verifyMessage(message('m09'), { maxDepth: -1 }))?.code).toBe('ERR_ARGUMENT_INVALID')
    expect(caught(() => verifyMessage(message('m09'), null as never))?.code).toBe('ERR_ARGUMENT_INVALID')
  })
})
