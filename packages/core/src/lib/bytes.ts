/**
 * @module lib/bytes
 * Byte helpers: strict hex, UTF-8, comparison. Uint8Array only.
 */
import { MessagingError } from '../errors.js'
import { hexDecode, hexEncode } from './hex.js'
import { typeName } from './type-name.js'

const HEX_LOWER = /^0x(?:[0-9a-f]{2})*$/
const HEX_ANY = /^0x(?:[0-9a-fA-F]{2})*$/

/**
 * Encodes bytes as lowercase `0x` hex: one flat string (`lib/hex`). A string built by `+=` would be
 * a tree of one concatenation per byte, which a Map keeps as it is (hashing does not flatten it):
 * ~1 KiB of heap per cached key of 32 bytes.
 */
export function toHex(bytes: Uint8Array): string {
  // one `instanceof` on the hot path (cache keys, ids): anything else would be encoded as garbage
  if (!(bytes instanceof Uint8Array))
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"bytes" expected Uint8Array, got ${typeName(bytes)}`)
  return hexEncode(bytes)
}

/** The codes {@link fromHex} may be asked to throw. */
const HEX_CODES: ReadonlySet<string> = new Set([
  'ERR_ARGUMENT_INVALID',
  'ERR_ENVELOPE_INVALID',
  'ERR_KEY_INVALID',
])

const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({})

/** The options of {@link isHex} / {@link fromHex}, checked: a non-object or a wrong field is the caller's bug. */
function hexOptions(options: unknown, fn: string): Readonly<Record<string, unknown>> {
  if (options === undefined) return NO_OPTIONS
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `${fn}: "options" expected an object, got ${typeName(options)}`,
    )
  const o = options as Record<string, unknown>
  const { byteLength, lowercase } = o
  if (byteLength !== undefined && !(Number.isSafeInteger(byteLength) && (byteLength as number) >= 0))
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `${fn}: "byteLength" expected a non-negative integer, got ${typeof byteLength === 'number' ? byteLength : typeName(byteLength)}`,
    )
  if (lowercase !== undefined && typeof lowercase !== 'boolean')
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `${fn}: "lowercase" expected a boolean, got ${typeName(lowercase)}`,
    )
  return o
}

/**
 * True for `0x` + even-length hex. `lowercase` (default true) rejects upper-case digits.
 * @throws MessagingError ERR_ARGUMENT_INVALID when the options are not an object, `byteLength` is not a
 * non-negative integer or `lowercase` not a boolean (never for `value`: any value gives true or false)
 */
export function isHex(
  value: unknown,
  options?: { lowercase?: boolean; byteLength?: number },
): value is string {
  const { lowercase = true, byteLength } = hexOptions(options, 'isHex') as {
    lowercase?: boolean
    byteLength?: number
  }
  if (typeof value !== 'string') return false
  if (byteLength !== undefined && value.length !== 2 + byteLength * 2) return false
  return (lowercase ? HEX_LOWER : HEX_ANY).test(value)
}

/** The error codes {@link fromHex} can be asked to throw. */
export type HexErrorCode = 'ERR_ARGUMENT_INVALID' | 'ERR_ENVELOPE_INVALID' | 'ERR_KEY_INVALID'

/**
 * Decodes `0x` hex strictly: prefix required, even length, hex digits only.
 * @param name - the parameter's name, for the error message
 * @param byteLength - the required length in bytes, if any
 * @throws MessagingError ERR_ARGUMENT_INVALID (or the code given) when malformed; always
 * ERR_ARGUMENT_INVALID for bad options (not an object, `byteLength` not a non-negative integer,
 * `lowercase` not a boolean, `code` not one of {@link HexErrorCode}) or a `name` that is not a string
 */
export function fromHex(
  hex: unknown,
  name = 'hex',
  options?: {
    byteLength?: number
    lowercase?: boolean
    code?: HexErrorCode
  },
): Uint8Array {
  if (typeof name !== 'string')
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `fromHex: "name" expected a string, got ${typeName(name)}`,
    )
  const o = hexOptions(options, 'fromHex')
  const {
    byteLength,
    lowercase = false,
    code = 'ERR_ARGUMENT_INVALID',
  } = o as {
    byteLength?: number
    lowercase?: boolean
    code?: HexErrorCode
  }
  if (!HEX_CODES.has(code as string))
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `fromHex: "code" expected one of ${[...HEX_CODES].join(', ')}, got ${typeof code === 'string' ? JSON.stringify(code) : typeName(code)}`,
    )
  if (typeof hex !== 'string')
    throw new MessagingError(code, `"${name}" expected a 0x-hex string, got ${typeof hex}`)
  if (hex.length < 2 || hex[0] !== '0' || hex[1] !== 'x')
    throw new MessagingError(code, `"${name}" expected a 0x-prefixed hex string`)
  const len = hex.length - 2
  if (len % 2 !== 0)
    throw new MessagingError(code, `"${name}" expected an even number of hex digits, got ${len}`)
  if (byteLength !== undefined && len !== byteLength * 2)
    throw new MessagingError(code, `"${name}" expected ${byteLength} bytes, got ${len / 2}`)
  if (lowercase && !HEX_LOWER.test(hex)) throw new MessagingError(code, `"${name}" expected lowercase hex`)
  // prefix, length and case are checked above: lib/hex's lenient decoder (either case) does the rest
  const out = hexDecode(hex, true)
  if (out === undefined) throw new MessagingError(code, `"${name}" contains a character that is not hex`)
  return out
}

const encoder = new TextEncoder()
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** UTF-8 encodes a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

/** Decodes UTF-8 fatally: invalid sequences throw a `TypeError` (callers map it to their code). */
export function utf8Decode(bytes: Uint8Array): string {
  return fatalDecoder.decode(bytes)
}

// Internal temporaries (plaintext and box bytes on the message hot path) are carved out of shared
// 64 KiB slabs: every typed array with its own backing store costs about a microsecond in V8
// (allocation, zeroing, external-memory accounting, GC), a view on an existing buffer a tenth.
const SLAB_BYTES = 64 * 1024
const SLAB_MAX = 16 * 1024
let slab: ArrayBuffer | undefined
let slabUsed = 0

function reserve(n: number): number {
  if (slab === undefined || slabUsed + n > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES)
    slabUsed = 0
  }
  return slabUsed
}

/**
 * `n` fresh zero bytes for an internal temporary. Regions are never handed out twice (a full slab is
 * dropped, and collected once its last view is). Never give the result to application code: its
 * `.buffer` is shared with other temporaries. Wipe it when it held a secret.
 */
export function scratchBytes(n: number): Uint8Array {
  if (n > SLAB_MAX) return new Uint8Array(n)
  const at = reserve(n)
  slabUsed = at + ((n + 7) & ~7)
  return new Uint8Array(slab!, at, n)
}

/** {@link utf8} into {@link scratchBytes} (same rules: an internal temporary). */
export function utf8Scratch(text: string): Uint8Array {
  const max = text.length * 3
  if (max > SLAB_MAX) return encoder.encode(text)
  const at = reserve(max)
  const { written } = encoder.encodeInto(text, new Uint8Array(slab!, at, max))
  slabUsed = at + ((written + 7) & ~7)
  return new Uint8Array(slab!, at, written)
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return concatChunks(parts)
}

/** Concatenates a list of byte arrays (any number: no argument spreading). */
export function concatChunks(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Constant-time equality of two byte arrays (time depends on length only). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/**
 * Asserts a Uint8Array of the given length, naming the parameter.
 * @throws MessagingError ERR_ARGUMENT_INVALID (or the code given)
 */
export function assertBytes(
  value: unknown,
  name: string,
  length?: number,
  code: 'ERR_ARGUMENT_INVALID' | 'ERR_KEY_INVALID' = 'ERR_ARGUMENT_INVALID',
): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new MessagingError(
      code,
      `"${name}" expected Uint8Array, got ${value === null ? 'null' : typeof value}`,
    )
  if (length !== undefined && value.length !== length)
    throw new MessagingError(
      code,
      `"${name}" expected Uint8Array of length ${length}, got length=${value.length}`,
    )
  return value
}

/** Overwrites a secret buffer with zeros (best effort). */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0)
}
