/**
 * @module lib/hex
 * Fast hex for envelopes, ids and cache keys: table-driven, one pass each way, flat strings. Encoding
 * above 4 KiB and strict decoding of long inputs go through Node's native `Buffer` when the global
 * exists (capability-checked; the portable path is kept for browsers).
 * Strict by default (lowercase, `0x` prefix, even length); the lenient mode accepts what
 * `@polkadot/util` `hexToU8a` accepts from SDK peers (upper case, missing `0x`) except
 * non-hex characters, which the SDK silently turns into zero bytes.
 */

// Two ASCII digits per byte value, packed little-endian into one 16-bit unit.
const PAIRS = new Uint16Array(256)
const DIGITS = '0123456789abcdef'
for (let i = 0; i < 256; i++) PAIRS[i] = DIGITS.charCodeAt(i >> 4) | (DIGITS.charCodeAt(i & 15) << 8)
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

const STRICT = new Int8Array(256).fill(-1)
const LENIENT = new Int8Array(256).fill(-1)
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
const encoder = new TextEncoder()
const SCRATCH_BYTES = 1 << 16
const scratch = new Uint8Array(SCRATCH_BYTES)

/** The slice of Node's `Buffer` used here (core compiles without Node types). */
interface BufferLike {
  from(
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ): {
    toString(encoding: 'hex'): string
    toString(encoding: 'latin1', start: number, end: number): string
    write(text: string, offset: number, length: number, encoding: 'hex'): number
  }
}

function nativeBuffer(): BufferLike | undefined {
  const g: unknown = (globalThis as { Buffer?: unknown }).Buffer
  if (typeof g !== 'function' || typeof (g as { from?: unknown }).from !== 'function') return undefined
  const B = g as unknown as BufferLike
  try {
    // Only trusted if it answers like Node's Buffer (a look-alike global must not change our output):
    // encodes lowercase, decodes, and stops at the first non-hex character.
    const probe = new Uint8Array([0, 1, 0x7f, 0x80, 0xab, 0xff])
    if (B.from(probe.buffer, 0, probe.length).toString('hex') !== '00017f80abff') return undefined
    const back = new Uint8Array(6)
    const view = B.from(back.buffer, 0, 6)
    if (view.write('00017f80abff', 0, 6, 'hex') !== 6 || back.some((b, i) => b !== probe[i])) return undefined
    if (view.write('ab0g', 0, 2, 'hex') !== 1) return undefined
    // and reads bytes as Latin-1 characters, one each
    const text = new Uint8Array([0x30, 0x78, 0x61, 0x39])
    return B.from(text.buffer, 0, 4).toString('latin1', 1, 3) === 'xa' ? B : undefined
  } catch {
    return undefined
  }
}

/** Node's `Buffer` when present (its native hex codec is 2–3× faster on ciphertexts). */
const NATIVE: BufferLike | undefined = nativeBuffer()

// Scratch for encoding up to 4 KiB (ids, nonces, boxes of short messages) without an allocation.
const ENCODE_SCRATCH_UNITS = 4097
const encodeScratch = new Uint16Array(ENCODE_SCRATCH_UNITS)
// The scratch's bytes as a Node Buffer, read as Latin-1 (a native copy into a flat one-byte string,
// cheaper than `TextDecoder`, which validates UTF-8 first).
const encodeScratchText =
  NATIVE !== undefined && LITTLE_ENDIAN
    ? NATIVE.from(encodeScratch.buffer, 0, 2 * ENCODE_SCRATCH_UNITS)
    : undefined

/** Writes `"0x"` and the digit pairs of `bytes` into `units` (little-endian machines: two ASCII bytes per unit). */
function writeDigits(units: Uint16Array, bytes: Uint8Array): void {
  units[0] = 0x7830 // "0x"
  for (let i = 0; i < bytes.length; i++) units[i + 1] = PAIRS[bytes[i]!]!
}

/**
 * The portable encoder (also the path used without `Buffer`). The result is one flat string (a
 * decoded buffer), not a tree of concatenations: ids and nonces are hashed and serialised right
 * after, which would have to flatten such a tree first.
 */
