/**
 * Every check of decryptMessage, in order, with its code; the relax options one by one.
 * Envelopes are built with tweetnacl (an independent NaCl box) from plaintext written by hand.
 */
import nacl from 'tweetnacl'
import { describe, expect, it } from 'vitest'
import { createLightDid, toFullDid } from '../../src/did/index.js'
import { randomX25519 } from '../../src/keys/index.js'
import { createKeyring } from '../../src/keys/keyring.js'
import type { DecryptCallback } from '../../src/keys/types.js'
import { fromHex } from '../../src/lib/bytes.js'
import { type DecryptMessageOptions, decryptMessage } from '../../src/message/decrypt-message.js'
import { verifyMessageEnvelope } from '../../src/message/verify.js'
import { createMemoryReplayStore } from '../../src/replay/create-memory-replay-store.js'
import { createReplayGuard } from '../../src/replay/create-replay-guard.js'
import { composeResolvers, createRegistryResolver } from '../../src/resolver/index.js'
import { anchor, CTYPE_HASH, codeOf, errorOf, type Identity, toHex, vectors } from './helpers.js'

const NOW = 1_800_000_000_000
const now = () => NOW
const alice = anchor('alice')
const bob = anchor('bob')
const carol = anchor('carol')

interface Sealed {
  ciphertext: string
  nonce: string
  senderKeyUri: string
  receiverKeyUri: string
  receivedAt?: number
}

/** Boxes raw bytes (or JSON of an object) from `from` to `to` with tweetnacl. */
function seal(plain: unknown, from: Identity = alice, to: Identity = bob): Sealed {
  const bytes =
    plain instanceof Uint8Array
      ? plain
      : new TextEncoder().encode(typeof plain === 'string' ? plain : JSON.stringify(plain))
  const nonce = nacl.randomBytes(24)
  const box = nacl.box(bytes, nonce, to.publicKey, from.secretKey)
  return { ciphertext: toHex(box), nonce: toHex(nonce), senderKeyUri: from.keyUri, receiverKeyUri: to.keyUri }
}

let idCounter = 0
function plaintext(over: Record<string, unknown> = {}): Record<string, unknown> {
  idCounter++
  return {
    body: { type: 'request-credential', content: { cTypes: [{ cTypeHash: CTYPE_HASH }] } },
    createdAt: NOW,
    sender: alice.did,
    receiver: bob.did,
    messageId: `0x${idCounter.toString(16).padStart(64, '0')}`,
    ...over,
  }
}

const opts = (extra: Record<string, unknown> = {}) => ({ keys: bob.keyring(), now, ...extra })

