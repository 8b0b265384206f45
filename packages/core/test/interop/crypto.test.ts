/**
 * Every `messages[]` vector of the SDK 0.35.2 golden file: `seal(utf8(serializedPlaintext), nonce,
 * receiverPub, senderSecret)` reproduces `encrypted.ciphertext` byte for byte with every available
 * backend, and `open` recovers the plaintext; the keyring and tweetnacl agree.
 */
import nacl from 'tweetnacl'
import { beforeAll, describe, expect, it } from 'vitest'
import { availableBoxBackends, open, seal } from '../../src/crypto/index.js'
import type { BoxBackend } from '../../src/crypto/types.js'
import { createKeyring } from '../../src/keys/keyring.js'
import { fromHex, toHex, utf8 } from '../../src/lib/bytes.js'
import { loadVectors, vectorKeyAgreements, vectorKeyringEntries } from '../helpers/vectors.js'

const v = loadVectors()
let backends: BoxBackend[] = []
beforeAll(async () => {
  backends = await availableBoxBackends()
  expect(backends.length).toBeGreaterThanOrEqual(3)
})

describe('messages[] vectors', () => {
  it('has 24 vectors', () => {
    expect(v.messages).toHaveLength(24)
  })

  for (const m of v.messages) {
    it(`${m.id}: seal reproduces the ciphertext and open recovers it, with every backend`, async () => {
      const sender = v.dids[m.sender].keyAgreement
      const receiver = v.dids[m.receiver].keyAgreement
      const nonce = fromHex(m.encrypted.nonce)
      const plaintext = utf8(m.serializedPlaintext)
      const expected = fromHex(m.encrypted.ciphertext)
      expect(m.encrypted.senderKeyUri).toBe(sender.keyUri)
      expect(m.encrypted.receiverKeyUri).toBe(receiver.keyUri)
      // tweetnacl as the independent oracle
      expect(nacl.box(plaintext, nonce, fromHex(receiver.publicKey), fromHex(sender.secretKey))).toEqual(
        expected,
      )
      for (const b of backends) {
        const box = await seal(plaintext, nonce, fromHex(receiver.publicKey), fromHex(sender.secretKey), b)
        expect(toHex(box), b.name).toBe(m.encrypted.ciphertext)
        const opened = await open(expected, nonce, fromHex(sender.publicKey), fromHex(receiver.secretKey), b)
        expect(opened, b.name).toEqual(plaintext)
      }
    })
  }

  it('the keyring fast path reproduces and opens every vector', async () => {
    const entries = vectorKeyringEntries(v)
    for (const b of backends) {
      const ring = createKeyring(entries, { backend: b })
      for (const m of v.messages) {
        const sender = v.dids[m.sender].keyAgreement
        const receiver = v.dids[m.receiver].keyAgreement
        const nonce = fromHex(m.encrypted.nonce)
        const box = await ring.sealFor(
          sender.keyUri,
          fromHex(receiver.publicKey),
          utf8(m.serializedPlaintext),
          nonce,
        )
        expect(toHex(box)).toBe(m.encrypted.ciphertext)
        const opened = await ring.openFor(receiver.keyUri, fromHex(sender.publicKey), box, nonce)
        expect(new TextDecoder().decode(opened!)).toBe(m.serializedPlaintext)
      }
      ring.destroy()
    }
  })

  it('negative vectors that tamper the box or use the wrong key do not open', async () => {
    const boxFailures = v.negative.filter(
      (n: { error?: { name?: string } }) => n.error?.name === 'DecodingMessageError',
    )
    expect(boxFailures.length).toBeGreaterThan(0)
    const ring = createKeyring(vectorKeyringEntries(v), { backend: backends[0]! })
    let checked = 0
    for (const n of boxFailures) {
      const senderKey = vectorKeyAgreements(v).find((k) => k.keyUri === n.encrypted.senderKeyUri)
      if (senderKey === undefined || !ring.has(n.encrypted.receiverKeyUri)) continue
      const nonce = fromHex(n.encrypted.nonce)
      if (nonce.length !== 24) continue
      const opened = await ring.openFor(
        n.encrypted.receiverKeyUri,
        fromHex(senderKey.publicKey),
        fromHex(n.encrypted.ciphertext),
        nonce,
      )
      expect(opened, n.id).toBeNull()
      checked++
    }
    expect(checked).toBe(6)
  })
})
