import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, isHex, toHex } from '../../src/lib/bytes.js'
import { expectCode, thrownCode } from '../helpers/expect-error.js'

/** Values that are not a Uint8Array, including look-alikes the encoder used to turn into garbage. */
const NOT_BYTES: unknown[] = [
  undefined,
  null,
  'ab',
  'a'.repeat(5000),
  {},
  [1, 2, 300],
  [],
  42,
  0n,
  true,
  Symbol('s'),
  () => 0,
  new Uint16Array([1, 2]),
  new Int8Array([1]),
  new ArrayBuffer(2),
  new DataView(new ArrayBuffer(2)),
  { length: 2, 0: 1, 1: 2 },
]

describe('lib/bytes toHex', () => {
  it('rejects anything but a Uint8Array with ERR_ARGUMENT_INVALID', () => {
    for (const bad of NOT_BYTES)
      expect(
        thrownCode(() => toHex(bad as Uint8Array)),
        String(bad),
      ).toBe('ERR_ARGUMENT_INVALID')
  })

  it('accepts every Uint8Array (Buffer and views too) and round-trips through fromHex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (b, off) => {
        const h = toHex(b)
        expect(h).toBe(`0x${Buffer.from(b).toString('hex')}`)
        expect(toHex(Buffer.from(b))).toBe(h)
        expect(fromHex(h, 'h', { byteLength: b.length, lowercase: true })).toEqual(b)
        expect(isHex(h, { byteLength: b.length })).toBe(true)
        const backing = new Uint8Array(b.length + off)
        backing.set(b, off)
        expect(toHex(backing.subarray(off))).toBe(h)
      }),
      { numRuns: 200 },
    )
  })

  it('rejects arbitrary non-Uint8Array values, never encoding them', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((v) => !(v instanceof Uint8Array)),
        (v) => {
          expect(thrownCode(() => toHex(v as Uint8Array))).toBe('ERR_ARGUMENT_INVALID')
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('lib/bytes fromHex / isHex options', () => {
  const badOptions: unknown[] = [null, 0, 'x', true, 1n, Symbol('o'), [], () => ({})]
  const badByteLength: unknown[] = [
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
    '2',
    1n,
    Symbol('b'),
    null,
    {},
  ]

  it('refuses options that are not an object', () => {
    for (const o of badOptions) {
      expect(
        thrownCode(() => fromHex('0x00', 'h', o as never)),
        String(o),
      ).toBe('ERR_ARGUMENT_INVALID')
      expect(
        thrownCode(() => isHex('0x00', o as never)),
        String(o),
      ).toBe('ERR_ARGUMENT_INVALID')
    }
  })

  it('refuses a byteLength that is not a non-negative safe integer (even when the input matches it)', () => {
    for (const n of badByteLength) {
      expect(
        thrownCode(() => fromHex('0x0000', 'h', { byteLength: n as number })),
        String(n),
      ).toBe('ERR_ARGUMENT_INVALID')
      expect(
        thrownCode(() => isHex('0x0000', { byteLength: n as number })),
        String(n),
      ).toBe('ERR_ARGUMENT_INVALID')
    }
    expect(fromHex('0x', 'h', { byteLength: 0 })).toEqual(new Uint8Array(0))
    expect(isHex('0x', { byteLength: 0 })).toBe(true)
  })

  it('refuses a lowercase flag that is not a boolean', () => {
    for (const l of [1, 'yes', null, {}]) {
      expect(thrownCode(() => fromHex('0x00', 'h', { lowercase: l as boolean }))).toBe('ERR_ARGUMENT_INVALID')
      expect(thrownCode(() => isHex('0x00', { lowercase: l as boolean }))).toBe('ERR_ARGUMENT_INVALID')
    }
  })

  it('throws only the allowed codes: a bogus code is itself ERR_ARGUMENT_INVALID, checked up front', () => {
    for (const code of ['BOGUS', 'ERR_DECRYPTION_FAILED', '', 1, null, Symbol('c'), {}]) {
      // both for valid and invalid hex: the option is wrong regardless of the input
      expect(
        thrownCode(() => fromHex('0xzz', 'h', { code: code as never })),
        String(code),
      ).toBe('ERR_ARGUMENT_INVALID')
      expect(
        thrownCode(() => fromHex('0x00', 'h', { code: code as never })),
        String(code),
      ).toBe('ERR_ARGUMENT_INVALID')
    }
    for (const code of ['ERR_ARGUMENT_INVALID', 'ERR_ENVELOPE_INVALID', 'ERR_KEY_INVALID'] as const) {
      expectCode(() => fromHex('0xzz', 'h', { code }), code)
      expect(fromHex('0x00', 'h', { code })).toEqual(Uint8Array.of(0))
    }
  })

  it('refuses a name that is not a string', () => {
    expectCode(() => fromHex('0x00', 1 as unknown as string), 'ERR_ARGUMENT_INVALID')
    expect(fromHex('0x00', undefined)).toEqual(Uint8Array.of(0))
  })

  it('never throws anything but ERR_ARGUMENT_INVALID for arbitrary options', () => {
    fc.assert(
      fc.property(fc.string(), fc.anything(), (hex, options) => {
        for (const f of [() => fromHex(hex, 'h', options as never), () => isHex(hex, options as never)]) {
          const code = thrownCode(f)
          expect([undefined, 'ERR_ARGUMENT_INVALID']).toContain(code)
        }
      }),
      { numRuns: 300 },
    )
  })
})
