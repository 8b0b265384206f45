/**
 * The Credential API session start (createSessionChallenge, answerSessionChallenge,
 * verifySessionChallenge) and the spec-1.0 envelope names (toEnvelopeV1, fromEnvelopeV1).
 */
import fc from 'fast-check'
import nacl from 'tweetnacl'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, MessagingError } from '../../src/errors.js'
import { createKeyring } from '../../src/keys/keyring.js'
import { createMessage } from '../../src/message/create-message.js'
import { decryptMessage } from '../../src/message/decrypt-message.js'
import { encryptMessage } from '../../src/message/encrypt-message.js'
import {
  answerSessionChallenge,
  createSessionChallenge,
  fromEnvelopeV1,
  type SessionStart,
  toEnvelopeV1,
  verifySessionChallenge,
} from '../../src/session/index.js'
import { CTYPE_HASH, codeOf, freshIdentity, hex, type Identity, toHex } from '../message/helpers.js'

const dApp = freshIdentity('dapp')
const session = freshIdentity('session')

async function start(challenge: string, who: Identity = session, to: Identity = dApp): Promise<SessionStart> {
  return answerSessionChallenge(
    { challenge, dAppEncryptionKeyUri: to.keyUri },
    { keys: who.keyring(), sessionDid: who.did },
  )
}

const verifyOptions = (challenge: string) => ({
  challenge,
  dAppEncryptionKeyUri: dApp.keyUri,
  keys: dApp.keyring(),
})

describe('createSessionChallenge', () => {
  it('is 24 random bytes as lowercase 0x hex, new every time', () => {
    const a = createSessionChallenge()
    const b = createSessionChallenge()
    expect(a).toMatch(/^0x[0-9a-f]{48}$/)
    expect(a).not.toBe(b)
  })

  it('takes its bytes from the random source', () => {
    const bytes = Uint8Array.from({ length: 24 }, (_, i) => i + 200)
    expect(createSessionChallenge({ random: () => bytes })).toBe(toHex(bytes))
  })

  it('refuses a random source that does not answer 24 bytes, and bad options', async () => {
    expect(await codeOf(() => createSessionChallenge({ random: () => new Uint8Array(23) }))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(
      await codeOf(() => createSessionChallenge({ random: (() => [1, 2]) as unknown as () => Uint8Array })),
    ).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(() => createSessionChallenge(5 as never))).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(() => createSessionChallenge({ random: 'x' as never }))).toBe('ERR_ARGUMENT_INVALID')
  })
})

describe('answer → verify', () => {
  it('the dApp learns the session DID and key; the box holds the hex-decoded challenge', async () => {
    const challenge = createSessionChallenge()
    const s = await start(challenge)
    expect(Object.keys(s)).toEqual(['encryptionKeyUri', 'encryptedChallenge', 'nonce'])
    expect(s.encryptionKeyUri).toBe(session.keyUri)
    expect(s.nonce).toMatch(/^0x[0-9a-f]{48}$/)
    // tweetnacl as the oracle: boxed from the session key to the dApp key, the challenge's bytes
    const opened = nacl.box.open(hex(s.encryptedChallenge), hex(s.nonce), session.publicKey, dApp.secretKey)
    expect(opened && toHex(opened)).toBe(challenge)

    const verified = await verifySessionChallenge(s, verifyOptions(challenge))
    expect(verified.did).toBe(session.did)
    expect(verified.encryptionKeyUri).toBe(session.keyUri)
    expect(verified.publicKey).toEqual(session.publicKey)
    expect(Object.isFrozen(verified)).toBe(true)
  })

  it('a challenge that is not 0x hex is boxed as UTF-8 (Sporran: Crypto.coToUInt8)', async () => {
    const challenge = 'a session challenge of some length'
    const s = await start(challenge)
    const opened = nacl.box.open(hex(s.encryptedChallenge), hex(s.nonce), session.publicKey, dApp.secretKey)
    expect(opened && Buffer.from(opened).toString('utf8')).toBe(challenge)
    expect((await verifySessionChallenge(s, verifyOptions(challenge))).did).toBe(session.did)
    // the bytes are what counts: the same bytes written as hex are the same challenge
    const asHex = toHex(new TextEncoder().encode(challenge))
    expect((await verifySessionChallenge(s, verifyOptions(asHex))).did).toBe(session.did)
    expect(await codeOf(verifySessionChallenge(s, verifyOptions(`${challenge}!`)))).toBe(
      'ERR_SESSION_CHALLENGE_MISMATCH',
    )
  })

  it('spec 1.0: encryptionKeyId, accepted by verify', async () => {
    const challenge = createSessionChallenge()
    const s = await answerSessionChallenge(
      { challenge, dAppEncryptionKeyUri: dApp.keyUri },
      { keys: session.keyring(), sessionDid: session.did, specVersion: '1.0' },
    )
    expect(Object.keys(s)).toEqual(['encryptionKeyId', 'encryptedChallenge', 'nonce'])
    expect((await verifySessionChallenge(s, verifyOptions(challenge))).encryptionKeyUri).toBe(session.keyUri)
  })

  it('KILT callbacks on both sides', async () => {
    const challenge = createSessionChallenge()
    const s = await answerSessionChallenge(
      { challenge, dAppEncryptionKeyUri: dApp.keyUri },
      { keys: { encrypt: session.keyring().encrypt }, sessionDid: session.did },
    )
    const verified = await verifySessionChallenge(s, {
      ...verifyOptions(challenge),
      keys: { decrypt: dApp.keyring().decrypt },
    })
    expect(verified.did).toBe(session.did)
  })

  it('a decrypt callback that wipes its inputs cannot corrupt the cached session key', async () => {
    const challenge = createSessionChallenge()
    const s = await start(challenge)
    const decrypt = dApp.keyring().decrypt
    const wiping = {
      decrypt: async (r: Parameters<typeof decrypt>[0]) => {
        const out = await decrypt(r)
        r.peerPublicKey.fill(0)
        r.data.fill(0)
        r.nonce.fill(0)
        return out
      },
    }
    const first = await verifySessionChallenge(s, { ...verifyOptions(challenge), keys: wiping })
    expect(first.publicKey).toEqual(session.publicKey)
    // the same session key, through the process-wide key cache, still works
    const again = await verifySessionChallenge(s, verifyOptions(challenge))
    expect(again.publicKey).toEqual(session.publicKey)
  })

  it('a PubSubSession object (with its functions) is read for its three fields only', async () => {
    const challenge = createSessionChallenge()
    const s = {
      ...(await start(challenge)),
      listen: async () => {},
      send: async () => {},
      close: async () => {},
    }
    expect((await verifySessionChallenge(s, verifyOptions(challenge))).did).toBe(session.did)
  })
})