describe('decryptMessage: 1. envelope shape', () => {
  const good = seal(plaintext())
  it.each([
    ['null', null],
    ['a number', 1],
    ['a string', 'x'],
    ['an array', [good]],
    ['an unknown key', { ...good, extra: 1 }],
    [
      'the SDK 0.27 key names',
      {
        ciphertext: good.ciphertext,
        nonce: good.nonce,
        senderKeyId: good.senderKeyUri,
        receiverKeyId: good.receiverKeyUri,
      },
    ],
    ['no ciphertext', { ...good, ciphertext: undefined }],
    ['a numeric nonce', { ...good, nonce: 5 }],
    ['upper-case hex', { ...good, ciphertext: good.ciphertext.toUpperCase().replace('0X', '0x') }],
    ['hex without 0x', { ...good, nonce: good.nonce.slice(2) }],
    ['odd-length hex', { ...good, ciphertext: `${good.ciphertext}0` }],
    ['non-hex characters', { ...good, ciphertext: `${good.ciphertext.slice(0, -2)}zz` }],
    ['a 23-byte nonce', { ...good, nonce: good.nonce.slice(0, -2) }],
    ['a string receivedAt', { ...good, receivedAt: '123456' }],
    ['a NaN receivedAt', { ...good, receivedAt: Number.NaN }],
    ['a class instance', Object.assign(Object.create({ x: 1 }), good)],
  ])('%s → ERR_ENVELOPE_INVALID', async (_name, env) => {
    expect(await codeOf(decryptMessage(env, opts()))).toBe('ERR_ENVELOPE_INVALID')
  })

  it('a receiverKeyUri without fragment → ERR_ENVELOPE_INVALID naming the SDK DidError', async () => {
    const e = await errorOf(decryptMessage({ ...good, receiverKeyUri: bob.did }, opts()))
    expect([e.code, e.sdkError]).toEqual(['ERR_ENVELOPE_INVALID', 'DidError'])
  })

  it('a senderKeyUri that is not a KILT DID → ERR_ENVELOPE_INVALID naming InvalidDidFormatError', async () => {
    const e = await errorOf(decryptMessage({ ...good, senderKeyUri: 'did:example:123#key-1' }, opts()))
    expect([e.code, e.sdkError]).toEqual(['ERR_ENVELOPE_INVALID', 'InvalidDidFormatError'])
  })

  it('an envelope above maxEnvelopeBytes → ERR_MESSAGE_TOO_LARGE, before any hex is decoded', async () => {
    expect(await codeOf(decryptMessage(good, opts({ maxEnvelopeBytes: 200 })))).toBe('ERR_MESSAGE_TOO_LARGE')
    const huge = { ...good, ciphertext: `0x${'zz'.repeat(600_000)}` }
    expect(await codeOf(decryptMessage(huge, opts()))).toBe('ERR_MESSAGE_TOO_LARGE')
  })

  it('a getter is read once (snapshot): a value that changes later does not matter', async () => {
    let reads = 0
    const env = {
      get ciphertext() {
        reads++
        return reads === 1 ? good.ciphertext : '0xdead'
      },
      nonce: good.nonce,
      senderKeyUri: good.senderKeyUri,
      receiverKeyUri: good.receiverKeyUri,
    }
    expect(await codeOf(decryptMessage(env, opts()))).toBeUndefined()
    expect(reads).toBe(1)
  })

  it('relax.hex accepts the SDK-lenient hex (upper case, no 0x) but still no garbage characters', async () => {
    const env = seal(plaintext())
    const lenient = {
      ...env,
      ciphertext: env.ciphertext.slice(2).toUpperCase(),
      nonce: env.nonce.slice(2).toUpperCase(),
    }
    expect(await codeOf(decryptMessage(lenient, opts()))).toBe('ERR_ENVELOPE_INVALID')
    expect(await codeOf(decryptMessage(lenient, opts({ relax: { hex: true } })))).toBeUndefined()
    const garbage = { ...env, ciphertext: `${env.ciphertext.slice(0, -2)}zz` }
    expect(await codeOf(decryptMessage(garbage, opts({ relax: { hex: true } })))).toBe('ERR_ENVELOPE_INVALID')
  })
})

describe('decryptMessage: 2. sender key (keyAgreement only)', () => {
  it('an #authentication key → ERR_KEY_RELATIONSHIP', async () => {
    const env = { ...seal(plaintext()), senderKeyUri: vectors.dids.alice.authentication.keyUri }
    expect(await codeOf(decryptMessage(env, opts()))).toBe('ERR_KEY_RELATIONSHIP')
  })
  it('a DID without key agreement key → ERR_KEY_NOT_FOUND', async () => {
    const env = { ...seal(plaintext()), senderKeyUri: `${vectors.dids.eve.uri}#encryption` }
    expect(await codeOf(decryptMessage(env, opts()))).toBe('ERR_KEY_NOT_FOUND')
  })
  it('a custom resolver that throws a plain error → ERR_RESOLVER_FAILED', async () => {
    const resolver = {
      resolve: async () => ({ metadata: {} }),
      resolveKey: async () => {
        throw new Error('network down')
      },
    }
    expect(await codeOf(decryptMessage(seal(plaintext()), opts({ resolver })))).toBe('ERR_RESOLVER_FAILED')
  })
  it('a resolver answering a non-x25519 key → ERR_KEY_TYPE_UNSUPPORTED', async () => {
    const resolver = {
      resolve: async () => ({ metadata: {} }),
      resolveKey: async (id: string) => ({
        id,
        controller: alice.did,
        publicKey: alice.publicKey,
        type: 'ed25519',
      }),
    }
    expect(await codeOf(decryptMessage(seal(plaintext()), opts({ resolver })))).toBe(
      'ERR_KEY_TYPE_UNSUPPORTED',
    )
  })
})

