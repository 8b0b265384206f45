import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../src/lib/bytes.js'
import { hexDecode, hexEncode, hexEncodePure } from '../../src/lib/hex.js'

describe('lib/hex', () => {
  it('encodes like Buffer and decodes back, at every length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (b) => {
        const h = hexEncode(b)
        expect(h).toBe(`0x${Buffer.from(b).toString('hex')}`)
        // The portable path (browsers) gives the same string as the Buffer fast path.
        expect(hexEncodePure(b)).toBe(h)
        // lib/bytes toHex is the same encoder
        expect(toHex(b)).toBe(h)
        expect(hexDecode(h)).toEqual(b)
        expect(hexDecode(h.slice(2).toUpperCase(), true)).toEqual(b)
      }),
      { numRuns: 200 },
    )
  })

  it('strict mode: lowercase, 0x, even length, hex digits only; lenient: also upper case and no 0x', () => {
    for (const bad of ['', '0', 'ab', '0xA0', '0xa', '0xg0', '0x0\u00e9', '0x\u0660\u0661', ' 0x00', '0x00 '])
      expect(hexDecode(bad), bad).toBeUndefined()
    expect(hexDecode('0x')).toEqual(new Uint8Array(0))
    expect(hexDecode('A0', true)).toEqual(Uint8Array.of(0xa0))
    expect(hexDecode('0xA0', true)).toEqual(Uint8Array.of(0xa0))
    for (const bad of ['a', '0xzz', 'xyz0', '0x0\u00e9']) expect(hexDecode(bad, true), bad).toBeUndefined()
  })

  it('encodes views into larger buffers (offset and length respected, both paths)', () => {
    const backing = Uint8Array.from({ length: 600 }, (_, i) => (i * 7) & 0xff)
    for (const [off, len] of [
      [0, 600],
      [3, 100],
      [101, 65],
      [500, 64],
      [599, 1],
    ] as const) {
      const view = backing.subarray(off, off + len)
      const want = `0x${Buffer.from(backing.slice(off, off + len)).toString('hex')}`
      expect(hexEncode(view)).toBe(want)
      expect(hexEncodePure(view)).toBe(want)
    }
  })

  it('long inputs (the native decoder in Node) are refused exactly when the strict rules say so', () => {
    const strict = /^0x(?:[0-9a-f]{2})*$/
    const ref = (h: string): Uint8Array | undefined =>
      strict.test(h) ? new Uint8Array(Buffer.from(h.slice(2), 'hex')) : undefined
    const chars = ['g', 'A', 'B', 'C', 'D', 'E', 'F', ' ', '\u00e9', '\u0660', '\u0000', 'x', '0', 'f']
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 34, maxLength: 3000 }),
        fc.nat(),
        fc.constantFrom(...chars),
        fc.boolean(),
        (b, at, c, odd) => {
          const h = hexEncode(b)
          const i = 2 + (at % (h.length - 2))
          const bad = `${h.slice(0, i)}${c}${h.slice(i + 1)}${odd ? '0' : ''}`
          expect(hexDecode(bad)).toEqual(ref(bad))
          expect(hexDecode(h)).toEqual(b)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('decodes inputs longer than its scratch buffer', () => {
    const b = Uint8Array.from({ length: 100_000 }, (_, i) => i & 0xff)
    expect(hexDecode(hexEncode(b))).toEqual(b)
  })
})
