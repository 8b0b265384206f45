/**
 * Interop of the keys area with `@kiltprotocol/sdk-js@0.35.2` and `@polkadot/util-crypto` as oracles:
 * public keys, expanded secrets, signatures both ways, derivation paths and mnemonic recipes.
 */
import * as Kilt from '@kiltprotocol/sdk-js'
import {
  blake2AsU8a,
  cryptoWaitReady,
  ed25519PairFromSeed,
  keyExtractPath,
  keyFromPath,
  mnemonicGenerate,
  mnemonicValidate,
  mnemonicToMiniSecret as pdMnemonicToMiniSecret,
  signatureVerify,
  sr25519PairFromSeed,
} from '@polkadot/util-crypto'
import { entropyToMnemonic } from '@polkadot/util-crypto/mnemonic/bip39'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { isMessagingError } from '../../src/errors.js'
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
  x25519FromSeed,
} from '../../src/keys/index.js'
import { toHex } from '../../src/lib/bytes.js'

beforeAll(async () => {
  await cryptoWaitReady()
})

/** The parts of polkadot's KeyringPair used here (its type does not resolve under the test tsconfig). */
interface PdPair {
  readonly address: string
  readonly publicKey: Uint8Array
  readonly type: string
  sign(message: Uint8Array): Uint8Array
  derive(path: string): PdPair
}
/** `Kilt.Utils.Crypto.makeKeypairFromSeed(seed, type)`; without a type the keyring default (ed25519) applies. */
function sdkPair(seed: Uint8Array, type?: 'sr25519' | 'ed25519'): PdPair {
  return Kilt.Utils.Crypto.makeKeypairFromSeed(seed, type) as unknown as PdPair
}

const seed32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const message = fc.uint8Array({ minLength: 0, maxLength: 300 })
const RUNS = 25

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes)
  const i = bit % (out.length * 8)
  out[i >> 3]! ^= 1 << (i & 7)
  return out
}

describe('key pairs agree with the SDK', () => {
  it('sr25519: public key and 64-byte secret equal Kilt makeKeypairFromSeed / polkadot sr25519PairFromSeed', () => {
    fc.assert(
      fc.property(seed32, (seed) => {
        const ours = sr25519FromSeed(seed)
        expect(toHex(ours.publicKey)).toBe(toHex(sdkPair(seed, 'sr25519').publicKey))
        expect(toHex(ours.secretKey)).toBe(toHex(sr25519PairFromSeed(seed).secretKey))
      }),
      { numRuns: RUNS },
    )
  })
  it('ed25519: public key equals Kilt makeKeypairFromSeed(seed, "ed25519")', () => {
    fc.assert(
      fc.property(seed32, (seed) => {
        expect(toHex(ed25519FromSeed(seed).publicKey)).toBe(toHex(sdkPair(seed, 'ed25519').publicKey))
      }),
      { numRuns: RUNS },
    )
  })
  it('x25519: pair equals Kilt makeEncryptionKeypairFromSeed', () => {
    fc.assert(
      fc.property(seed32, (seed) => {
        const theirs = Kilt.Utils.Crypto.makeEncryptionKeypairFromSeed(seed)
        const ours = x25519FromSeed(seed)
        expect(toHex(ours.publicKey)).toBe(toHex(theirs.publicKey))
        expect(toHex(ours.secretKey)).toBe(toHex(theirs.secretKey))
      }),
      { numRuns: RUNS },
    )
  })
})