describe('decryptMessage: 3. decryption — one error, one message', () => {
  const flip = (hex: string, at: number): string => {
    const b = Buffer.from(hex.slice(2), 'hex')
    b[at] = (b[at] ?? 0) ^ 1
    return `0x${b.toString('hex')}`
  }
  it('tampered ciphertext, MAC, nonce; truncated; too short; wrong key pair → the same ERR_DECRYPTION_FAILED', async () => {
    const env = seal(plaintext())
    const cases = [
      { ...env, ciphertext: flip(env.ciphertext, 30) },
      { ...env, ciphertext: flip(env.ciphertext, 0) },
      { ...env, nonce: flip(env.nonce, 3) },
      { ...env, ciphertext: env.ciphertext.slice(0, -2) },
      { ...env, ciphertext: '0x00112233' },
      { ...env, ciphertext: '0x' },
      { ...env, senderKeyUri: carol.keyUri },
      seal(plaintext(), alice, carol), // for carol, but addressed to bob's key
    ]
    const messages = new Set<string>()
    for (const c of cases) {
      const e = await errorOf(
        decryptMessage(c.receiverKeyUri === carol.keyUri ? { ...c, receiverKeyUri: bob.keyUri } : c, opts()),
      )
      expect(e.code).toBe('ERR_DECRYPTION_FAILED')
      expect(e.sdkError).toBe('DecodingMessageError')
      messages.add(e.message)
    }
    expect(messages.size).toBe(1)
  })

  it('a decrypt callback that throws, or returns junk → ERR_DECRYPTION_FAILED with the same message', async () => {
    const env = seal(plaintext())
    const ring = bob.keyring()
    const msgs = new Set<string>()
    for (const decrypt of [
      async () => {
        throw new Error('secret detail')
      },
      async () => ({ data: 'nope' }),
      async () => null,
      async (r: Parameters<typeof ring.decrypt>[0]) => ring.decrypt({ ...r, data: r.data.slice(1) }),
    ]) {
      const e = await errorOf(
        decryptMessage(env, { keys: { decrypt: decrypt as unknown as DecryptCallback }, now }),
      )
      expect(e.code).toBe('ERR_DECRYPTION_FAILED')
      msgs.add(e.message)
    }
    expect(msgs.size).toBe(1)
    const ok = await decryptMessage(env, { keys: { decrypt: (r) => ring.decrypt(r) }, now })
    expect(ok.message.sender).toBe(alice.did)
  })

  it('a keyring without the receiver key → ERR_KEY_UNAVAILABLE', async () => {
    expect(await codeOf(decryptMessage(seal(plaintext()), { keys: carol.keyring(), now }))).toBe(
      'ERR_KEY_UNAVAILABLE',
    )
  })
})

