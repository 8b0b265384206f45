/**
 * @module keys/lib/junctions
 * Substrate derivation paths, parsed exactly as `@polkadot/util-crypto` `keyExtractPath` /
 * `DeriveJunction` (12.x): `//x` is a hard junction, `/x` a soft one. The 32-byte chain code is the
 * number as 256-bit little-endian for decimal segments, the bytes for `0x` hex segments, else the
 * SCALE-compact-length-prefixed UTF-8 string; anything longer than 32 bytes is blake2b-256 hashed.
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { MessagingError } from '../../errors.js'
import { concatBytes, utf8 } from '../../lib/bytes.js'

/** One step of a derivation path. */
export interface Junction {
  readonly hard: boolean
  /** 32 bytes. */
  readonly chainCode: Uint8Array
}

/** Longest accepted path, in characters (bounds the work a path can cause). */
export const MAX_PATH_LENGTH = 2048

const RE_JUNCTION = /\/(\/?)([^/]+)/g
const RE_NUMBER = /^\d+$/
const RE_HEX = /^0x(?:[\da-fA-F]{2})*$/
const U256 = 1n << 256n

/** SCALE compact encoding of a length (< 2^30, which every bounded path satisfies). */
export function compactLength(n: number): Uint8Array {
  if (n < 1 << 6) return Uint8Array.of(n << 2)
  if (n < 1 << 14) return Uint8Array.of(((n << 2) | 1) & 0xff, n >> 6)
  if (n < 1 << 30) {
    const v = (n << 2) | 2
    return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff)
  }
  throw new RangeError('length too large for this encoder')
}

function fromHexLoose(hex: string): Uint8Array {
  const out = new Uint8Array((hex.length - 2) / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16)
  return out
}

function toChainCode(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 32) return blake2b(bytes, { dkLen: 32 })
  const cc = new Uint8Array(32)
  cc.set(bytes)
  return cc
}

function junctionChainCode(code: string): Uint8Array {
  if (RE_NUMBER.test(code)) {
    let n = BigInt(code)
    if (n >= U256)
      throw new MessagingError('ERR_ARGUMENT_INVALID', 'derivation path: a numeric junction exceeds 256 bits')
    const cc = new Uint8Array(32)
    for (let i = 0; i < 32 && n > 0n; i++, n >>= 8n) cc[i] = Number(n & 0xffn)
    return cc
  }
  if (RE_HEX.test(code)) return toChainCode(fromHexLoose(code))
  const text = utf8(code)
  return toChainCode(concatBytes(compactLength(text.length), text))
}

/**
 * Parses a derivation path (`''`, `'//did//0'`, `'/soft//hard'`).
 * @throws MessagingError ERR_ARGUMENT_INVALID when the path is not a string, is too long, or does not
 *   re-assemble from its junctions (e.g. `'did'`, `'///password'`, `'//a/'`)
 */
export function parsePath(path: unknown): Junction[] {
  if (typeof path !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"path" expected a string, got ${typeof path}`)
  if (path.length > MAX_PATH_LENGTH)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"path" expected at most ${MAX_PATH_LENGTH} characters, got ${path.length}`,
    )
  const junctions: Junction[] = []
  let rebuilt = ''
  for (const m of path.matchAll(RE_JUNCTION)) {
    rebuilt += m[0]
    junctions.push({ hard: m[1] === '/', chainCode: junctionChainCode(m[2]!) })
  }
  // Paths are secrets of a sort (they may carry a password-like label): never echo them.
  if (rebuilt !== path)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      '"path" is not a derivation path of "/soft" and "//hard" junctions',
    )
  return junctions
}
