import { blake2AsHex } from '@polkadot/util-crypto'
import { describe, expect, it } from 'vitest'
import { createLightDid } from '../../src/did/index.js'
import type { DidResourceUri } from '../../src/did/types.js'
import { randomX25519 } from '../../src/keys/index.js'
import { createKeyring } from '../../src/keys/keyring.js'
import type { EncryptCallback } from '../../src/keys/types.js'
import { fromHex } from '../../src/lib/bytes.js'
import { createMessage } from '../../src/message/create-message.js'
import { decryptMessage } from '../../src/message/decrypt-message.js'
import { encryptMessage } from '../../src/message/encrypt-message.js'
import { replyTo } from '../../src/message/reply-to.js'
import type { Message, MessageBody } from '../../src/message/types.js'
import { createBodyRegistry } from '../../src/message/verify.js'
import { anchor, CTYPE_HASH, codeOf, vectors } from './helpers.js'

const alice = anchor('alice')
const bob = anchor('bob')
const carol = anchor('carol')
const body = { type: 'accept-credential', content: [CTYPE_HASH] } as const

describe('createMessage', () => {
  it('createdAt from the clock; messageId = 0x + blake2b-256(uuid v4 string) as SDK UUID.generate', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17)
    const m = createMessage(body, {
      sender: alice.did,
      receiver: bob.did,
      now: () => 1234,
      random: () => bytes.slice(),
    })
    expect(m.createdAt).toBe(1234)
    // uuid v4 from these bytes, written out by hand: version nibble 4, variant bits 10
    const uuid = '00112233-4455-4677-8899-aabbccddeeff'
    expect(m.messageId).toBe(blake2AsHex(uuid, 256))
    expect(Object.keys(m)).toEqual(['body', 'createdAt', 'sender', 'receiver', 'messageId'])
  })

  it('default randomness: distinct ids of the SDK shape', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 500; i++) {
      const m = createMessage(body, { sender: alice.did, receiver: bob.did })
      expect(m.messageId).toMatch(/^0x[0-9a-f]{64}$/)
      ids.add(m.messageId!)
    }
    expect(ids.size).toBe(500)
  })

  it('is frozen and owns a copy of the body', () => {
    const mine = { type: 'accept-credential', content: [CTYPE_HASH] }
    const m = createMessage(mine, { sender: alice.did, receiver: bob.did })
    mine.content.push('0x00')
    expect(m.body.content).toEqual([CTYPE_HASH])
    expect(Object.isFrozen(m)).toBe(true)
    expect(Object.isFrozen(m.body)).toBe(true)
    expect(Object.isFrozen(m.body.content)).toBe(true)
    expect(Object.isFrozen(mine)).toBe(false)
  })

  it.each([
    ['sender not a DID', { sender: 'nope', receiver: bob.did }, 'ERR_DID_INVALID'],
    ['receiver with a fragment', { sender: alice.did, receiver: bob.keyUri }, 'ERR_DID_FRAGMENT'],
    ['sender missing', { receiver: bob.did }, 'ERR_ARGUMENT_INVALID'],
    [
      'references not strings',
      { sender: alice.did, receiver: bob.did, references: [1] },
      'ERR_MESSAGE_INVALID',
    ],
    ['inReplyTo a number', { sender: alice.did, receiver: bob.did, inReplyTo: 5 }, 'ERR_MESSAGE_INVALID'],
    ['inReplyTo empty', { sender: alice.did, receiver: bob.did, inReplyTo: '' }, 'ERR_MESSAGE_INVALID'],
    [
      'references with an empty id',
      { sender: alice.did, receiver: bob.did, references: [''] },
      'ERR_MESSAGE_INVALID',
    ],
    ['now not a function', { sender: alice.did, receiver: bob.did, now: 5 }, 'ERR_ARGUMENT_INVALID'],
    [
      'now returning NaN',
      { sender: alice.did, receiver: bob.did, now: () => Number.NaN },
      'ERR_ARGUMENT_INVALID',
    ],
    [
      'random returning 3 bytes',
      { sender: alice.did, receiver: bob.did, random: () => new Uint8Array(3) },
      'ERR_ARGUMENT_INVALID',
    ],
  ])('%s → %s', async (_name, options, code) => {
    expect(await codeOf(() => createMessage(body, options as never))).toBe(code)
  })

  it.each([
    ['a body without type', { content: 1 }, 'ERR_BODY_TYPE_UNKNOWN'],
    ['an unknown type', { type: 'request-magic', content: {} }, 'ERR_BODY_TYPE_UNKNOWN'],
    ['a malformed hash', { type: 'reject-attestation', content: 'nope' }, 'ERR_BODY_INVALID'],
    ['a BigInt in the body', { type: 'error', content: { n: 1n } }, 'ERR_MESSAGE_INVALID'],
    [
      'a cycle',
      (() => {
        const c: Record<string, unknown> = { type: 'error' }
        c.content = c
        return c
      })(),
      'ERR_MESSAGE_INVALID',
    ],
  ])('%s → %s', async (_name, b, code) => {
    expect(
      await codeOf(() =>
        createMessage(b as unknown as MessageBody, { sender: alice.did, receiver: bob.did }),
      ),
    ).toBe(code)
  })

  it('replyTo needs a parent messageId', async () => {
    const parent = {
      ...createMessage(body, { sender: alice.did, receiver: bob.did }),
      messageId: undefined,
    } as unknown as Message
    expect(await codeOf(() => replyTo(parent, body))).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(() => replyTo(null as unknown as Message, body))).toBe('ERR_ARGUMENT_INVALID')
  })
})

