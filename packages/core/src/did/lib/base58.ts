/**
 * @module did/lib/base58
 * Base58btc decoding (Bitcoin alphabet) for SS58 addresses and light DID details. The same function
 * as `@scure/base`'s `base58.decode` (property-tested for equality), but the radix conversion works
 * on 24-bit limbs and four digits at a time instead of one digit against every output byte, which
 * matters on the cold path: a light DID's details are ~90 characters. An encoding, not a primitive.
 */

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const DIGIT = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i

const LIMB = 16_777_216 // 2^24
const POW58 = [1, 58, 58 ** 2, 58 ** 3, 58 ** 4]

/**
 * Decodes base58btc; each leading `1` is a zero byte.
 * @returns the bytes, or undefined when `text` has a character outside the alphabet
 */
export function base58Decode(text: string): Uint8Array | undefined {
  const n = text.length
  let zeros = 0
  while (zeros < n && text.charCodeAt(zeros) === 49) zeros++
  // Little-endian 24-bit limbs; (2^24 - 1) * 58^4 + carry stays far below 2^53.
  const limbs: number[] = []
  let i = zeros
  while (i < n) {
    const take = Math.min(4, n - i)
    let acc = 0
    for (let k = 0; k < take; k++) {
      const c = text.charCodeAt(i + k)
      const d = c < 128 ? DIGIT[c]! : -1
      if (d < 0) return undefined
      acc = acc * 58 + d
    }
    i += take
    const mul = POW58[take]!
    let carry = acc
    for (let j = 0; j < limbs.length; j++) {
      const x = limbs[j]! * mul + carry
      carry = Math.floor(x / LIMB)
      limbs[j] = x - carry * LIMB
    }
    while (carry > 0) {
      const next = Math.floor(carry / LIMB)
      limbs.push(carry - next * LIMB)
      carry = next
    }
  }
  // Big-endian bytes of the number without leading zero bytes, after the `zeros` zero bytes.
  let top = limbs.length * 3
  const last = limbs.length > 0 ? limbs[limbs.length - 1]! : 0
  if (limbs.length > 0) top -= last >= 65_536 ? 0 : last >= 256 ? 1 : 2
  const out = new Uint8Array(zeros + top)
  let o = out.length - 1
  for (let j = 0; j < limbs.length && o >= zeros; j++) {
    const v = limbs[j]!
    out[o--] = v & 0xff
    if (o >= zeros) out[o--] = (v >>> 8) & 0xff
    if (o >= zeros) out[o--] = v >>> 16
  }
  return out
}
