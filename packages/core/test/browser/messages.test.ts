/**
 * The recorded SDK 0.35.2 vectors in Chromium: every message decrypts and re-encrypts byte for byte
 * (WebCrypto and noble backends), negative vectors and malformed input fail with coded errors, and
 * the replay guard rejects a second delivery.
 */
import { expect, it } from 'vitest'
import { loadBoxBackend } from '../../src/crypto/backend.js'
import type { BoxBackend } from '../../src/crypto/types.js'
import type { DidResourceUri } from '../../src/did/types.js'
import { MessagingError } from '../../src/errors.js'
import { createKeyring, type Keyring } from '../../src/keys/keyring.js'
import { fromHex, toHex } from '../../src/lib/bytes.js'
import { createMessage } from '../../src/message/create-message.js'
import { type DecryptMessageOptions, decryptMessage } from '../../src/message/decrypt-message.js'
import { encryptMessage } from '../../src/message/encrypt-message.js'
import type { Message } from '../../src/message/types.js'
import { createReplayGuard } from '../../src/replay/create-replay-guard.js'
import { SDK_TO_CODE } from '../helpers/sdk-errors.js'
import { describeInBrowser, type VectorMessage, vectors as v } from './vectors.js'

const hex = (s: string): Uint8Array => fromHex(s)

async function backend(name: 'webcrypto' | 'noble'): Promise<BoxBackend> {
  const b = await loadBoxBackend(name)
  if (b === undefined) throw new Error(`${name} backend unavailable in this browser`)
  return b
}

function ring(name: string, b: BoxBackend): Keyring {
  const ka = v.dids[name]?.keyAgreement
  if (ka === undefined) throw new Error(`no key agreement key for ${name}`)
  return createKeyring([{ keyUri: ka.keyUri as DidResourceUri, secretKey: hex(ka.secretKey) }], {
    backend: b,
  })
}

async function failure(p: Promise<unknown>): Promise<MessagingError> {
  try {
    await p
  } catch (e) {
    if (e instanceof MessagingError) return e
    throw e
  }
  throw new Error('expected a MessagingError, got success')
}

function asReceived(out: { message: Message; receivedAt?: number }): Record<string, unknown> {
  return out.receivedAt === undefined ? { ...out.message } : { ...out.message, receivedAt: out.receivedAt }
}

const messages = v.messages.map((m): [string, VectorMessage] => [m.id, m])

describeInBrowser.each(['webcrypto', 'noble'] as const)('messages[] with the %s backend', (name) => {
  it.each(messages)('%s decrypts and re-encrypts byte for byte', async (_id, m) => {
    const b = await backend(name)
    const now = typeof m.plaintext.createdAt === 'number' ? m.plaintext.createdAt : 1_700_604_800_000
    // A guard per call: each vector is decrypted once per backend (the default guard is process-wide).
    const replay = createReplayGuard({ now: () => now })
    const out = await decryptMessage(m.encrypted, { keys: ring(m.receiver, b), now: () => now, replay })
    expect(asReceived(out)).toEqual(m.plaintext)

    const senderRing = ring(m.sender, b)
    const sender = v.dids[m.sender]!
    const box = await senderRing.sealFor(
      sender.keyAgreement!.keyUri as DidResourceUri,
      hex(v.dids[m.receiver]!.keyAgreement!.publicKey),
      new TextEncoder().encode(m.serializedPlaintext),
      hex(m.encrypted.nonce),
    )
    expect(toHex(box)).toBe(m.encrypted.ciphertext)

    const envelope = await encryptMessage(m.plaintext as unknown as Message, {
      keys: senderRing,
      receiverKeyUri: m.encrypted.receiverKeyUri as DidResourceUri,
      nonce: hex(m.encrypted.nonce),
    })
    expect(JSON.stringify(envelope)).toBe(JSON.stringify(m.encrypted))
  })
})

/** n08: the short and full light DID are one subject; strict string comparison restores the SDK's rejection. */
const STRICT: Record<string, Partial<DecryptMessageOptions>> = {
  'n08-sender-short-uri': { relax: { sameSubjectSender: false } },
}

describeInBrowser('negative[] in Chromium', () => {
  it.each(v.negative.map((n) => [n.id, n] as const))('%s fails with its code', async (id, n) => {
    const b = await backend('webcrypto')
    const createdAt = n.decrypted?.createdAt
    const now = typeof createdAt === 'number' ? createdAt : 1_700_604_800_000
    const e = await failure(
      decryptMessage(n.encrypted, { keys: ring(n.receiver, b), now: () => now, ...STRICT[id] }),
    )
    expect(SDK_TO_CODE[n.error.name]).toContain(e.code)
    expect(e.sdkError).toBe(n.error.name)
  })

  it('covers all 22', () => {
    expect(v.negative).toHaveLength(22)
  })
})