describe('decryptMessage: 4. UTF-8 and JSON', () => {
  it.each([
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ['a lone UTF-8 continuation byte', new Uint8Array([0x22, 0x80, 0x22])],
    ['not JSON', 'this is not JSON'],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"hi"'],
    ['deep nesting', `{"body":${'['.repeat(100)}${']'.repeat(100)}}`],
    ['very deep nesting', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ])('%s → ERR_MESSAGE_INVALID', async (_name, plain) => {
    expect(await codeOf(decryptMessage(seal(plain), opts()))).toBe('ERR_MESSAGE_INVALID')
  })

  it('not JSON names the SDK SyntaxError', async () => {
    expect((await errorOf(decryptMessage(seal('{ wrong JSON'), opts()))).sdkError).toBe('SyntaxError')
  })

  it('unknown plaintext keys are rejected; relax.unknownKeys drops them as the SDK does (l03)', async () => {
    const p = plaintext({ extra: 'x', receivedAt: 5 })
    expect(await codeOf(decryptMessage(seal(p), opts()))).toBe('ERR_MESSAGE_INVALID')
    const out = await decryptMessage(seal(p), opts({ relax: { unknownKeys: true } }))
    expect(Object.keys(out.message).sort()).toEqual(['body', 'createdAt', 'messageId', 'receiver', 'sender'])
  })

  it('the message has the SDK key order and is frozen, whatever order the plaintext used', async () => {
    const order = ['body', 'createdAt', 'sender', 'receiver', 'messageId', 'inReplyTo', 'references']
    const p = plaintext({ inReplyTo: '0x01', references: ['0x00'] })
    for (const keys of [order, [...order].reverse(), ['messageId', 'body', 'references', ...order]]) {
      const shuffled = Object.fromEntries([...new Set(keys)].map((k) => [k, p[k]]))
      const { message } = await decryptMessage(seal(shuffled), opts({ replay: false }))
      expect(Object.keys(message)).toEqual(order)
      expect(Object.isFrozen(message)).toBe(true)
      expect(Object.isFrozen(message.body)).toBe(true)
      expect(message).toEqual(p)
    }
  })
})

describe('decryptMessage: 5. field types', () => {
  it.each([
    ['messageId a number', { messageId: 12 }],
    ['messageId empty', { messageId: '' }],
    ['createdAt a string', { createdAt: '123456' }],
    ['sender not a DID', { sender: 'this is not a sender did' }],
    ['receiver with a fragment', { receiver: bob.keyUri }],
    ['inReplyTo a number', { inReplyTo: 123 }],
    ['references not an array', { references: 'x' }],
    ['references with a number', { references: ['0x1', 2] }],
    ['inReplyTo empty', { inReplyTo: '' }],
    ['references with an empty id', { references: ['0x1', ''] }],
  ])('%s → ERR_MESSAGE_INVALID', async (_name, over) => {
    expect(await codeOf(decryptMessage(seal(plaintext(over)), opts()))).toBe('ERR_MESSAGE_INVALID')
  })

  it('thread fields that decrypt also pass the strict verifyMessageEnvelope (one rule for both)', async () => {
    const p = plaintext({ inReplyTo: '0x01', references: ['0x00', '0x01'] })
    const { message } = await decryptMessage(seal(p), opts())
    expect(() => verifyMessageEnvelope(message)).not.toThrow()
    for (const over of [{ inReplyTo: '' }, { references: [''] }]) {
      const bad = { ...message, ...over }
      expect(await codeOf(() => verifyMessageEnvelope(bad))).toBe('ERR_MESSAGE_INVALID')
      expect(await codeOf(decryptMessage(seal(plaintext(over)), opts()))).toBe('ERR_MESSAGE_INVALID')
    }
  })
})

describe('decryptMessage: 6. sender owns senderKeyUri', () => {
  it('another DID as sender → ERR_SENDER_MISMATCH', async () => {
    const e = await errorOf(decryptMessage(seal(plaintext({ sender: carol.did })), opts()))
    expect([e.code, e.sdkError]).toEqual(['ERR_SENDER_MISMATCH', 'IdentityMismatchError'])
  })
  it('the short form of the same light DID has no key agreement key: not the owner (as the SDK, n08)', async () => {
    const p = plaintext({ sender: vectors.dids.alice.shortUri })
    expect(await codeOf(decryptMessage(seal(p), opts()))).toBe('ERR_SENDER_MISMATCH')
    expect(await codeOf(decryptMessage(seal(p), opts({ relax: { sameSubjectSender: false } })))).toBe(
      'ERR_SENDER_MISMATCH',
    )
  })
  it("a forged light DID (Alice's address, Mallory's x25519 key) cannot pass as any form of Alice", async () => {
    const mallory = randomX25519()
    const forged = createLightDid({
      authentication: [{ publicKey: fromHex(vectors.dids.alice.authentication.publicKey), type: 'sr25519' }],
      keyAgreement: [{ publicKey: mallory.publicKey, type: 'x25519' }],
    })
    const forger: Identity = {
      ...alice,
      did: forged.uri,
      keyUri: `${forged.uri}#encryption`,
      publicKey: mallory.publicKey,
      secretKey: mallory.secretKey,
    }
    for (const sender of [alice.did, vectors.dids.alice.shortUri, toFullDid(alice.did)]) {
      const e = await errorOf(decryptMessage(seal(plaintext({ sender }), forger), opts()))
      expect([sender, e.code]).toEqual([sender, 'ERR_SENDER_MISMATCH'])
    }
    // Under its own (forged) name the message is authentic: it is Mallory's DID, not Alice's.
    const own = await decryptMessage(seal(plaintext({ sender: forged.uri }), forger), opts())
    expect(own.message.sender).toBe(forged.uri)
  })
  it('the full DID of the same subject owns the key when its own document lists it; sameSubjectSender: false refuses', async () => {
    const full = toFullDid(alice.did)
    const registry = createRegistryResolver([
      {
        uri: full,
        authentication: [
          { id: '#0xaa', type: 'sr25519', publicKey: fromHex(vectors.dids.alice.authentication.publicKey) },
        ],
        keyAgreement: [{ id: '#0xbb', type: 'x25519', publicKey: alice.publicKey }],
      },
    ])
    const resolver = composeResolvers({ resolvers: [registry], checkUpgrades: false })
    const p = plaintext({ sender: full })
    const ok = await decryptMessage(seal(p), opts({ resolver }))
    expect(ok.message.sender).toBe(full)
    expect(
      await codeOf(decryptMessage(seal(p), opts({ resolver, relax: { sameSubjectSender: false } }))),
    ).toBe('ERR_SENDER_MISMATCH')
    // Without a resolver that knows the full DID, nothing vouches for it.
    expect(await codeOf(decryptMessage(seal(plaintext({ sender: full })), opts()))).toBe(
      'ERR_SENDER_MISMATCH',
    )
  })
})

describe('decryptMessage: 7. receiver owns receiverKeyUri', () => {
  it('a plaintext receiver other than the key owner → ERR_RECEIVER_MISMATCH; relax.receiverCheck accepts (l01)', async () => {
    const p = plaintext({ receiver: carol.did })
    const e = await errorOf(decryptMessage(seal(p), opts()))
    expect([e.code, e.sdkError]).toEqual(['ERR_RECEIVER_MISMATCH', 'IdentityMismatchError'])
    expect(await codeOf(decryptMessage(seal(p), opts({ relax: { receiverCheck: true } })))).toBeUndefined()
  })
})

describe('decryptMessage: 8. body', () => {
  it('invalid content → ERR_BODY_INVALID; unknown type → ERR_BODY_TYPE_UNKNOWN; relax.bodyValidation skips', async () => {
    const bad = plaintext({ body: { type: 'reject-attestation', content: 'not-a-hash' } })
    expect(await codeOf(decryptMessage(seal(bad), opts()))).toBe('ERR_BODY_INVALID')
    const unknown = plaintext({ body: { type: 'request-magic', content: {} } })
    expect(await codeOf(decryptMessage(seal(unknown), opts()))).toBe('ERR_BODY_TYPE_UNKNOWN')
    expect(await codeOf(decryptMessage(seal(bad), opts({ relax: { bodyValidation: true } })))).toBeUndefined()
  })
  it('a "__proto__" key anywhere in the body → ERR_BODY_INVALID (in every validation mode but skipped)', async () => {
    for (const raw of [
      '{"type":"request-credential","content":{"cTypes":[{"cTypeHash":"HASH","__proto__":{"x":1}}]}}',
      '{"type":"request-credential","__proto__":null,"content":{"cTypes":[{"cTypeHash":"HASH"}]}}',
    ]) {
      const text = JSON.stringify(plaintext()).replace(
        /"body":\{.*?\}\]\}\}/,
        `"body":${raw.replace('HASH', CTYPE_HASH)}`,
      )
      expect(text).toContain('__proto__')
      expect(await codeOf(decryptMessage(seal(text), opts()))).toBe('ERR_BODY_INVALID')
      expect(await codeOf(decryptMessage(seal(text), opts({ relax: { bodyValidation: 'sdk' } })))).toBe(
        'ERR_BODY_INVALID',
      )
    }
  })
  it("'sdk' body validation accepts what the SDK accepts (16-bit cTypeHash, l09)", async () => {
    const short = plaintext({
      body: { type: 'request-credential', content: { cTypes: [{ cTypeHash: '0x1234' }] } },
    })
    expect(await codeOf(decryptMessage(seal(short), opts()))).toBe('ERR_BODY_INVALID')
    expect(
      await codeOf(decryptMessage(seal(short), opts({ relax: { bodyValidation: 'sdk' } }))),
    ).toBeUndefined()
  })
  it('an attestation owned by someone else → ERR_OWNER_MISMATCH', async () => {
    const body = {
      type: 'submit-attestation',
      content: {
        attestation: {
          claimHash: CTYPE_HASH,
          cTypeHash: CTYPE_HASH,
          delegationId: null,
          owner: carol.did,
          revoked: false,
        },
      },
    }
    expect(await codeOf(decryptMessage(seal(plaintext({ body })), opts()))).toBe('ERR_OWNER_MISMATCH')
  })
})

