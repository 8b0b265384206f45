import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scratchBytes, utf8, utf8Scratch } from '../../src/lib/bytes.js'

describe('scratchBytes / utf8Scratch (internal temporaries)', () => {
  it('hands out zeroed regions that never overlap while alive', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const views = sizes.map((n) => scratchBytes(n))
        views.forEach((v, i) => {
          expect(v.length).toBe(sizes[i])
          expect(v.every((b) => b === 0)).toBe(true)
        })
        // Fill each with its own marker: no write may show through another view.
        views.forEach((v, i) => {
          v.fill((i % 255) + 1)
        })
        views.forEach((v, i) => {
          expect(v.every((b) => b === (i % 255) + 1)).toBe(true)
        })
      }),
      { numRuns: 100 },
    )
  })

  it('gives large requests their own buffer', () => {
    const big = scratchBytes(100_000)
    expect(big.byteOffset).toBe(0)
    expect(big.buffer.byteLength).toBe(100_000)
  })

  it('encodes UTF-8 exactly as TextEncoder, leaving the rest of the slab zero', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const a = utf8Scratch(text)
        expect(Buffer.from(a).equals(Buffer.from(utf8(text)))).toBe(true)
        // the next region starts where this one ends (aligned) and is still zero
        const next = scratchBytes(16)
        expect(next.every((b) => b === 0)).toBe(true)
      }),
      { numRuns: 200 },
    )
    const long = 'é'.repeat(10_000) // 30 000 bytes at most: beyond the slab rule, encoded apart
    expect(Buffer.from(utf8Scratch(long)).equals(Buffer.from(utf8(long)))).toBe(true)
  })
})
