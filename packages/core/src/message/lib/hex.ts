/**
 * @module message/lib/hex
 * Fast hex for envelopes: table-driven, no `Buffer`, one allocation per direction.
 * Strict by default (lowercase, `0x` prefix, even length); the lenient mode accepts what
 * `@polkadot/util` `hexToU8a` accepts from SDK peers (upper case, missing `0x`) except
 * non-hex characters, which the SDK silently turns into zero bytes.
 */

const DIGITS = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102])
const STRICT = new Int8Array(128).fill(-1)
const LENIENT = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) {
  STRICT[48 + i] = i
  LENIENT[48 + i] = i
}
for (let i = 0; i < 6; i++) {
  STRICT[97 + i] = 10 + i
  LENIENT[97 + i] = 10 + i
  LENIENT[65 + i] = 10 + i
}
const ascii = new TextDecoder()

/** Lowercase `0x` hex of `bytes`. */
export function hexEncode(bytes: Uint8Array): string {
  const n = bytes.length
  const out = new Uint8Array(2 + 2 * n)
  out[0] = 48
  out[1] = 120
  for (let i = 0, j = 2; i < n; i++, j += 2) {
    const b = bytes[i]!
    out[j] = DIGITS[b >> 4]!
    out[j + 1] = DIGITS[b & 15]!
  }
  return ascii.decode(out)
}

/**
 * Decodes hex; returns `undefined` when malformed (the caller picks the error).
 * @param lenient - accept upper case and a missing `0x`
 */
export function hexDecode(hex: string, lenient = false): Uint8Array | undefined {
  let start = 0
  if (hex.length >= 2 && hex.charCodeAt(0) === 48 && hex.charCodeAt(1) === 120) start = 2
  else if (!lenient) return undefined
  const len = hex.length - start
  if ((len & 1) !== 0) return undefined
  const table = lenient ? LENIENT : STRICT
  const out = new Uint8Array(len >> 1)
  for (let i = 0, j = start; i < out.length; i++, j += 2) {
    const c1 = hex.charCodeAt(j)
    const c2 = hex.charCodeAt(j + 1)
    if ((c1 | c2) > 127) return undefined
    const hi = table[c1]!
    const lo = table[c2]!
    if ((hi | lo) < 0) return undefined
    out[i] = (hi << 4) | lo
  }
  return out
}