describeInBrowser('fresh messages, replay and malformed input', () => {
  const alice = v.dids.alice!
  const bob = v.dids.bob!

  it('a fresh message round-trips; the replay guard rejects its second delivery', async () => {
    const b = await backend('webcrypto')
    const message = createMessage(
      { type: 'accept-credential', content: [`0x${'ab'.repeat(32)}`] },
      { sender: alice.uri as Message['sender'], receiver: bob.uri as Message['receiver'] },
    )
    const envelope = await encryptMessage(message, { keys: ring('alice', b) })
    expect(envelope.nonce).toMatch(/^0x[0-9a-f]{48}$/)
    const replay = createReplayGuard()
    const bobKeys = ring('bob', b)
    const out = await decryptMessage(envelope, { keys: bobKeys, replay })
    expect(out.message).toEqual(message)
    const again = await failure(decryptMessage(envelope, { keys: bobKeys, replay }))
    expect(again.code).toBe('ERR_MESSAGE_REPLAYED')
    // a rejected message does not burn an id: a tampered copy fails on decryption, not replay
    const c = hex(envelope.ciphertext)
    c[5]! ^= 1
    const tampered = { ...envelope, ciphertext: toHex(c) }
    expect((await failure(decryptMessage(tampered, { keys: bobKeys, replay }))).code).toBe(
      'ERR_DECRYPTION_FAILED',
    )
  })

  it('the guard directly: stale, future and repeated ids', async () => {
    let t = 1_800_000_000_000
    const guard = createReplayGuard({ now: () => t, maxAgeMs: 60_000, maxFutureSkewMs: 1_000 })
    const sender = alice.uri
    await guard.check({ sender, messageId: '0x01', createdAt: t })
    await expect(guard.check({ sender, messageId: '0x01', createdAt: t })).rejects.toMatchObject({
      code: 'ERR_MESSAGE_REPLAYED',
    })
    await expect(guard.check({ sender, messageId: '0x02', createdAt: t - 61_000 })).rejects.toMatchObject({
      code: 'ERR_MESSAGE_STALE',
    })
    await expect(guard.check({ sender, messageId: '0x03', createdAt: t + 5_000 })).rejects.toMatchObject({
      code: 'ERR_MESSAGE_FUTURE',
    })
    t += 120_000
    await guard.check({ sender, messageId: '0x01', createdAt: t })
  })

  it('a message not for me: a keyring without the receiver key', async () => {
    const b = await backend('webcrypto')
    const m = v.messages.find((x) => x.receiver === 'bob')!
    const e = await failure(
      decryptMessage(m.encrypted, { keys: ring('alice', b), now: () => 1_700_000_000_000 }),
    )
    expect(e.code).toBe('ERR_KEY_UNAVAILABLE')
  })

  it.each([
    ['null', null, 'ERR_ENVELOPE_INVALID'],
    ['a string', 'hello', 'ERR_ENVELOPE_INVALID'],
    ['an empty object', {}, 'ERR_ENVELOPE_INVALID'],
    ['non-hex ciphertext', { ...v.messages[0]!.encrypted, ciphertext: '0xzz' }, 'ERR_ENVELOPE_INVALID'],
    ['a short nonce', { ...v.messages[0]!.encrypted, nonce: '0x0102' }, 'ERR_ENVELOPE_INVALID'],
    ['an unknown key', { ...v.messages[0]!.encrypted, extra: 1 }, 'ERR_ENVELOPE_INVALID'],
    [
      'a non-KILT sender key',
      { ...v.messages[0]!.encrypted, senderKeyUri: 'did:web:x#k' },
      'ERR_ENVELOPE_INVALID',
    ],
  ])('malformed envelope: %s → coded error', async (_what, envelope, code) => {
    const b = await backend('webcrypto')
    const e = await failure(decryptMessage(envelope, { keys: ring('bob', b) }))
    expect(e.code).toBe(code)
    expect(e).toBeInstanceOf(MessagingError)
  })

  it('bad options and bodies → coded errors', async () => {
    await expect(
      decryptMessage(v.messages[0]!.encrypted, null as unknown as DecryptMessageOptions),
    ).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
    })
    expect(() =>
      createMessage({ type: 'no-such-type', content: {} } as never, {
        sender: alice.uri as Message['sender'],
        receiver: bob.uri as Message['receiver'],
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_BODY_TYPE_UNKNOWN' }))
    expect(() =>
      createMessage({ type: 'request-terms', content: {} } as never, {
        sender: 'did:kilt:nope' as Message['sender'],
        receiver: bob.uri as Message['receiver'],
      }),
    ).toThrow(MessagingError)
  })
})
