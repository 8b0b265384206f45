/**
 * Property tests over decryptMessage: whatever the input, the answer is a message or a
 * MessagingError with a documented code — never another exception, never a hang.
 */
import fc from 'fast-check'
import nacl from 'tweetnacl'
import { describe, expect, it, vi } from 'vitest'
import type { DidResourceUri } from '../../src/did/types.js'
import { ERROR_CODES, MessagingError } from '../../src/errors.js'
import { createMessage } from '../../src/message/create-message.js'
import { decryptMessage } from '../../src/message/decrypt-message.js'
import { encryptMessage } from '../../src/message/encrypt-message.js'
import { createLightResolver } from '../../src/resolver/light.js'
import type { DidResolver } from '../../src/resolver/types.js'
import { anchor, CTYPE_HASH, hex, toHex, vectors } from './helpers.js'

const alice = anchor('alice')
const bob = anchor('bob')
const bobKeys = bob.keyring()
const T = 1_800_000_000_000
const now = () => T

/** Every code decryptMessage documents. */
const DOCUMENTED = new Set<string>([
  'ERR_ENVELOPE_INVALID',
  'ERR_MESSAGE_TOO_LARGE',
  'ERR_DID_INVALID',
  'ERR_DID_ADDRESS_INVALID',
  'ERR_DID_DETAILS_INVALID',
  'ERR_DID_FRAGMENT',
  'ERR_DID_NOT_FOUND',
  'ERR_DID_DEACTIVATED',
  'ERR_DID_UPGRADED',
  'ERR_KEY_TYPE_UNSUPPORTED',
  'ERR_KEY_INVALID',
  'ERR_SERVICE_INVALID',
  'ERR_KEY_NOT_FOUND',
  'ERR_KEY_RELATIONSHIP',
  'ERR_RESOLVER_FAILED',
  'ERR_KEY_UNAVAILABLE',
  'ERR_DECRYPTION_FAILED',
  'ERR_MESSAGE_INVALID',
  'ERR_SENDER_MISMATCH',
  'ERR_RECEIVER_MISMATCH',
  'ERR_BODY_TYPE_UNKNOWN',
  'ERR_BODY_INVALID',
  'ERR_OWNER_MISMATCH',
  'ERR_MESSAGE_STALE',
  'ERR_MESSAGE_FUTURE',
  'ERR_MESSAGE_REPLAYED',
])

/** The documented MessagingError `envelope` is refused with (fails the test when it is accepted). */
async function refusal(envelope: unknown, extra: Record<string, unknown> = {}): Promise<MessagingError> {
  const e = await decryptMessage(envelope, { keys: bobKeys, now, replay: false, ...extra }).then(
    () => new Error('accepted'),
    (reason: unknown) => reason,
  )
  expect(e).toBeInstanceOf(MessagingError)
  expect(DOCUMENTED.has((e as MessagingError).code)).toBe(true)
  return e as MessagingError
}

async function outcome(envelope: unknown, extra: Record<string, unknown> = {}): Promise<string> {
  try {
    await decryptMessage(envelope, { keys: bobKeys, now, replay: false, ...extra })
    return 'ok'
  } catch (e) {
    if (!(e instanceof MessagingError)) throw new Error(`not a MessagingError: ${String(e)}`)
    expect(e.code in ERROR_CODES).toBe(true)
    expect(DOCUMENTED.has(e.code), `undocumented code ${e.code}`).toBe(true)
    return e.code
  }
}

const message = createMessage(
  { type: 'request-credential', content: { cTypes: [{ cTypeHash: CTYPE_HASH }] } },
  { sender: alice.did, receiver: bob.did, now },
)
const good = await encryptMessage(message, { keys: alice.keyring() })

function sealBytes(bytes: Uint8Array) {
  const nonce = nacl.randomBytes(24)
  return {
    ciphertext: toHex(nacl.box(bytes, nonce, bob.publicKey, alice.secretKey)),
    nonce: toHex(nonce),
    senderKeyUri: alice.keyUri,
    receiverKeyUri: bob.keyUri,
  }
}

const KEY_URIS = [
  alice.keyUri,
  bob.keyUri,
  vectors.dids.carol.keyAgreement.keyUri,
  vectors.dids.alice.authentication.keyUri,
  `${vectors.dids.eve.uri}#encryption`,
  `${vectors.dids.alice.shortUri}#encryption`,
  `did:kilt:${vectors.dids.alice.address}#encryption`,
  vectors.dids.alice.uri,
  'did:example:123#key-1',
  'did:kilt:light:004rdnRVyxUfrdcnaQMtESmmwqHX6mVn2oRvhFY45j7cUxxx:z1Ac9#encryption',
  `${vectors.dids.alice.uri.slice(0, -3)}zzz#encryption`,
  `did:kilt:light:99${vectors.dids.alice.address}#encryption`,
  '',
]