describe('signatures agree with polkadot', () => {
  for (const type of ['sr25519', 'ed25519'] as const) {
    it(`${type}: ours verify with signatureVerify, tampered ones do not`, () => {
      fc.assert(
        fc.property(seed32, message, fc.nat(), (seed, msg, bit) => {
          const pair = type === 'sr25519' ? sr25519FromSeed(seed) : ed25519FromSeed(seed)
          const signature = pair.sign(msg)
          const result = signatureVerify(msg, signature, pair.publicKey)
          expect(result.isValid).toBe(true)
          expect(result.crypto).toBe(type)
          const bad = flipBit(signature, bit)
          expect(signatureVerify(msg, bad, pair.publicKey).isValid).toBe(false)
          expect(verifySignature({ type, publicKey: pair.publicKey, message: msg, signature: bad })).toBe(
            false,
          )
        }),
        { numRuns: RUNS },
      )
    })
    it(`${type}: polkadot's signatures verify with ours, also under the SDK verifier`, () => {
      fc.assert(
        fc.property(seed32, message, fc.nat(), (seed, msg, bit) => {
          const theirs = sdkPair(seed, type)
          const signature = theirs.sign(msg)
          expect(verifySignature({ type, publicKey: theirs.publicKey, message: msg, signature })).toBe(true)
          // The SDK's own verifier agrees on our signature.
          const ours = type === 'sr25519' ? sr25519FromSeed(seed) : ed25519FromSeed(seed)
          expect(Kilt.Utils.Crypto.verify(msg, ours.sign(msg), theirs.address)).toBeUndefined()
          if (msg.length > 0) {
            const tampered = flipBit(msg, bit)
            expect(verifySignature({ type, publicKey: theirs.publicKey, message: tampered, signature })).toBe(
              false,
            )
          }
        }),
        { numRuns: RUNS },
      )
    })
  }
  it('cross-type: an sr25519 signature does not verify as ed25519 and vice versa', () => {
    fc.assert(
      fc.property(seed32, message, (seed, msg) => {
        const sr = sr25519FromSeed(seed)
        const ed = ed25519FromSeed(seed)
        expect(
          verifySignature({
            type: 'ed25519',
            publicKey: sr.publicKey,
            message: msg,
            signature: sr.sign(msg),
          }),
        ).toBe(false)
        expect(
          verifySignature({
            type: 'sr25519',
            publicKey: ed.publicKey,
            message: msg,
            signature: ed.sign(msg),
          }),
        ).toBe(false)
      }),
      { numRuns: 10 },
    )
  })
})

// Junction segments covering every chain-code rule of polkadot's DeriveJunction.
const segment = fc.oneof(
  fc.nat({ max: 1_000_000 }).map(String), // small numbers
  fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map(String), // up to 256 bits
  fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => toHex(b)), // hex, incl. '0x' and > 32 bytes
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => toHex(b).toUpperCase().replace('0X', '0x')),
  fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_.-]{0,40}$/), // short and long (> 31 bytes) strings
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/')), // unicode
  fc.constantFrom('did', 'keyAgreement', 'assertion', '0', '0x', '0x1', '007', 'attestation'),
  // Boundaries of the 32-byte chain code: 31/32-char strings (32/33 bytes with the compact prefix),
  // 32/33-byte hex, 2^256 - 1.
  fc.constantFrom(
    'a'.repeat(31),
    'b'.repeat(32),
    `0x${'ab'.repeat(32)}`,
    `0x${'cd'.repeat(33)}`,
    String((1n << 256n) - 1n),
  ),
)
const junction = fc.record({ hard: fc.boolean(), code: segment })
const pathOf = (js: { hard: boolean; code: string }[]) =>
  js.map((j) => (j.hard ? '//' : '/') + j.code).join('')

