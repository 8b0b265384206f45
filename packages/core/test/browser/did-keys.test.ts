/**
 * DIDs and keys in Chromium: light DIDs rebuilt byte-identically from the vector keys, W3C export,
 * signing pairs from the vector seeds, signatures, mnemonics and a keyring round trip on WebCrypto.
 */
import { expect, it } from 'vitest'
import { loadBoxBackend } from '../../src/crypto/backend.js'
import { createLightDid, exportToW3C, lightDidToDocument, parseDid } from '../../src/did/index.js'
import type { DidResourceUri } from '../../src/did/types.js'
import { createKeyring } from '../../src/keys/keyring.js'
import { generateMnemonic, keysFromMnemonic } from '../../src/keys/mnemonic.js'
import { ed25519FromSeed, randomSigningKeyPair, sr25519FromSeed } from '../../src/keys/signing-pairs.js'
import { verifySignature } from '../../src/keys/verify-signature.js'
import { randomX25519, x25519FromSeed } from '../../src/keys/x25519.js'
import { fromHex, toHex } from '../../src/lib/bytes.js'
import { describeInBrowser, type VectorDid, vectors as v } from './vectors.js'

const dids = Object.entries(v.dids) as Array<[string, VectorDid]>

describeInBrowser('light DIDs (dids.*)', () => {
  it.each(dids)('%s is rebuilt byte-identically and exports to its didDocumentJson', (_name, d) => {
    const service = d.lightDidParts.encodedDetailsDecoded?.cborDecoded?.s?.map((s) => ({
      ...s,
      id: `#${s.id}`,
    }))
    const authentication = [
      { type: d.authentication.type, publicKey: fromHex(d.authentication.publicKey) },
    ] as const
    const keyAgreement = d.keyAgreement
      ? ([{ type: 'x25519', publicKey: fromHex(d.keyAgreement.publicKey) }] as const)
      : undefined
    const doc = createLightDid({
      authentication: [...authentication] as never,
      ...(keyAgreement && { keyAgreement: [...keyAgreement] as never }),
      ...(service && { service: service as never }),
    })
    expect(doc.uri).toBe(d.uri)
    expect(createLightDid({ authentication: [...authentication] as never }).uri).toBe(d.shortUri)
    expect(exportToW3C(lightDidToDocument(d.uri))).toStrictEqual(d.didDocumentJson)
    expect(parseDid(d.uri).did).toBe(d.uri)
  })

  it('malformed DIDs → coded errors', () => {
    for (const bad of ['did:kilt:light:99xyz', 'did:web:example.com', 'did:kilt:', '', 42]) {
      expect(() => parseDid(bad as string)).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^ERR_/) }),
      )
    }
  })
})

describeInBrowser('keys and signatures', () => {
  it.each(dids)(
    '%s: the signing pair from its seed has the recorded public key; it signs and verifies',
    (_n, d) => {
      const seed = fromHex(d.authentication.seed)
      const pair = d.authentication.type === 'sr25519' ? sr25519FromSeed(seed) : ed25519FromSeed(seed)
      expect(toHex(pair.publicKey)).toBe(d.authentication.publicKey)
      const message = new TextEncoder().encode(`browser ${d.uri}`)
      const signature = pair.sign(message)
      expect(signature).toHaveLength(64)
      const input = { type: pair.type, publicKey: pair.publicKey, message, signature }
      expect(verifySignature(input)).toBe(true)
      const flipped = Uint8Array.from(signature)
      flipped[0]! ^= 1
      expect(verifySignature({ ...input, signature: flipped })).toBe(false)
      expect(verifySignature({ ...input, message: new TextEncoder().encode('other') })).toBe(false)
      if (d.keyAgreement)
        expect(toHex(x25519FromSeed(fromHex(d.keyAgreement.secretKey)).publicKey)).toBe(
          d.keyAgreement.publicKey,
        )
    },
  )

  it('bad key input → coded errors', () => {
    expect(() => sr25519FromSeed(new Uint8Array(5))).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^ERR_/) }),
    )
    expect(() => randomSigningKeyPair('ecdsa' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_TYPE_UNSUPPORTED' }),
    )
    expect(() => keysFromMnemonic('not a mnemonic at all', { derivation: 'sporran' })).toThrow(
      expect.objectContaining({ code: 'ERR_MNEMONIC_INVALID' }),
    )
  })

  it('mnemonic derivations are deterministic in the browser', () => {
    const phrase = generateMnemonic(12)
    for (const derivation of ['sporran', 'kilt-docs'] as const) {
      const a = keysFromMnemonic(phrase, { derivation })
      const b = keysFromMnemonic(phrase, { derivation })
      expect(toHex(a.authentication.publicKey)).toBe(toHex(b.authentication.publicKey))
      expect(toHex(a.keyAgreement.publicKey)).toBe(toHex(b.keyAgreement.publicKey))
    }
  })
})

describeInBrowser('keyring round trip on the WebCrypto backend', () => {
  it('seals with one keyring, opens with the other; both agree with noble', async () => {
    const webcrypto = await loadBoxBackend('webcrypto')
    const noble = await loadBoxBackend('noble')
    expect(webcrypto?.name).toBe('webcrypto')
    const auth = [randomSigningKeyPair('sr25519'), randomSigningKeyPair('ed25519')]
    const ka = [randomX25519(), randomX25519()]
    const docs = auth.map((a, i) =>
      createLightDid({
        authentication: [{ type: a.type, publicKey: a.publicKey }] as never,
        keyAgreement: [{ type: 'x25519', publicKey: ka[i]!.publicKey }] as never,
      }),
    )
    const uri = (i: number): DidResourceUri => `${docs[i]!.uri}#encryption` as DidResourceUri
    const a = createKeyring([{ keyUri: uri(0), secretKey: ka[0]!.secretKey }], { backend: webcrypto! })
    const b = createKeyring([{ keyUri: uri(1), secretKey: ka[1]!.secretKey }], { backend: webcrypto! })
    const bNoble = createKeyring([{ keyUri: uri(1), secretKey: ka[1]!.secretKey }], { backend: noble! })
    const plaintext = new TextEncoder().encode('hello from chromium ✓')
    const nonce = crypto.getRandomValues(new Uint8Array(24))
    const box = await a.sealFor(uri(0), ka[1]!.publicKey, plaintext, nonce)
    expect(box.length).toBe(plaintext.length + 16)
    expect(await b.openFor(uri(1), ka[0]!.publicKey, box, nonce)).toEqual(plaintext)
    expect(await bNoble.openFor(uri(1), ka[0]!.publicKey, box, nonce)).toEqual(plaintext)
    const bad = Uint8Array.from(box)
    bad[bad.length - 1]! ^= 1
    expect(await b.openFor(uri(1), ka[0]!.publicKey, bad, nonce)).toBeNull()

    // KILT callbacks
    const enc = await a.encrypt({ data: plaintext, peerPublicKey: ka[1]!.publicKey, did: docs[0]!.uri })
    expect(enc.keyUri).toBe(uri(0))
    const dec = await b.decrypt({
      data: enc.data,
      nonce: enc.nonce,
      peerPublicKey: ka[0]!.publicKey,
      keyUri: uri(1),
    })
    expect(dec.data).toEqual(plaintext)

    a.destroy()
    await expect((async () => a.sealFor(uri(0), ka[1]!.publicKey, plaintext, nonce))()).rejects.toMatchObject(
      { code: 'ERR_KEY_UNAVAILABLE' },
    )
  })
})
