/**
 * Signing pairs, x25519 pairs and verifySignature: round trips, tampering, argument checks.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ed25519FromSeed,
  randomSigningKeyPair,
  randomX25519,
  sr25519FromSecretKey,
  sr25519FromSeed,
  verifySignature,
  x25519FromSeed,
} from '../../src/keys/index.js'
import { toHex, utf8 } from '../../src/lib/bytes.js'
import { thrownCode } from '../helpers/expect-error.js'

const seed32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const message = fc.uint8Array({ maxLength: 200 })
const makers = { sr25519: sr25519FromSeed, ed25519: ed25519FromSeed } as const

describe('sign / verify', () => {
  for (const type of ['sr25519', 'ed25519'] as const) {
    it(`${type}: round trip verifies; a flipped bit in signature, message or key does not`, () => {
      fc.assert(
        fc.property(seed32, message, fc.nat(), (seed, msg, bit) => {
          const pair = makers[type](seed)
          const signature = pair.sign(msg)
          expect(signature.length).toBe(64)
          expect(verifySignature({ type, publicKey: pair.publicKey, message: msg, signature })).toBe(true)
          const flip = (b: Uint8Array) => {
            const c = Uint8Array.from(b)
            const i = bit % (c.length * 8)
            c[i >> 3]! ^= 1 << (i & 7)
            return c
          }
          expect(
            verifySignature({ type, publicKey: pair.publicKey, message: msg, signature: flip(signature) }),
          ).toBe(false)
          if (msg.length > 0)
            expect(verifySignature({ type, publicKey: pair.publicKey, message: flip(msg), signature })).toBe(
              false,
            )
          expect(verifySignature({ type, publicKey: flip(pair.publicKey), message: msg, signature })).toBe(
            false,
          )
        }),
        { numRuns: 30 },
      )
    })
    it(`${type}: another key's signature does not verify`, () => {
      const a = randomSigningKeyPair(type)
      const b = randomSigningKeyPair(type)
      const msg = utf8('hello')
      expect(verifySignature({ type, publicKey: b.publicKey, message: msg, signature: a.sign(msg) })).toBe(
        false,
      )
    })
  }
  it('sr25519 signatures are randomized, ed25519 signatures deterministic', () => {
    const seed = new Uint8Array(32).fill(5)
    const msg = utf8('m')
    expect(toHex(sr25519FromSeed(seed).sign(msg))).not.toBe(toHex(sr25519FromSeed(seed).sign(msg)))
    expect(toHex(ed25519FromSeed(seed).sign(msg))).toBe(toHex(ed25519FromSeed(seed).sign(msg)))
  })
  it('garbage signatures give false, never throw', () => {
    const pair = sr25519FromSeed(new Uint8Array(32).fill(1))
    const ed = ed25519FromSeed(new Uint8Array(32).fill(1))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.constantFrom('sr25519', 'ed25519'), (sig, type) => {
        const publicKey = type === 'sr25519' ? pair.publicKey : ed.publicKey
        expect(verifySignature({ type, publicKey, message: utf8('x'), signature: sig })).toBe(false)
      }),
      { numRuns: 100 },
    )
    // 64 bytes with the schnorrkel marker but non-canonical s, all-0xff, all-zero
    for (const sig of [new Uint8Array(64).fill(0xff), new Uint8Array(64), new Uint8Array(64).fill(0x80)])
      for (const type of ['sr25519', 'ed25519'] as const)
        expect(verifySignature({ type, publicKey: pair.publicKey, message: utf8('x'), signature: sig })).toBe(
          false,
        )
  })
  it('a 32-byte public key that is not a valid point gives false', () => {
    const pair = sr25519FromSeed(new Uint8Array(32).fill(1))
    const sig = pair.sign(utf8('x'))
    for (const publicKey of [new Uint8Array(32).fill(0xff), new Uint8Array(32)])
      for (const type of ['sr25519', 'ed25519'] as const)
        expect(verifySignature({ type, publicKey, message: utf8('x'), signature: sig })).toBe(false)
  })
  it('rejects malformed arguments with stable codes', () => {
    const pk = new Uint8Array(32)
    const m = new Uint8Array(1)
    const s = new Uint8Array(64)
    const v = (input: unknown) =>
      thrownCode(() => verifySignature(input as Parameters<typeof verifySignature>[0]))
    expect(v(null)).toBe('ERR_ARGUMENT_INVALID')
    expect(v('x')).toBe('ERR_ARGUMENT_INVALID')
    expect(v({ type: 'ecdsa', publicKey: pk, message: m, signature: s })).toBe('ERR_KEY_TYPE_UNSUPPORTED')
    expect(v({ type: 'x25519', publicKey: pk, message: m, signature: s })).toBe('ERR_KEY_TYPE_UNSUPPORTED')
    expect(v({ type: 1, publicKey: pk, message: m, signature: s })).toBe('ERR_ARGUMENT_INVALID')
    expect(v({ type: 'sr25519', publicKey: new Uint8Array(33), message: m, signature: s })).toBe(
      'ERR_KEY_INVALID',
    )
    expect(v({ type: 'sr25519', publicKey: '0x00', message: m, signature: s })).toBe('ERR_ARGUMENT_INVALID')
    expect(v({ type: 'ed25519', publicKey: pk, message: 'hello', signature: s })).toBe('ERR_ARGUMENT_INVALID')
    expect(v({ type: 'ed25519', publicKey: pk, message: m, signature: [1, 2] })).toBe('ERR_ARGUMENT_INVALID')
  })
})

describe('pair construction', () => {
  it('rejects wrong seeds with stable codes', () => {
    for (const fn of [sr25519FromSeed, ed25519FromSeed, x25519FromSeed]) {
      expect(thrownCode(() => fn(new Uint8Array(31)))).toBe('ERR_KEY_INVALID')
      expect(thrownCode(() => fn(new Uint8Array(33)))).toBe('ERR_KEY_INVALID')
      expect(thrownCode(() => fn('0x00' as unknown as Uint8Array))).toBe('ERR_ARGUMENT_INVALID')
      expect(thrownCode(() => fn(undefined as unknown as Uint8Array))).toBe('ERR_ARGUMENT_INVALID')
    }
    expect(thrownCode(() => sr25519FromSecretKey(new Uint8Array(32)))).toBe('ERR_KEY_INVALID')
    expect(thrownCode(() => randomSigningKeyPair('ecdsa' as 'sr25519'))).toBe('ERR_KEY_TYPE_UNSUPPORTED')
  })
  it('pairs copy the seed: later changes to the caller buffer do not alter the pair', () => {
    const seed = new Uint8Array(32).fill(3)
    const x = x25519FromSeed(seed)
    const e = ed25519FromSeed(seed)
    seed.fill(9)
    expect(toHex(x.secretKey)).toBe(toHex(new Uint8Array(32).fill(3)))
    expect(toHex(e.secretKey)).toBe(toHex(new Uint8Array(32).fill(3)))
  })
  it('sr25519FromSecretKey rebuilds the same pair from the 64-byte secret', () => {
    const pair = sr25519FromSeed(new Uint8Array(32).fill(4))
    const again = sr25519FromSecretKey(pair.secretKey)
    expect(toHex(again.publicKey)).toBe(toHex(pair.publicKey))
    const msg = utf8('again')
    expect(
      verifySignature({
        type: 'sr25519',
        publicKey: pair.publicKey,
        message: msg,
        signature: again.sign(msg),
      }),
    ).toBe(true)
  })
  it('random pairs differ and are well-formed', () => {
    const a = randomX25519()
    const b = randomX25519()
    expect(a.secretKey.length).toBe(32)
    expect(toHex(a.publicKey)).not.toBe(toHex(b.publicKey))
    expect(toHex(x25519FromSeed(a.secretKey).publicKey)).toBe(toHex(a.publicKey))
    for (const type of ['sr25519', 'ed25519'] as const) {
      const p = randomSigningKeyPair(type)
      expect(p.type).toBe(type)
      expect(p.publicKey.length).toBe(32)
      expect(p.secretKey.length).toBe(type === 'sr25519' ? 64 : 32)
    }
  })
  it('sign rejects a non-Uint8Array message', () => {
    expect(thrownCode(() => sr25519FromSeed(new Uint8Array(32)).sign('x' as unknown as Uint8Array))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
  })
})

describe('sr25519FromSecretKey: scalar range', () => {
  /** The ristretto255 / ed25519 group order. */
  const L = 2n ** 252n + 27742317777372353535851937790883648493n
  /** @scure/sr25519 reads the scalar as the first 32 bytes, little-endian, divided by the cofactor 8. */
  const scalarOf = (secret: Uint8Array): bigint => {
    let n = 0n
    for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(secret[i]!)
    return n >> 3n
  }
  const withScalar = (scalar: bigint, fill = 0): Uint8Array => {
    const out = new Uint8Array(64).fill(fill)
    let n = scalar << 3n
    for (let i = 0; i < 32; i++) {
      out[i] = Number(n & 0xffn)
      n >>= 8n
    }
    return out
  }

  it('an out-of-range scalar is ERR_KEY_INVALID, not a RangeError', () => {
    for (const fill of [0x00, 0xab, 0xff]) {
      expect(
        thrownCode(() => sr25519FromSecretKey(new Uint8Array(64).fill(fill))),
        `fill ${fill}`,
      ).toBe('ERR_KEY_INVALID')
    }
    expect(thrownCode(() => sr25519FromSecretKey(withScalar(0n, 7)))).toBe('ERR_KEY_INVALID')
    expect(thrownCode(() => sr25519FromSecretKey(withScalar(L)))).toBe('ERR_KEY_INVALID')
    expect(thrownCode(() => sr25519FromSecretKey(withScalar(L - 1n)))).toBeUndefined()
    expect(thrownCode(() => sr25519FromSecretKey(withScalar(1n)))).toBeUndefined()
  })

  it('succeeds exactly when 1 <= scalar < L, and only ever throws ERR_KEY_INVALID', () => {
    const secret = fc.oneof(
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      fc.bigInt({ min: 0n, max: 2n ** 253n - 1n }).map((s) => withScalar(s)),
      fc.bigInt({ min: L - 4n, max: L + 4n }).map((s) => withScalar(s)),
    )
    fc.assert(
      fc.property(secret, (s) => {
        const sc = scalarOf(s)
        const want = sc >= 1n && sc < L ? undefined : 'ERR_KEY_INVALID'
        expect(thrownCode(() => sr25519FromSecretKey(s))).toBe(want)
      }),
      { numRuns: 300 },
    )
  })

  it('the error carries no secret bytes', () => {
    const secret = new Uint8Array(64).fill(0xff)
    try {
      sr25519FromSecretKey(secret)
      expect.unreachable()
    } catch (e) {
      const text = `${String(e)} ${JSON.stringify(e)} ${(e as Error).stack ?? ''}`
      expect(text).not.toMatch(/ffff|255,255/)
    }
  })
})