describe('derivation paths agree with polkadot keyFromPath', () => {
  it('sr25519: public keys match for random hard/soft paths; secrets match for hard-only paths', () => {
    fc.assert(
      fc.property(seed32, fc.array(junction, { minLength: 0, maxLength: 4 }), (seed, js) => {
        const path = pathOf(js)
        const theirs = keyFromPath(sr25519PairFromSeed(seed), keyExtractPath(path).path, 'sr25519')
        const ours = deriveSr25519(sr25519FromSeed(seed), path)
        expect(toHex(ours.publicKey)).toBe(toHex(theirs.publicKey))
        if (js.every((j) => j.hard)) expect(toHex(ours.secretKey)).toBe(toHex(theirs.secretKey))
        // A derived key signs for its derived public key (polkadot verifies).
        expect(signatureVerify(seed, ours.sign(seed), theirs.publicKey).isValid).toBe(true)
      }),
      { numRuns: 40 },
    )
  })
  it('sr25519: keyring pair.derive gives the same keys (Sporran paths)', () => {
    fc.assert(
      fc.property(
        seed32,
        fc.constantFrom('//did//0', '//did//assertion//0', '//did//keyAgreement//0', '/soft//1'),
        (seed, path) => {
          const theirs = sdkPair(seed, 'sr25519').derive(path)
          expect(toHex(deriveSr25519(sr25519FromSeed(seed), path).publicKey)).toBe(toHex(theirs.publicKey))
        },
      ),
      { numRuns: 12 },
    )
  })
  it('ed25519: hard paths match keyFromPath (secret seed and public key) and keyring derive', () => {
    fc.assert(
      fc.property(seed32, fc.array(segment, { minLength: 0, maxLength: 4 }), (seed, codes) => {
        const path = codes.map((c) => `//${c}`).join('')
        const theirs = keyFromPath(ed25519PairFromSeed(seed), keyExtractPath(path).path, 'ed25519')
        const ours = deriveEd25519(ed25519FromSeed(seed), path)
        expect(toHex(ours.publicKey)).toBe(toHex(theirs.publicKey))
        expect(toHex(ours.secretKey)).toBe(toHex(theirs.secretKey.subarray(0, 32)))
        const viaKeyring = sdkPair(seed, 'ed25519').derive(path)
        expect(toHex(ours.publicKey)).toBe(toHex(viaKeyring.publicKey))
      }),
      { numRuns: 40 },
    )
  })
  it('ed25519: soft junctions are rejected, as polkadot does', () => {
    const pair = ed25519FromSeed(new Uint8Array(32).fill(7))
    expect(() =>
      keyFromPath(ed25519PairFromSeed(pair.secretKey), keyExtractPath('//a/b').path, 'ed25519'),
    ).toThrow()
    expect(() => deriveEd25519(pair, '//a/b')).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
  })
  it('accepts exactly the paths polkadot keyExtractPath accepts', () => {
    const base = sr25519FromSeed(new Uint8Array(32).fill(9))
    fc.assert(
      fc.property(fc.stringMatching(/^[/a0x]{0,8}$/), (path) => {
        let theirsOk = true
        try {
          keyExtractPath(path)
        } catch {
          theirsOk = false
        }
        let oursOk = true
        try {
          deriveSr25519(base, path)
        } catch (e) {
          expect(isMessagingError(e, 'ERR_ARGUMENT_INVALID')).toBe(true)
          oursOk = false
        }
        expect(oursOk).toBe(theirsOk)
      }),
      { numRuns: 150 },
    )
  })
})

// The two wallet recipes, computed with the SDK and polkadot utilities only.
function kiltDocsWithSdk(mnemonic: string, password: string) {
  const authentication = sdkPair(pdMnemonicToMiniSecret(mnemonic, password))
  const encryption = Kilt.Utils.Crypto.makeEncryptionKeypairFromSeed(
    pdMnemonicToMiniSecret(mnemonic, password),
  )
  return {
    authentication,
    encryption,
    attestation: authentication.derive('//attestation'),
    delegation: authentication.derive('//delegation'),
  }
}
function sporranWithSdk(mnemonic: string, password: string) {
  const seed = pdMnemonicToMiniSecret(mnemonic, password)
  const baseKey = sdkPair(seed, 'sr25519')
  const { secretKey } = keyFromPath(
    sr25519PairFromSeed(seed),
    keyExtractPath('//did//keyAgreement//0').path,
    'sr25519',
  )
  return {
    authentication: baseKey.derive('//did//0'),
    encryption: Kilt.Utils.Crypto.makeEncryptionKeypairFromSeed(blake2AsU8a(secretKey)),
    assertion: baseKey.derive('//did//assertion//0'),
  }
}