export function hexEncodePure(bytes: Uint8Array): string {
  const n = bytes.length
  if (LITTLE_ENDIAN) {
    const units = n < ENCODE_SCRATCH_UNITS ? encodeScratch : new Uint16Array(n + 1)
    writeDigits(units, bytes)
    return ascii.decode(units.subarray(0, n + 1))
  }
  const out = new Uint8Array(2 + 2 * n)
  out[0] = 48
  out[1] = 120
  for (let i = 0, j = 2; i < n; i++, j += 2) {
    const p = PAIRS[bytes[i]!]!
    out[j] = p & 0xff
    out[j + 1] = p >> 8
  }
  return ascii.decode(out)
}

/**
 * Lowercase `0x` hex of `bytes`. Up to 4 KiB the digits are written into a scratch array and read as
 * one flat string (in Node as Latin-1 through `Buffer`, elsewhere by the portable encoder): cheaper
 * over a message's life than Node's hex codec, whose `"0x" + hex` is a concatenation that the decoder,
 * `JSON.stringify` or a hash lookup must flatten into a copy first; above, Node's native codec.
 */
export function hexEncode(bytes: Uint8Array): string {
  const n = bytes.length
  if (NATIVE !== undefined && n >= ENCODE_SCRATCH_UNITS)
    return `0x${NATIVE.from(bytes.buffer, bytes.byteOffset, n).toString('hex')}`
  if (encodeScratchText === undefined) return hexEncodePure(bytes)
  writeDigits(encodeScratch, bytes)
  return encodeScratchText.toString('latin1', 0, 2 * n + 2)
}

// A character's value as the high nibble (value << 4) and as the low nibble, negative when it is
// not a digit: `HIGH[a] | LOW[b]` is the byte, or negative. 256 entries each: they stay in L1
// (a 64 Ki-entry table of character pairs does not, next to the rest of a message's work).
function nibbleTables(digits: Int8Array): { high: Int16Array; low: Int16Array } {
  const high = new Int16Array(256).fill(-4096)
  const low = new Int16Array(256).fill(-1)
  for (let c = 0; c < 256; c++) {
    const d = digits[c]!
    if (d < 0) continue
    high[c] = d << 4
    low[c] = d
  }
  return { high, low }
}

const STRICT_NIBBLES = nibbleTables(STRICT)
const LENIENT_NIBBLES = nibbleTables(LENIENT)

function hasUpperHexDigit(hex: string): boolean {
  return (
    hex.indexOf('A') >= 0 ||
    hex.indexOf('B') >= 0 ||
    hex.indexOf('C') >= 0 ||
    hex.indexOf('D') >= 0 ||
    hex.indexOf('E') >= 0 ||
    hex.indexOf('F') >= 0
  )
}

function newBytes(n: number): Uint8Array {
  return new Uint8Array(n)
}

/**
 * Decodes hex; returns `undefined` when malformed (the caller picks the error).
 * @param lenient - accept upper case and a missing `0x`
 * @param alloc - where the output bytes come from
 */
export function hexDecode(
  hex: string,
  lenient = false,
  alloc: (n: number) => Uint8Array = newBytes,
): Uint8Array | undefined {
  let start = 0
  if (hex.length >= 2 && hex.charCodeAt(0) === 48 && hex.charCodeAt(1) === 120) start = 2
  else if (!lenient) return undefined
  const n = hex.length
  if (((n - start) & 1) !== 0) return undefined
  if (NATIVE !== undefined && !lenient && n > 66) {
    // Node decodes up to the first non-hex character; lowercase is checked apart: six single-character
    // searches (memchr) cost about what `toLowerCase` does, without its copy of the string.
    if (hasUpperHexDigit(hex)) return undefined
    const out = alloc((n - 2) >> 1)
    const written = NATIVE.from(out.buffer, out.byteOffset, out.length).write(
      hex.slice(2),
      0,
      out.length,
      'hex',
    )
    return written === out.length ? out : undefined
  }
  // The characters as UTF-8 bytes, written into a reused buffer (`encodeInto` is much cheaper than
  // `encode` for ASCII); any non-ASCII character makes the written length differ. Then two nibble
  // lookups per byte.
  const small = n <= SCRATCH_BYTES
  const chars = small ? scratch : new Uint8Array(n)
  const { written } = encoder.encodeInto(hex, chars)
  if (written !== n) return undefined
  const { high, low } = lenient ? LENIENT_NIBBLES : STRICT_NIBBLES
  const out = alloc((n - start) >> 1)
  for (let i = 0, j = start; i < out.length; i++, j += 2) {
    const v = high[chars[j]!]! | low[chars[j + 1]!]!
    if (v < 0) return undefined
    out[i] = v
  }
  return out
}
