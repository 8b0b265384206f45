/**
 * Derivation paths and mnemonics: well-known Substrate development vectors, path grammar, errors.
 * Vectors: the Substrate dev phrase and its `//Alice`, `//Bob` keys (as printed by `subkey inspect`).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  deriveEd25519,
  deriveSr25519,
  ed25519FromSeed,
  generateMnemonic,
  isValidMnemonic,
  keysFromMnemonic,
  mnemonicToMiniSecret,
  sr25519FromSeed,
  verifySignature,
} from '../../src/keys/index.js'
import { fromHex, toHex, utf8 } from '../../src/lib/bytes.js'
import { thrownCode } from '../helpers/expect-error.js'

const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk'
const DEV_MINI_SECRET = '0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e'
const ALICE_SR25519 = '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d'
const BOB_SR25519 = '0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48'
const ALICE_ED25519 = '0x88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee'

describe('Substrate dev vectors', () => {
  it('mini secret of the dev phrase', () => {
    expect(toHex(mnemonicToMiniSecret(DEV_PHRASE))).toBe(DEV_MINI_SECRET)
  })
  it('//Alice and //Bob (sr25519), //Alice (ed25519)', () => {
    const mini = fromHex(DEV_MINI_SECRET)
    expect(toHex(deriveSr25519(sr25519FromSeed(mini), '//Alice').publicKey)).toBe(ALICE_SR25519)
    expect(toHex(deriveSr25519(sr25519FromSeed(mini), '//Bob').publicKey)).toBe(BOB_SR25519)
    expect(toHex(deriveEd25519(ed25519FromSeed(mini), '//Alice').publicKey)).toBe(ALICE_ED25519)
  })
  it('a password changes the mini secret', () => {
    expect(toHex(mnemonicToMiniSecret(DEV_PHRASE, 'pw'))).not.toBe(DEV_MINI_SECRET)
    expect(toHex(mnemonicToMiniSecret(DEV_PHRASE, ''))).toBe(DEV_MINI_SECRET)
  })
})

describe('derivation', () => {
  const base = sr25519FromSeed(new Uint8Array(32).fill(1))
  it('is deterministic, including soft junctions', () => {
    for (const path of ['//a', '/a', '//a/b//0/0x01', '/1/2/3']) {
      const a = deriveSr25519(base, path)
      const b = deriveSr25519(base, path)
      expect(toHex(a.publicKey)).toBe(toHex(b.publicKey))
      expect(toHex(a.secretKey)).toBe(toHex(b.secretKey))
    }
  })
  it('composes: deriving a then b equals deriving ab', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('//a', '/b', '//0', '/0x1234'),
        fc.constantFrom('//c', '/d', '//7'),
        (p, q) => {
          const stepwise = deriveSr25519(deriveSr25519(base, p), q)
          expect(toHex(stepwise.publicKey)).toBe(toHex(deriveSr25519(base, p + q).publicKey))
        },
      ),
      { numRuns: 12 },
    )
  })
  it('hard and soft, numbers and strings give distinct keys', () => {
    const keys = ['//1', '/1', '//one', '/one', '//0x01', '//01'].map((p) =>
      toHex(deriveSr25519(base, p).publicKey),
    )
    // '//1', '//0x01' and '//01' share a chain code (number 1 and byte 0x01 are both 01 00 … 00)
    expect(keys[0]).toBe(keys[4])
    expect(keys[0]).toBe(keys[5])
    expect(new Set([keys[0], keys[1], keys[2], keys[3]]).size).toBe(4)
  })
  it('derived keys sign and verify', () => {
    const d = deriveSr25519(base, '//did//0')
    const m = utf8('derived')
    expect(
      verifySignature({ type: 'sr25519', publicKey: d.publicKey, message: m, signature: d.sign(m) }),
    ).toBe(true)
    const e = deriveEd25519(ed25519FromSeed(new Uint8Array(32).fill(1)), '//x')
    expect(
      verifySignature({ type: 'ed25519', publicKey: e.publicKey, message: m, signature: e.sign(m) }),
    ).toBe(true)
  })
  it('rejects malformed paths and wrong pairs with stable codes', () => {
    for (const path of ['a', '//a/', '///pw', '//a///b', '/', '//', ' //a', '/'.repeat(3)])
      expect(thrownCode(() => deriveSr25519(base, path))).toBe('ERR_ARGUMENT_INVALID')
    // as in polkadot, a space is part of a junction
    expect(toHex(deriveSr25519(base, '//a ').publicKey)).not.toBe(toHex(deriveSr25519(base, '//a').publicKey))
    expect(thrownCode(() => deriveSr25519(base, `//${'9'.repeat(78)}`))).toBe('ERR_ARGUMENT_INVALID') // > 2^256
    expect(thrownCode(() => deriveSr25519(base, `//${'9'.repeat(77)}`))).toBeUndefined() // < 2^256
    expect(thrownCode(() => deriveSr25519(base, `//${'a'.repeat(3000)}`))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => deriveSr25519(base, 1 as unknown as string))).toBe('ERR_ARGUMENT_INVALID')
    const ed = ed25519FromSeed(new Uint8Array(32))
    expect(thrownCode(() => deriveSr25519(ed, '//a'))).toBe('ERR_KEY_TYPE_UNSUPPORTED')
    expect(thrownCode(() => deriveEd25519(base, '//a'))).toBe('ERR_KEY_TYPE_UNSUPPORTED')
    expect(thrownCode(() => deriveEd25519(ed, '/soft'))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => deriveSr25519(null as never, '//a'))).toBe('ERR_ARGUMENT_INVALID')
    const fake = {
      type: 'sr25519',
      publicKey: new Uint8Array(32),
      secretKey: new Uint8Array(10),
      sign: () => new Uint8Array(),
    }
    expect(thrownCode(() => deriveSr25519(fake as never, '//a'))).toBe('ERR_KEY_INVALID')
    // a hand-made pair whose scalar half is out of range (0, or >= the group order)
    for (const fill of [0x00, 0xab, 0xff])
      for (const path of ['', '/soft']) {
        const bad = { ...fake, secretKey: new Uint8Array(64).fill(fill) }
        expect(thrownCode(() => deriveSr25519(bad as never, path))).toBe('ERR_KEY_INVALID')
      }
  })
  it('the empty path gives the same key', () => {
    expect(toHex(deriveSr25519(base, '').publicKey)).toBe(toHex(base.publicKey))
  })
})

describe('mnemonics', () => {
  it('generates valid phrases of the requested length', () => {
    for (const n of [12, 15, 18, 21, 24] as const) {
      const phrase = generateMnemonic(n)
      expect(phrase.split(' ')).toHaveLength(n)
      expect(isValidMnemonic(phrase)).toBe(true)
    }
    expect(generateMnemonic().split(' ')).toHaveLength(12)
    expect(generateMnemonic()).not.toBe(generateMnemonic())
    expect(thrownCode(() => generateMnemonic(13 as 12))).toBe('ERR_ARGUMENT_INVALID')
  })
  it('rejects invalid phrases with ERR_MNEMONIC_INVALID', () => {
    const words = DEV_PHRASE.split(' ')
    const invalid = [
      '',
      'hello',
      [...words.slice(0, 11), 'bottom'].join(' '), // checksum
      words.slice(0, 11).join(' '), // count
      `${DEV_PHRASE} walk`,
      DEV_PHRASE.replace('drive', 'drivx'), // not a word
      'x'.repeat(5000),
    ]
    for (const phrase of invalid) {
      expect(isValidMnemonic(phrase)).toBe(false)
      expect(thrownCode(() => mnemonicToMiniSecret(phrase))).toBe('ERR_MNEMONIC_INVALID')
      expect(thrownCode(() => keysFromMnemonic(phrase, { derivation: 'sporran' }))).toBe(
        'ERR_MNEMONIC_INVALID',
      )
    }
    expect(thrownCode(() => mnemonicToMiniSecret(42 as unknown as string))).toBe('ERR_ARGUMENT_INVALID')
    expect(isValidMnemonic(42 as unknown as string)).toBe(false)
    expect(thrownCode(() => mnemonicToMiniSecret(DEV_PHRASE, 42 as unknown as string))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
  })
  it('validates options', () => {
    expect(thrownCode(() => keysFromMnemonic(DEV_PHRASE, undefined as never))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => keysFromMnemonic(DEV_PHRASE, { derivation: 'polkadot' as 'sporran' }))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
  })
  it('kilt-docs: ed25519 auth from the mini secret, x25519 with the mini secret, //attestation, //delegation', () => {
    const mini = fromHex(DEV_MINI_SECRET)
    const keys = keysFromMnemonic(DEV_PHRASE, { derivation: 'kilt-docs' })
    expect(keys.authentication.type).toBe('ed25519')
    expect(toHex(keys.authentication.secretKey)).toBe(DEV_MINI_SECRET)
    expect(toHex(keys.keyAgreement.secretKey)).toBe(DEV_MINI_SECRET)
    const auth = ed25519FromSeed(mini)
    expect(toHex(keys.assertionMethod!.publicKey)).toBe(toHex(deriveEd25519(auth, '//attestation').publicKey))
    expect(toHex(keys.capabilityDelegation!.publicKey)).toBe(
      toHex(deriveEd25519(auth, '//delegation').publicKey),
    )
  })
  it('sporran: sr25519 //did//0 auth, //did//assertion//0, hashed //did//keyAgreement//0', () => {
    const base = sr25519FromSeed(fromHex(DEV_MINI_SECRET))
    const keys = keysFromMnemonic(DEV_PHRASE, { derivation: 'sporran' })
    expect(keys.authentication.type).toBe('sr25519')
    expect(toHex(keys.authentication.publicKey)).toBe(toHex(deriveSr25519(base, '//did//0').publicKey))
    expect(toHex(keys.assertionMethod!.publicKey)).toBe(
      toHex(deriveSr25519(base, '//did//assertion//0').publicKey),
    )
    expect(keys.capabilityDelegation).toBeUndefined()
    expect(keys.keyAgreement.type).toBe('x25519')
    // x25519 secret is not the sr25519 secret itself
    expect(toHex(keys.keyAgreement.secretKey)).not.toBe(
      toHex(deriveSr25519(base, '//did//keyAgreement//0').secretKey.subarray(0, 32)),
    )
  })
})