describe('decryptMessage never throws anything but a documented MessagingError', () => {
  it('bit flips anywhere in ciphertext or nonce → ERR_DECRYPTION_FAILED', async () => {
    const box = hex(good.ciphertext)
    const nonce = hex(good.nonce)
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (inNonce, at, bit) => {
        const target = (inNonce ? nonce : box).slice()
        target[at % target.length]! ^= 1 << bit
        const env = inNonce ? { ...good, nonce: toHex(target) } : { ...good, ciphertext: toHex(target) }
        expect(await outcome(env)).toBe('ERR_DECRYPTION_FAILED')
      }),
      { numRuns: 150 },
    )
  })

  it('truncation and extension of the ciphertext → ERR_DECRYPTION_FAILED', async () => {
    const box = hex(good.ciphertext)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: box.length - 1 }),
        fc.uint8Array({ maxLength: 40 }),
        async (cut, tail) => {
          expect(await outcome({ ...good, ciphertext: toHex(box.slice(0, cut)) })).toBe(
            'ERR_DECRYPTION_FAILED',
          )
          if (tail.length > 0)
            expect(await outcome({ ...good, ciphertext: toHex(Uint8Array.of(...box, ...tail)) })).toBe(
              'ERR_DECRYPTION_FAILED',
            )
        },
      ),
      { numRuns: 80 },
    )
  })

  it('wrong types, huge strings, odd/upper-case hex in every field', async () => {
    const value = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string({ minLength: 1 }).map((s) => `0x${s}`),
      fc.constant(good.ciphertext.toUpperCase()),
      fc.constant(`${good.ciphertext}a`),
      fc.constant(good.ciphertext.slice(2)),
      fc.constant('x'.repeat(2_000_000)),
      fc.constantFrom(...KEY_URIS),
    )
    const field = fc.constantFrom(
      'ciphertext',
      'nonce',
      'senderKeyUri',
      'receiverKeyUri',
      'receivedAt',
      'extra',
    )
    await fc.assert(
      fc.asyncProperty(field, value, async (k, val) => {
        const code = await outcome({ ...good, [k]: val })
        if (k === 'extra') expect(code).toBe('ERR_ENVELOPE_INVALID')
      }),
      { numRuns: 200 },
    )
  })

  it('arbitrary values as the envelope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }),
        async (x) => {
          expect(await outcome(x)).not.toBe('ok')
        },
      ),
      { numRuns: 200 },
    )
  })

  it('swapped or foreign key URIs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...KEY_URIS), fc.constantFrom(...KEY_URIS), async (s, r) => {
        const code = await outcome({ ...good, senderKeyUri: s, receiverKeyUri: r })
        if (s === alice.keyUri && r === bob.keyUri) expect(code).toBe('ok')
        else expect(code).not.toBe('ok')
      }),
      { numRuns: 120 },
    )
  })

  it('junk JSON plaintexts, properly encrypted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (j) => {
        const code = await outcome(sealBytes(new TextEncoder().encode(JSON.stringify(j))))
        expect(code).not.toBe('ok')
      }),
      { numRuns: 150 },
    )
  })

  it('plaintexts that are almost a valid message (one field replaced by junk)', async () => {
    const base = {
      body: message.body,
      createdAt: T,
      sender: alice.did,
      receiver: bob.did,
      messageId: message.messageId,
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'body',
          'createdAt',
          'sender',
          'receiver',
          'messageId',
          'inReplyTo',
          'references',
          'other',
        ),
        fc.jsonValue(),
        async (k, j) => {
          await outcome(sealBytes(new TextEncoder().encode(JSON.stringify({ ...base, [k]: j }))))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('arbitrary plaintext bytes (mostly invalid UTF-8) encrypted with the keyring', async () => {
    const ring = alice.keyring()
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), async (bytes) => {
        const nonce = nacl.randomBytes(24)
        const box = await ring.sealFor(alice.keyUri as DidResourceUri, bob.publicKey, bytes, nonce)
        const code = await outcome({
          ciphertext: toHex(box),
          nonce: toHex(nonce),
          senderKeyUri: alice.keyUri,
          receiverKeyUri: bob.keyUri,
        })
        expect(code).toBe('ERR_MESSAGE_INVALID')
      }),
      { numRuns: 150 },
    )
  })

  it('deep nesting and oversized envelopes end with a code, their work bounded by the limits', async () => {
    for (const depth of [65, 1_000, 200_000]) {
      const deep = `{"body":{"type":"error","content":${'['.repeat(depth)}${']'.repeat(depth)}}}`
      const e = await refusal(sealBytes(new TextEncoder().encode(deep)))
      expect(e.code).toBe('ERR_MESSAGE_INVALID')
      // The walk of the parsed plaintext stops at the depth limit (no stack overflow, no full walk).
      expect(e.message).toMatch(/deeper than 64 levels/)
    }
    const big = sealBytes(new Uint8Array(600_000))
    const light = createLightResolver()
    let lookups = 0
    const resolver: DidResolver = {
      resolve: (...args) => {
        lookups++
        return light.resolve(...args)
      },
      resolveKey: (...args) => {
        lookups++
        return light.resolveKey(...args)
      },
    }
    const opened = vi.spyOn(bobKeys, 'openFor')
    try {
      // Refused on its size alone: no key resolved, nothing decrypted.
      expect(await outcome(big, { resolver })).toBe('ERR_MESSAGE_TOO_LARGE')
      expect(lookups).toBe(0)
      expect(opened).not.toHaveBeenCalled()
      // Under a raised bound it is decrypted once, then refused as a plaintext that is not JSON.
      const e = await refusal(big, { resolver, maxEnvelopeBytes: 2_000_000 })
      expect(e.code).toBe('ERR_MESSAGE_INVALID')
      expect(e.message).toMatch(/not JSON/)
      expect(opened).toHaveBeenCalledTimes(1)
      expect(lookups).toBeGreaterThan(0)
    } finally {
      opened.mockRestore()
    }
  })
})