describe('encryptMessage', () => {
  const message = createMessage(body, { sender: alice.did, receiver: bob.did })

  it('uses a fresh nonce every time', async () => {
    const keys = alice.keyring()
    const a = await encryptMessage(message, { keys })
    const b = await encryptMessage(message, { keys })
    expect(a.nonce).not.toBe(b.nonce)
    expect(a.ciphertext).not.toBe(b.ciphertext)
  })

  it('receiver key of another DID → ERR_RECEIVER_MISMATCH (SDK IdentityMismatchError)', async () => {
    expect(
      await codeOf(encryptMessage(message, { keys: alice.keyring(), receiverKeyUri: carol.keyUri })),
    ).toBe('ERR_RECEIVER_MISMATCH')
  })

  it("a forged receiver key (Bob's address, Mallory's x25519 key) → ERR_RECEIVER_MISMATCH", async () => {
    const mallory = randomX25519()
    const forged = createLightDid({
      authentication: [{ publicKey: fromHex(vectors.dids.bob.authentication.publicKey), type: 'ed25519' }],
      keyAgreement: [{ publicKey: mallory.publicKey, type: 'x25519' }],
    })
    const receiverKeyUri = `${forged.uri}#encryption` as DidResourceUri
    expect(await codeOf(encryptMessage(message, { keys: alice.keyring(), receiverKeyUri }))).toBe(
      'ERR_RECEIVER_MISMATCH',
    )
    const toShort = createMessage(body, { sender: alice.did, receiver: vectors.dids.bob.shortUri })
    expect(await codeOf(encryptMessage(toShort, { keys: alice.keyring(), receiverKeyUri }))).toBe(
      'ERR_RECEIVER_MISMATCH',
    )
  })

  it("a keyring key under a forged DID of the sender's address → ERR_SENDER_MISMATCH", async () => {
    const mallory = randomX25519()
    const forged = createLightDid({
      authentication: [{ publicKey: fromHex(vectors.dids.alice.authentication.publicKey), type: 'sr25519' }],
      keyAgreement: [{ publicKey: mallory.publicKey, type: 'x25519' }],
    })
    const keys = createKeyring([
      { keyUri: `${forged.uri}#encryption` as DidResourceUri, secretKey: mallory.secretKey },
    ])
    expect(await codeOf(encryptMessage(message, { keys }))).toBe('ERR_SENDER_MISMATCH')
  })

  it('receiver without key agreement key → ERR_KEY_NOT_FOUND, with and without receiverKeyUri', async () => {
    const m = createMessage(body, { sender: alice.did, receiver: vectors.dids.eve.uri })
    expect(await codeOf(encryptMessage(m, { keys: alice.keyring() }))).toBe('ERR_KEY_NOT_FOUND')
    expect(
      await codeOf(
        encryptMessage(m, {
          keys: alice.keyring(),
          receiverKeyUri: `${vectors.dids.eve.uri}#encryption` as DidResourceUri,
        }),
      ),
    ).toBe('ERR_KEY_NOT_FOUND')
  })

  it('a keyring without a key of the sender → ERR_KEY_UNAVAILABLE', async () => {
    expect(await codeOf(encryptMessage(message, { keys: carol.keyring() }))).toBe('ERR_KEY_UNAVAILABLE')
  })

  it('a callback answering with a key of another DID → ERR_SENDER_MISMATCH (the SDK trusts it)', async () => {
    const carolRing = carol.keyring()
    const lying: EncryptCallback = async (r) => carolRing.encrypt({ ...r, did: carol.did })
    expect(await codeOf(encryptMessage(message, { keys: { encrypt: lying } }))).toBe('ERR_SENDER_MISMATCH')
  })

  it('the short form of the sender DID in the keyring is the same subject', async () => {
    const keys = createKeyring([
      { keyUri: `${vectors.dids.alice.shortUri}#encryption` as DidResourceUri, secretKey: alice.secretKey },
    ])
    const env = await encryptMessage(message, { keys })
    expect(env.senderKeyUri).toBe(`${vectors.dids.alice.shortUri}#encryption`)
  })

  it('misbehaving callbacks', async () => {
    const ring = alice.keyring()
    const cases: [EncryptCallback, string][] = [
      [
        async () => {
          throw new Error('wallet locked')
        },
        'ERR_KEY_UNAVAILABLE',
      ],
      [async () => null as never, 'ERR_ARGUMENT_INVALID'],
      [async (r) => ({ ...(await ring.encrypt(r)), nonce: new Uint8Array(12) }), 'ERR_ARGUMENT_INVALID'],
      [async (r) => ({ ...(await ring.encrypt(r)), data: new Uint8Array(3) }), 'ERR_ARGUMENT_INVALID'],
      [async (r) => ({ ...(await ring.encrypt(r)), keyUri: 'nope' as never }), 'ERR_ARGUMENT_INVALID'],
    ]
    for (const [encrypt, code] of cases)
      expect(await codeOf(encryptMessage(message, { keys: { encrypt } }))).toBe(code)
  })

  it('bad options and messages', async () => {
    const keys = alice.keyring()
    expect(await codeOf(encryptMessage(message, { keys, nonce: new Uint8Array(23) }))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(
      await codeOf(encryptMessage(message, { keys: { encrypt: keys.encrypt }, nonce: new Uint8Array(24) })),
    ).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(encryptMessage(message, { keys: {} as never }))).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(encryptMessage(message, undefined as never))).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(encryptMessage(null as never, { keys }))).toBe('ERR_ARGUMENT_INVALID')
    for (const bad of [
      { ...message, createdAt: '1' },
      { ...message, createdAt: undefined },
      { ...message, messageId: 5 },
      { ...message, sender: 'x' },
      { ...message, references: 'x' },
      { ...message, receivedAt: 'x' },
    ])
      expect(await codeOf(encryptMessage(bad as never, { keys }))).toBe('ERR_MESSAGE_INVALID')
    expect(await codeOf(encryptMessage({ ...message, body: null } as never, { keys }))).toBe(
      'ERR_BODY_TYPE_UNKNOWN',
    )
  })

  it('a message not made by createMessage has its body checked as the receiver will (registry for own types)', async () => {
    const keys = alice.keyring()
    const fields = { createdAt: Date.now(), sender: alice.did, receiver: bob.did, messageId: '0x01' }
    const foreign = (body: unknown) => ({ ...fields, body }) as never
    expect(
      await codeOf(
        encryptMessage(
          foreign({ type: 'request-terms', content: { cTypeHash: 'not a hash', contents: {} } }),
          {
            keys,
          },
        ),
      ),
    ).toBe('ERR_BODY_INVALID')
    expect(await codeOf(encryptMessage(foreign({ type: 'x-note', content: 'hi' }), { keys }))).toBe(
      'ERR_BODY_TYPE_UNKNOWN',
    )
    const registry = createBodyRegistry()
    registry.register('x-note', (content) => {
      if (typeof content !== 'string') throw new Error('x-note content is a string')
    })
    expect(await codeOf(encryptMessage(foreign({ type: 'x-note', content: 'hi' }), { keys, registry }))).toBe(
      undefined,
    )
    expect(await codeOf(encryptMessage(foreign({ type: 'x-note', content: 1 }), { keys, registry }))).toBe(
      'ERR_BODY_INVALID',
    )
    expect(
      await codeOf(
        encryptMessage(foreign({ type: 'x-note', content: 'hi' }), { keys, registry: {} as never }),
      ),
    ).toBe('ERR_ARGUMENT_INVALID')
    // a valid foreign message is encrypted and decrypts
    const ok = foreign({ type: 'request-terms', content: { cTypeHash: CTYPE_HASH, contents: {} } })
    const envelope = await encryptMessage(ok, { keys })
    expect((await decryptMessage(envelope, { keys: bob.keyring(), replay: false })).message.body.type).toBe(
      'request-terms',
    )
  })

  it('messages encrypted long after they were made (a batch) give the same plaintext as fresh ones', async () => {
    const keys = alice.keyring()
    const batch = Array.from({ length: 100 }, (_, i) =>
      createMessage(
        { type: 'request-terms', content: { cTypeHash: CTYPE_HASH, contents: { i, s: 'é"\\' } } },
        { sender: alice.did, receiver: bob.did, references: [`0x${i}`] },
      ),
    )
    const nonce = new Uint8Array(24).fill(7)
    for (const m of batch) {
      const later = await encryptMessage(m, { keys, nonce })
      // the same message as a plain copy (never made here): serialised from scratch
      const copy = await encryptMessage({ ...m }, { keys, nonce })
      expect(later.ciphertext).toBe(copy.ciphertext)
      expect((await decryptMessage(later, { keys: bob.keyring(), replay: false })).message).toEqual(m)
    }
    // a body too large to be remembered (> 64 KiB of JSON) is serialised again, with the same result
    const big = createMessage(
      { type: 'request-terms', content: { cTypeHash: CTYPE_HASH, contents: { note: 'x'.repeat(70_000) } } },
      { sender: alice.did, receiver: bob.did },
    )
    const bigEnv = await encryptMessage(big, { keys, nonce })
    expect(bigEnv.ciphertext).toBe((await encryptMessage({ ...big }, { keys, nonce })).ciphertext)
    expect((await decryptMessage(bigEnv, { keys: bob.keyring(), replay: false })).message).toEqual(big)
    // a copy with broken fields is checked, not trusted
    const broken = { ...batch[0]!, references: 5 }
    expect(await codeOf(encryptMessage(broken as never, { keys }))).toBe('ERR_MESSAGE_INVALID')
    const noType = { ...batch[0]!, body: { content: {} } }
    expect(await codeOf(encryptMessage(noType as never, { keys }))).toBe('ERR_BODY_TYPE_UNKNOWN')
  })

  it('an SDK-shaped message (fromBody key order, no validation) round-trips', async () => {
    const m = { body, createdAt: Date.now(), receiver: bob.did, sender: alice.did, messageId: '0x1234' }
    const env = await encryptMessage(m, { keys: alice.keyring() })
    expect((await decryptMessage(env, { keys: bob.keyring() })).message).toEqual(m)
  })
})