describe('decryptMessage: 9. freshness (injected clock)', () => {
  it.each([
    [NOW - 60_000, undefined],
    [NOW - 60_001, 'ERR_MESSAGE_STALE'],
    [NOW + 1_000, undefined],
    [NOW + 1_001, 'ERR_MESSAGE_FUTURE'],
    [0, 'ERR_MESSAGE_STALE'],
    [32503680000000, 'ERR_MESSAGE_FUTURE'],
  ])('createdAt %d → %s', async (createdAt, code) => {
    expect(await codeOf(decryptMessage(seal(plaintext({ createdAt })), opts()))).toBe(code)
  })
  it('a missing createdAt is stale; relax.freshness accepts it (l06)', async () => {
    const p = plaintext()
    delete p.createdAt
    delete p.messageId
    expect(await codeOf(decryptMessage(seal(p), opts()))).toBe('ERR_MESSAGE_STALE')
    expect(await codeOf(decryptMessage(seal(p), opts({ relax: { freshness: true } })))).toBeUndefined()
  })
  it('custom window', async () => {
    const p = plaintext({ createdAt: NOW - 5_000 })
    expect(await codeOf(decryptMessage(seal(p), opts({ maxAgeMs: 4_999 })))).toBe('ERR_MESSAGE_STALE')
    const f = plaintext({ createdAt: NOW + 5_000 })
    expect(await codeOf(decryptMessage(seal(f), opts({ maxFutureSkewMs: 5_000 })))).toBeUndefined()
  })
})

