/**
 * Secrets never leak: JSON, util.inspect, Object.keys, spread, structuredClone, error messages; zeroize.
 */
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { isMessagingError } from '../../src/errors.js'
import {
  deriveEd25519,
  deriveSr25519,
  ed25519FromSeed,
  keysFromMnemonic,
  mnemonicToMiniSecret,
  randomSigningKeyPair,
  randomX25519,
  sr25519FromSeed,
  x25519FromSeed,
  zeroize,
} from '../../src/keys/index.js'
import { toHex, utf8 } from '../../src/lib/bytes.js'
import { thrownCode } from '../helpers/expect-error.js'

const PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk'

function pairs() {
  const keys = keysFromMnemonic(PHRASE, { derivation: 'sporran' })
  const docs = keysFromMnemonic(PHRASE, { derivation: 'kilt-docs' })
  return [
    sr25519FromSeed(new Uint8Array(32).fill(0x11)),
    ed25519FromSeed(new Uint8Array(32).fill(0x33)),
    x25519FromSeed(new Uint8Array(32).fill(0x22)),
    randomX25519(),
    randomSigningKeyPair('sr25519'),
    randomSigningKeyPair('ed25519'),
    deriveSr25519(sr25519FromSeed(new Uint8Array(32).fill(1)), '//a/b'),
    deriveEd25519(ed25519FromSeed(new Uint8Array(32).fill(1)), '//a'),
    keys.authentication,
    keys.keyAgreement,
    keys.assertionMethod!,
    docs.authentication,
    docs.keyAgreement,
    docs.capabilityDelegation!,
  ]
}

/** The hex of the secret without 0x, and of its first 16 bytes (catches partial dumps). */
function secretNeedles(secret: Uint8Array): string[] {
  return [toHex(secret).slice(2), toHex(secret.subarray(0, 16)).slice(2)]
}
function decimalNeedle(secret: Uint8Array): string {
  return Array.from(secret.subarray(0, 8)).join(', ')
}

describe('secret hygiene', () => {
  it.each(pairs().map((p, i) => [i, p] as const))('pair %i hides its secret everywhere', (_, pair) => {
    const needles = secretNeedles(pair.secretKey)
    const json = JSON.stringify(pair)
    expect(JSON.parse(json)).toEqual({ type: pair.type, publicKey: toHex(pair.publicKey) })
    const views = [
      json,
      JSON.stringify({ nested: [pair] }),
      inspect(pair),
      inspect(pair, { showHidden: true, depth: 10 }),
      inspect({ wrapper: pair }, { showHidden: true, depth: 10 }),
      String(pair),
      `${pair}`,
      JSON.stringify({ ...pair }),
      inspect({ ...pair }, { depth: 10 }),
      inspect(structuredClone(pair), { showHidden: true }),
    ]
    for (const view of views) {
      for (const needle of needles) expect(view).not.toContain(needle)
      expect(view).not.toContain(decimalNeedle(pair.secretKey))
    }
    expect(inspect(pair)).toContain(toHex(pair.publicKey))
    expect(inspect(pair)).toContain('<redacted>')
    expect(Object.keys(pair)).not.toContain('secretKey')
    expect(Object.keys({ ...pair })).not.toContain('secretKey')
    expect(Object.getOwnPropertyDescriptor(pair, 'secretKey')?.enumerable).toBe(false)
    expect('secretKey' in structuredClone(pair)).toBe(false)
    // still usable by whoever holds the pair
    expect(pair.secretKey).toBeInstanceOf(Uint8Array)
  })

  it('secretKey cannot be replaced', () => {
    const pair = x25519FromSeed(new Uint8Array(32).fill(7))
    expect(() => {
      ;(pair as { secretKey: Uint8Array }).secretKey = new Uint8Array(32)
    }).toThrow(TypeError)
    expect(pair.secretKey[0]).toBe(7)
  })

  it('error messages never contain the mnemonic, password, path or secrets', () => {
    const words = PHRASE.split(' ')
    const broken = [...words.slice(0, 11), 'bottom'].join(' ')
    const messages: string[] = []
    const capture = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        expect(isMessagingError(e)).toBe(true)
        messages.push(String((e as Error).message), JSON.stringify(e), inspect(e))
        expect((e as Error).cause).toBeUndefined()
      }
    }
    capture(() => mnemonicToMiniSecret(broken))
    capture(() => mnemonicToMiniSecret(`${PHRASE} zzzsecretword`))
    capture(() => keysFromMnemonic(`secretword ${PHRASE.slice(7)}`, { derivation: 'sporran' }))
    capture(() => mnemonicToMiniSecret(PHRASE, 'p'.repeat(5000)))
    capture(() => deriveSr25519(sr25519FromSeed(new Uint8Array(32).fill(0x5a)), 'secretpath//x'))
    capture(() => deriveEd25519(ed25519FromSeed(new Uint8Array(32).fill(0x5a)), '//x/secretsoft'))
    const sr = sr25519FromSeed(new Uint8Array(32).fill(0x5a))
    capture(() => deriveEd25519(sr, '//x'))
    zeroize(sr)
    capture(() => sr.sign(utf8('x')))
    expect(messages.length).toBeGreaterThanOrEqual(24)
    const all = messages.join('\n')
    for (const w of [
      'drive',
      'obey',
      'curtain',
      'zzzsecretword',
      'secretword',
      'ppppp',
      'secretpath',
      'secretsoft',
    ])
      expect(all).not.toContain(w)
    expect(all).not.toContain('5a5a5a5a')
  })
})

describe('zeroize', () => {
  it('wipes the secret, and the pair then refuses to sign or derive', () => {
    const sr = sr25519FromSeed(new Uint8Array(32).fill(1))
    const ed = ed25519FromSeed(new Uint8Array(32).fill(1))
    const x = x25519FromSeed(new Uint8Array(32).fill(1))
    for (const p of [sr, ed, x]) {
      zeroize(p)
      expect(p.secretKey.every((b) => b === 0)).toBe(true)
      zeroize(p) // idempotent
    }
    expect(thrownCode(() => sr.sign(utf8('x')))).toBe('ERR_KEY_UNAVAILABLE')
    expect(thrownCode(() => ed.sign(utf8('x')))).toBe('ERR_KEY_UNAVAILABLE')
    expect(thrownCode(() => deriveSr25519(sr, '//a'))).toBe('ERR_KEY_UNAVAILABLE')
    expect(thrownCode(() => deriveEd25519(ed, '//a'))).toBe('ERR_KEY_UNAVAILABLE')
    expect(thrownCode(() => zeroize(null as never))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => zeroize({} as never))).toBe('ERR_ARGUMENT_INVALID')
  })
  it('wipes a whole key set', () => {
    const set = keysFromMnemonic(PHRASE, { derivation: 'kilt-docs' })
    zeroize(set)
    for (const p of [set.authentication, set.keyAgreement, set.assertionMethod!, set.capabilityDelegation!])
      expect(p.secretKey.every((b) => b === 0)).toBe(true)
  })
  it('derivation does not alias the parent secret', () => {
    const parent = sr25519FromSeed(new Uint8Array(32).fill(2))
    const same = deriveSr25519(parent, '')
    expect(toHex(same.secretKey)).toBe(toHex(parent.secretKey))
    zeroize(same)
    expect(parent.secretKey.some((b) => b !== 0)).toBe(true)
  })
})
