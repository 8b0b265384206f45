import { base58 } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { base58Decode } from '../../src/did/lib/base58.js'

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

describe('base58Decode', () => {
  it('equals @scure/base on encodings of random bytes, leading zeros included', () => {
    fc.assert(
      fc.property(fc.nat({ max: 6 }), fc.uint8Array({ maxLength: 120 }), (zeros, tail) => {
        const bytes = Uint8Array.from([...new Uint8Array(zeros), ...tail])
        const text = base58.encode(bytes)
        expect(base58Decode(text)).toEqual(bytes)
      }),
      { numRuns: 500 },
    )
  })

  it('equals @scure/base on random alphabet strings (any length, any leading 1s)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...ALPHABET.split('')), { maxLength: 130 }),
        fc.nat({ max: 5 }),
        (chars, ones) => {
          const text = '1'.repeat(ones) + chars.join('')
          expect(base58Decode(text)).toEqual(base58.decode(text))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('refuses characters outside the alphabet, as @scure/base does', () => {
    for (const bad of ['0', 'O', 'I', 'l', '+', ' 2', '2 ', 'é', '\u0660', 'z\u0000'])
      expect(() => base58.decode(bad), bad).toThrow()
    for (const bad of ['0', 'O', 'I', 'l', '+', ' 2', '2 ', 'é', '\u0660', 'z\u0000'])
      expect(base58Decode(bad), bad).toBeUndefined()
    expect(base58Decode('')).toEqual(new Uint8Array(0))
    expect(base58Decode('111')).toEqual(new Uint8Array(3))
  })
})