describe('decryptMessage: 10. replay (last)', () => {
  it('the same envelope twice → ERR_MESSAGE_REPLAYED (the default guard)', async () => {
    const keys = bob.keyring()
    const env = seal(plaintext())
    expect(await codeOf(decryptMessage(env, { keys, now }))).toBeUndefined()
    expect(await codeOf(decryptMessage(env, { keys, now }))).toBe('ERR_MESSAGE_REPLAYED')
    // the same message re-encrypted (new nonce) is still the same message id
    const again = { ...env }
    expect(await codeOf(decryptMessage(again, { keys, now }))).toBe('ERR_MESSAGE_REPLAYED')
    expect(await codeOf(decryptMessage(env, { keys, now, replay: false }))).toBeUndefined()
  })

  it('the default guard also holds for KILT-style callers passing a new { decrypt } object per call', async () => {
    const ring = bob.keyring()
    const env = seal(plaintext())
    const callbacks = () => ({ decrypt: (r: Parameters<DecryptCallback>[0]) => ring.decrypt(r) })
    expect(await codeOf(decryptMessage(env, { keys: callbacks(), now }))).toBeUndefined()
    expect(await codeOf(decryptMessage(env, { keys: callbacks(), now }))).toBe('ERR_MESSAGE_REPLAYED')
    expect(await codeOf(decryptMessage(env, { keys: bob.keyring(), now }))).toBe('ERR_MESSAGE_REPLAYED')
  })

  it('the default guard: a message accepted under one window is a replay under any other, however many windows', async () => {
    const keys = bob.keyring()
    const env = seal(plaintext())
    expect(await codeOf(decryptMessage(env, { keys, now, maxAgeMs: 60_000 }))).toBeUndefined()
    expect(await codeOf(decryptMessage(env, { keys, now, maxAgeMs: 60_001 }))).toBe('ERR_MESSAGE_REPLAYED')
    expect(await codeOf(decryptMessage(env, { keys, now, maxFutureSkewMs: 5_000 }))).toBe(
      'ERR_MESSAGE_REPLAYED',
    )
    // more windows than the default keeps guard objects for
    const other = seal(plaintext())
    for (let i = 0; i < 20; i++) await codeOf(decryptMessage(other, { keys, now, maxAgeMs: 70_000 + i }))
    expect(await codeOf(decryptMessage(env, { keys, now, maxAgeMs: 60_000 }))).toBe('ERR_MESSAGE_REPLAYED')
    expect(await codeOf(decryptMessage(env, { keys, now }))).toBe('ERR_MESSAGE_REPLAYED')
  })

  it('the default guard, widened later: ids live for the widest window; an older message it may have let go is refused', async () => {
    // its own timeline, far from the other tests' clock
    const T0 = NOW + 10 * 24 * 3_600_000
    const at = (t: number) => () => t
    const keys = bob.keyring()
    const early = seal(plaintext({ createdAt: T0 }))
    // accepted under the 60 s default window, kept while that window accepts it
    expect(await codeOf(decryptMessage(early, { keys, now: at(T0 + 1_000) }))).toBeUndefined()
    expect(await codeOf(decryptMessage(early, { keys, now: at(T0 + 59_000) }))).toBe('ERR_MESSAGE_REPLAYED')
    // 90 s later a caller widens the window to 10 min: the 60 s record may be gone, so the message
    // cannot be vouched for — refused as stale, not accepted a second time
    const wide = { keys, maxAgeMs: 600_000 }
    expect(await codeOf(decryptMessage(early, { ...wide, now: at(T0 + 90_000) }))).toBe('ERR_MESSAGE_STALE')
    // a message created after the widening is accepted once, and its id now lives for 10 min, even
    // when it was accepted under the narrow window
    const late = seal(plaintext({ createdAt: T0 + 100_000 }))
    expect(await codeOf(decryptMessage(late, { keys, now: at(T0 + 100_500) }))).toBeUndefined()
    expect(await codeOf(decryptMessage(late, { ...wide, now: at(T0 + 100_000 + 300_000) }))).toBe(
      'ERR_MESSAGE_REPLAYED',
    )
    // an own guard of the wide window is the way to accept such older messages
    const replay = createReplayGuard({ maxAgeMs: 600_000 })
    expect(await codeOf(decryptMessage(early, { ...wide, replay, now: at(T0 + 90_000) }))).toBeUndefined()
  })

  it('decryptMessage and guard.check key a message alike (the layer passes the subjects it parsed)', async () => {
    const keys = bob.keyring()
    // checked by the public guard first, then decrypted: a replay
    const replay = createReplayGuard({ now })
    const p = plaintext()
    await replay.check(p as never, { now: NOW })
    expect(await codeOf(decryptMessage(seal(p), { keys, now, replay }))).toBe('ERR_MESSAGE_REPLAYED')
    // decrypted first, then checked by the public guard: a replay
    const replay2 = createReplayGuard({ now })
    const q = plaintext()
    expect(await codeOf(decryptMessage(seal(q), { keys, now, replay: replay2 }))).toBeUndefined()
    expect(await codeOf(replay2.check(q as never, { now: NOW }))).toBe('ERR_MESSAGE_REPLAYED')
  })

  it('two concurrent decrypts of one envelope: exactly one succeeds', async () => {
    const replay = createReplayGuard({ now })
    const env = seal(plaintext())
    const keys = bob.keyring()
    const results = await Promise.allSettled([
      decryptMessage(env, { keys, now, replay }),
      decryptMessage(env, { keys, now, replay }),
      decryptMessage(env, { keys: { decrypt: (r) => keys.decrypt(r) }, now, replay }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('ERR_MESSAGE_REPLAYED')
  })

  it('a rejected message does not burn its id', async () => {
    const replay = createReplayGuard({ now })
    const keys = bob.keyring()
    const env = seal(plaintext())
    expect(await codeOf(decryptMessage(env, { keys, now: () => NOW + 120_000, replay }))).toBe(
      'ERR_MESSAGE_STALE',
    )
    expect(await codeOf(decryptMessage(env, { keys, now: () => NOW - 60_000, replay }))).toBe(
      'ERR_MESSAGE_FUTURE',
    )
    expect(await codeOf(decryptMessage({ ...env, extra: 1 }, { keys, now, replay }))).toBe(
      'ERR_ENVELOPE_INVALID',
    )
    expect(await codeOf(decryptMessage(env, { keys, now, replay }))).toBeUndefined()
    expect(await codeOf(decryptMessage(env, { keys, now, replay }))).toBe('ERR_MESSAGE_REPLAYED')
  })

  it('messages without messageId are keyed by their plaintext bytes', async () => {
    const replay = createReplayGuard({ now })
    const keys = bob.keyring()
    const p = plaintext()
    delete p.messageId
    const a = seal(p)
    expect(await codeOf(decryptMessage(a, { keys, now, replay }))).toBeUndefined()
    expect(await codeOf(decryptMessage(seal(p), { keys, now, replay }))).toBe('ERR_MESSAGE_REPLAYED')
    expect(
      await codeOf(decryptMessage(seal({ ...p, createdAt: NOW - 1 }), { keys, now, replay })),
    ).toBeUndefined()
  })

  it('a full replay store refuses new messages with ERR_REPLAY_STORE_UNAVAILABLE (fail closed)', async () => {
    const replay = createReplayGuard({ now, store: createMemoryReplayStore({ maxEntries: 2 }) })
    const keys = bob.keyring()
    expect(await codeOf(decryptMessage(seal(plaintext()), { keys, now, replay }))).toBeUndefined()
    expect(await codeOf(decryptMessage(seal(plaintext()), { keys, now, replay }))).toBeUndefined()
    expect(await codeOf(decryptMessage(seal(plaintext()), { keys, now, replay }))).toBe(
      'ERR_REPLAY_STORE_UNAVAILABLE',
    )
    // once the window has passed, the old ids expire and room is made
    const later = () => NOW + 61_000
    expect(
      await codeOf(
        decryptMessage(seal(plaintext({ createdAt: NOW + 61_000 })), { keys, now: later, replay }),
      ),
    ).toBeUndefined()
  })

  it('a failing replay store refuses the message with ERR_REPLAY_STORE_UNAVAILABLE', async () => {
    const replay = createReplayGuard({
      now,
      store: {
        markIfNew: async () => {
          throw new Error('db down')
        },
      },
    })
    expect(await codeOf(decryptMessage(seal(plaintext()), { keys: bob.keyring(), now, replay }))).toBe(
      'ERR_REPLAY_STORE_UNAVAILABLE',
    )
  })
})

describe('decryptMessage: the order of the checks', () => {
  it('each failing message reports its earliest failing check', async () => {
    const wrongAll = plaintext({ sender: carol.did, receiver: carol.did, createdAt: 0, body: { type: 'x' } })
    expect(await codeOf(decryptMessage(seal(wrongAll), opts()))).toBe('ERR_SENDER_MISMATCH')
    const rcvAndLater = plaintext({ receiver: carol.did, createdAt: 0, body: { type: 'x' } })
    expect(await codeOf(decryptMessage(seal(rcvAndLater), opts()))).toBe('ERR_RECEIVER_MISMATCH')
    const bodyAndStale = plaintext({ createdAt: 0, body: { type: 'x' } })
    expect(await codeOf(decryptMessage(seal(bodyAndStale), opts()))).toBe('ERR_BODY_TYPE_UNKNOWN')
    const fieldsAndSender = plaintext({ sender: carol.did, messageId: 5 })
    expect(await codeOf(decryptMessage(seal(fieldsAndSender), opts()))).toBe('ERR_MESSAGE_INVALID')
    const badKeyAndBadBox = {
      ...seal(plaintext()),
      senderKeyUri: vectors.dids.alice.authentication.keyUri,
      ciphertext: '0x00',
    }
    expect(await codeOf(decryptMessage(badKeyAndBadBox, opts()))).toBe('ERR_KEY_RELATIONSHIP')
  })

  it('bad options → ERR_ARGUMENT_INVALID', async () => {
    const env = seal(plaintext())
    for (const o of [
      undefined,
      null,
      {},
      { keys: {} },
      { keys: bob.keyring(), now: 5 },
      { keys: bob.keyring(), maxAgeMs: -1 },
      { keys: bob.keyring(), maxEnvelopeBytes: 1.5 },
      { keys: bob.keyring(), replay: {} },
      { keys: bob.keyring(), resolver: {} },
      { keys: bob.keyring(), relax: 3 },
      { keys: bob.keyring(), relax: { freshnes: true } },
      { keys: bob.keyring(), relax: { hex: 'yes' } },
      { keys: bob.keyring(), relax: { bodyValidation: 'strict' } },
      { keys: bob.keyring(), registry: {} },
      // checked even when the relaxation means it would never be used
      { keys: bob.keyring(), registry: new Map(), relax: { bodyValidation: true } },
    ])
      expect(await codeOf(decryptMessage(env, o as unknown as DecryptMessageOptions))).toBe(
        'ERR_ARGUMENT_INVALID',
      )
  })

  it('a multi-key keyring picks the secret named by receiverKeyUri', async () => {
    const keys = createKeyring([
      { keyUri: carol.keyUri, secretKey: carol.secretKey },
      { keyUri: bob.keyUri, secretKey: bob.secretKey },
    ])
    expect(await codeOf(decryptMessage(seal(plaintext()), { keys, now }))).toBeUndefined()
    expect(
      await codeOf(decryptMessage(seal(plaintext({ receiver: carol.did }), alice, carol), { keys, now })),
    ).toBeUndefined()
  })
})