describe('verify refuses', () => {
  it('an answer to another challenge (a recorded answer replayed)', async () => {
    const s = await start(createSessionChallenge())
    const e = await verifySessionChallenge(s, verifyOptions(createSessionChallenge())).catch((x) => x)
    expect(e).toBeInstanceOf(MessagingError)
    expect(e.code).toBe('ERR_SESSION_CHALLENGE_MISMATCH')
  })

  it('a box that does not open: flipped bits, another dApp, a claimed session key that did not box it', async () => {
    const challenge = createSessionChallenge()
    const s = await start(challenge)
    for (const at of [2, 40, s.encryptedChallenge.length - 1]) {
      const c = s.encryptedChallenge
      const flipped = c.slice(0, at) + (c[at] === '0' ? '1' : '0') + c.slice(at + 1)
      expect(
        await codeOf(verifySessionChallenge({ ...s, encryptedChallenge: flipped }, verifyOptions(challenge))),
      ).toBe('ERR_DECRYPTION_FAILED')
    }
    const otherDApp = freshIdentity('dapp2')
    const toOther = await start(challenge, session, otherDApp)
    expect(await codeOf(verifySessionChallenge(toOther, verifyOptions(challenge)))).toBe(
      'ERR_DECRYPTION_FAILED',
    )
    // a man in the middle claims his own session DID for Sporran's answer
    const mallory = freshIdentity('mallory')
    expect(
      await codeOf(
        verifySessionChallenge({ ...s, encryptionKeyUri: mallory.keyUri }, verifyOptions(challenge)),
      ),
    ).toBe('ERR_DECRYPTION_FAILED')
    // another nonce
    const nonce = `0x${'11'.repeat(24)}`
    expect(await codeOf(verifySessionChallenge({ ...s, nonce }, verifyOptions(challenge)))).toBe(
      'ERR_DECRYPTION_FAILED',
    )
  })

  it('malformed answers: ERR_SESSION_INVALID', async () => {
    const challenge = createSessionChallenge()
    const s = await start(challenge)
    const bad: unknown[] = [
      null,
      'x',
      [],
      {},
      { encryptedChallenge: s.encryptedChallenge, nonce: s.nonce },
      { ...s, encryptionKeyId: s.encryptionKeyUri },
      { ...s, encryptionKeyUri: session.did },
      { ...s, encryptionKeyUri: 'did:kilt:nope#encryption' },
      { ...s, encryptionKeyUri: 42 },
      { ...s, nonce: s.nonce.slice(0, -2) },
      { ...s, nonce: s.nonce.toUpperCase().replace('0X', '0x') },
      { ...s, nonce: s.nonce.slice(2) },
      { ...s, nonce: 7 },
      { ...s, encryptedChallenge: `0x${'00'.repeat(15)}` },
      { ...s, encryptedChallenge: `${s.encryptedChallenge}0` },
      { ...s, encryptedChallenge: `0x${'ab'.repeat(2000)}` },
      {
        get encryptionKeyUri(): string {
          throw new Error('getter')
        },
      },
    ]
    for (const b of bad)
      expect(await codeOf(verifySessionChallenge(b, verifyOptions(challenge))), String(b)).toBe(
        'ERR_SESSION_INVALID',
      )
  })

  it('a session key that is not a key agreement key', async () => {
    const challenge = createSessionChallenge()
    const s = await start(challenge)
    const e = await verifySessionChallenge(
      { ...s, encryptionKeyUri: `${session.did}#authentication` },
      verifyOptions(challenge),
    ).catch((x) => x)
    expect(e.code).toMatch(/^ERR_KEY_(RELATIONSHIP|NOT_FOUND)$/)
  })

  it("the dApp's own mistakes: a short challenge, a keyring without the dApp key, bad options", async () => {
    const short = '0x0102030405'
    // the extension answers whatever challenge the dApp chose …
    const s = await start(short)
    // … but a dApp never verifies against a guessable one
    expect(await codeOf(verifySessionChallenge(s, verifyOptions(short)))).toBe('ERR_ARGUMENT_INVALID')
    const challenge = createSessionChallenge()
    const good = await start(challenge)
    expect(
      await codeOf(verifySessionChallenge(good, { ...verifyOptions(challenge), keys: session.keyring() })),
    ).toBe('ERR_KEY_UNAVAILABLE')
    expect(
      await codeOf(
        verifySessionChallenge(good, { ...verifyOptions(challenge), dAppEncryptionKeyUri: dApp.did }),
      ),
    ).toBe('ERR_ARGUMENT_INVALID')
    expect(
      await codeOf(verifySessionChallenge(good, { ...verifyOptions(challenge), challenge: 5 as never })),
    ).toBe('ERR_ARGUMENT_INVALID')
    expect(
      await codeOf(verifySessionChallenge(good, { ...verifyOptions(challenge), keys: {} as never })),
    ).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(verifySessionChallenge(good, null as never))).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(verifySessionChallenge(good, { ...verifyOptions(`0x${'ab'.repeat(1025)}`) }))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
  })

  it('junk of any shape ends in a documented MessagingError (property)', async () => {
    const challenge = createSessionChallenge()
    const s = await start(challenge)
    const field = fc.oneof(
      fc.anything(),
      fc.constantFrom(s.encryptionKeyUri, s.encryptedChallenge, s.nonce, session.did, dApp.keyUri),
      fc.string().map((x) => `0x${x}`),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { encryptionKeyUri: field, encryptionKeyId: field, encryptedChallenge: field, nonce: field },
          { requiredKeys: [] },
        ),
        async (junk) => {
          const e = await verifySessionChallenge(junk, verifyOptions(challenge)).then(
            () => undefined,
            (x: unknown) => x,
          )
          // only the genuine answer verifies
          if (e === undefined) {
            expect(junk).toMatchObject({ encryptedChallenge: s.encryptedChallenge, nonce: s.nonce })
            return
          }
          expect(e).toBeInstanceOf(MessagingError)
          expect((e as MessagingError).code in ERROR_CODES).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('answer refuses', () => {
  it('bad requests and options', async () => {
    const challenge = createSessionChallenge()
    const keys = session.keyring()
    const ok = { keys, sessionDid: session.did }
    const req = { challenge, dAppEncryptionKeyUri: dApp.keyUri }
    expect(await codeOf(answerSessionChallenge({ ...req, challenge: '' }, ok))).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(answerSessionChallenge({ ...req, dAppEncryptionKeyUri: dApp.did }, ok))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(await codeOf(answerSessionChallenge(null as never, ok))).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(answerSessionChallenge(req, { ...ok, sessionDid: session.keyUri }))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(await codeOf(answerSessionChallenge(req, { ...ok, specVersion: '2.0' as never }))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(await codeOf(answerSessionChallenge(req, { ...ok, sessionDid: freshIdentity('y').did }))).toBe(
      'ERR_KEY_UNAVAILABLE',
    )
    // a dApp key URI that is not a key agreement key
    expect(
      await codeOf(
        answerSessionChallenge({ ...req, dAppEncryptionKeyUri: `${dApp.did}#authentication` }, ok),
      ),
    ).toMatch(/^ERR_KEY_(RELATIONSHIP|NOT_FOUND)$/)
  })

  it('a callback answering a key of another DID (ERR_SENDER_MISMATCH) or a malformed result', async () => {
    const challenge = createSessionChallenge()
    const req = { challenge, dAppEncryptionKeyUri: dApp.keyUri }
    const other = freshIdentity('other')
    const wrong = await answerSessionChallenge(req, {
      keys: { encrypt: (r) => other.keyring().encrypt({ ...r, did: other.did }) },
      sessionDid: session.did,
    }).catch((x) => x)
    expect(wrong.code).toBe('ERR_SENDER_MISMATCH')
    expect(
      await codeOf(
        answerSessionChallenge(req, {
          keys: {
            encrypt: async () => ({
              data: new Uint8Array(3),
              nonce: new Uint8Array(24),
              keyUri: session.keyUri,
            }),
          },
          sessionDid: session.did,
        }),
      ),
    ).toBe('ERR_ARGUMENT_INVALID')
    expect(
      await codeOf(
        answerSessionChallenge(req, {
          keys: {
            encrypt: async () => {
              throw new Error('locked')
            },
          },
          sessionDid: session.did,
        }),
      ),
    ).toBe('ERR_KEY_UNAVAILABLE')
  })
})

describe('spec-1.0 envelopes', () => {
  const alice = freshIdentity('alice')
  const bob = freshIdentity('bob')

  it('toEnvelopeV1 renames the key URIs; fromEnvelopeV1 reverses it; decryptMessage reads the result', async () => {
    const message = createMessage({ type: 'request-terms', content: { cTypeHash: CTYPE_HASH } } as never, {
      sender: alice.did,
      receiver: bob.did,
    })
    const envelope = await encryptMessage(message, { keys: alice.keyring() })
    const v1 = toEnvelopeV1(envelope)
    expect(v1).toEqual({
      ciphertext: envelope.ciphertext,
      nonce: envelope.nonce,
      senderKeyId: alice.keyUri,
      receiverKeyId: bob.keyUri,
    })
    expect(Object.isFrozen(v1)).toBe(true)
    const back = fromEnvelopeV1(JSON.parse(JSON.stringify(v1)))
    expect(back).toEqual(envelope)
    const { message: read } = await decryptMessage(back, { keys: bob.keyring() })
    expect(read.messageId).toBe(message.messageId)
    // decryptMessage itself keeps refusing 1.0 names
    expect(await codeOf(decryptMessage(v1, { keys: bob.keyring() }))).toBe('ERR_ENVELOPE_INVALID')
  })

  it('keeps receivedAt', () => {
    const v3 = {
      receivedAt: 5,
      ciphertext: '0x00',
      nonce: '0x00',
      senderKeyUri: alice.keyUri,
      receiverKeyUri: bob.keyUri,
    }
    expect(fromEnvelopeV1(toEnvelopeV1(v3 as never))).toEqual(v3)
  })

  it('refuses mixed, unknown or malformed fields with ERR_ENVELOPE_INVALID', async () => {
    const v1 = { ciphertext: '0x00', nonce: '0x00', senderKeyId: alice.keyUri, receiverKeyId: bob.keyUri }
    const bad: unknown[] = [
      null,
      [],
      'x',
      new (class {
        ciphertext = '0x'
      })(),
      { ...v1, senderKeyUri: alice.keyUri },
      { ...v1, extra: 1 },
      { ...v1, senderKeyId: alice.did },
      { ...v1, receiverKeyId: 'did:kilt:x#y' },
      { ...v1, ciphertext: 1 },
      { ...v1, nonce: null },
      { ...v1, receivedAt: Number.NaN },
      { ciphertext: '0x00', nonce: '0x00', senderKeyId: alice.keyUri },
    ]
    bad.push(
      new Proxy(
        {},
        {
          getPrototypeOf() {
            throw new Error('proto')
          },
        },
      ),
      new Proxy(v1, {
        ownKeys() {
          throw new Error('keys')
        },
      }),
      {
        ...v1,
        get nonce(): string {
          throw new TypeError('getter')
        },
      },
    )
    for (const [i, b] of bad.entries())
      expect(await codeOf(() => fromEnvelopeV1(b)), String(i)).toBe('ERR_ENVELOPE_INVALID')
    expect(await codeOf(() => toEnvelopeV1(v1 as never))).toBe('ERR_ENVELOPE_INVALID')
  })
})

it('a keyring made for the test holds what it should (sanity of the fixtures)', () => {
  expect(createKeyring([{ keyUri: session.keyUri, secretKey: session.secretKey }]).has(session.keyUri)).toBe(
    true,
  )
})
