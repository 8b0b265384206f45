/**
 * @module message/lib/message-id
 * `messageId` as SDK `UUID.generate()`: `0x` + blake2b-256(utf8(random uuid v4 string)).
 * Only the hash is kept, so the uuid is written as ASCII bytes straight into the hash input; it is
 * never made into a string.
 */

import { randomBytes } from '../../crypto/index.js'
import { blake2bInto } from '../../crypto/lib/blake2b.js'
import { MessagingError } from '../../errors.js'
import { hexEncode } from '../../lib/hex.js'

/** A source of random bytes. */
export type RandomSource = (length: number) => Uint8Array

const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0))

// The 36 ASCII bytes of a uuid (the hash input) and the digest.
const uuidBytes = new Uint8Array(36)
const digest = new Uint8Array(32)

/** Writes 16 random bytes (from `at`) as a uuid v4 (version and variant bits set) into `uuidBytes`. */
function writeUuid(bytes: Uint8Array, at: number): void {
  for (let i = 0, o = 0; i < 16; i++) {
    let b = bytes[at + i]!
    if (i === 6) b = (b & 0x0f) | 0x40
    if (i === 8) b = (b & 0x3f) | 0x80
    if (i === 4 || i === 6 || i === 8 || i === 10) uuidBytes[o++] = 45 // '-'
    uuidBytes[o++] = HEX_CODES[b >> 4]!
    uuidBytes[o++] = HEX_CODES[b & 15]!
  }
}

// Random bytes for uuids, 16 per id, from a pool (one CSPRNG call for many ids, as the platform's
// `crypto.randomUUID` does too). Every region is used once and wiped.
const POOL_BYTES = 16 * 256
let pool: Uint8Array = new Uint8Array(0)
let offset = 0

/** A fresh message id (`random`: the caller's source, else the platform CSPRNG). */
export function newMessageId(random?: RandomSource): string {
  if (random === undefined) {
    if (offset + 16 > pool.length) {
      pool = randomBytes(POOL_BYTES)
      offset = 0
    }
    writeUuid(pool, offset)
    pool.fill(0, offset, offset + 16)
    offset += 16
  } else {
    const bytes = random(16)
    if (!(bytes instanceof Uint8Array) || bytes.length !== 16)
      throw new MessagingError(
        'ERR_ARGUMENT_INVALID',
        '"random" expected to return a Uint8Array of length 16',
      )
    writeUuid(bytes, 0)
  }
  blake2bInto(digest, uuidBytes)
  return hexEncode(digest)
}