const entropy = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.uint8Array({ minLength: 20, maxLength: 20 }),
)
// ASCII and Unicode passwords (wallets take any text; composed and decomposed forms must hash alike)
const password = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 16 }),
  fc.string({ maxLength: 8, unit: 'grapheme' }),
  fc.constantFrom('caf\u00e9', 'cafe\u0301', '\u{1F511}', '\u00c5ngstr\u00f6m'),
)

describe('mnemonics agree with polkadot and the wallet recipes', () => {
  it('mnemonicToMiniSecret equals polkadot (wasm) for random phrases and passwords', () => {
    fc.assert(
      fc.property(entropy, password, (ent, pw) => {
        const phrase = entropyToMnemonic(ent)
        expect(toHex(mnemonicToMiniSecret(phrase, pw))).toBe(toHex(pdMnemonicToMiniSecret(phrase, pw)))
      }),
      { numRuns: RUNS },
    )
  })
  it('kilt-docs: same public keys as docs generateKeypairs built with the SDK', () => {
    fc.assert(
      fc.property(entropy, password, (ent, pw) => {
        const phrase = entropyToMnemonic(ent)
        const theirs = kiltDocsWithSdk(phrase, pw)
        const ours = keysFromMnemonic(phrase, { derivation: 'kilt-docs', password: pw })
        expect(ours.authentication.type).toBe(theirs.authentication.type)
        expect(toHex(ours.authentication.publicKey)).toBe(toHex(theirs.authentication.publicKey))
        expect(toHex(ours.keyAgreement.publicKey)).toBe(toHex(theirs.encryption.publicKey))
        expect(toHex(ours.assertionMethod!.publicKey)).toBe(toHex(theirs.attestation.publicKey))
        expect(toHex(ours.capabilityDelegation!.publicKey)).toBe(toHex(theirs.delegation.publicKey))
      }),
      { numRuns: 15 },
    )
  })
  it('sporran: same public keys as Sporran identities.ts built with the SDK', () => {
    fc.assert(
      fc.property(entropy, password, (ent, pw) => {
        const phrase = entropyToMnemonic(ent)
        const theirs = sporranWithSdk(phrase, pw)
        const ours = keysFromMnemonic(phrase, { derivation: 'sporran', password: pw })
        expect(ours.authentication.type).toBe('sr25519')
        expect(toHex(ours.authentication.publicKey)).toBe(toHex(theirs.authentication.publicKey))
        expect(toHex(ours.keyAgreement.publicKey)).toBe(toHex(theirs.encryption.publicKey))
        expect(toHex(ours.keyAgreement.secretKey)).toBe(toHex(theirs.encryption.secretKey))
        expect(toHex(ours.assertionMethod!.publicKey)).toBe(toHex(theirs.assertion.publicKey))
        expect(ours.capabilityDelegation).toBeUndefined()
      }),
      { numRuns: 15 },
    )
  })
  it('polkadot-generated phrases work too, and ours validate in polkadot', () => {
    for (const words of [12, 24] as const) {
      const phrase = mnemonicGenerate(words)
      expect(toHex(mnemonicToMiniSecret(phrase))).toBe(toHex(pdMnemonicToMiniSecret(phrase)))
      const mine = generateMnemonic(words)
      expect(mine.split(' ')).toHaveLength(words)
      expect(mnemonicValidate(mine)).toBe(true)
    }
  })
  it('validity agrees with polkadot mnemonicValidate on mutated phrases', () => {
    fc.assert(
      fc.property(entropy, fc.nat(), fc.nat(), (ent, i, j) => {
        const words = entropyToMnemonic(ent).split(' ')
        // Swap two words or replace one by another list word: usually breaks the checksum.
        const a = i % words.length
        const b = j % words.length
        ;[words[a], words[b]] = [words[b]!, words[a]!]
        const phrase = words.join(' ')
        expect(isValidMnemonic(phrase)).toBe(mnemonicValidate(phrase))
      }),
      { numRuns: 60 },
    )
  })
})
