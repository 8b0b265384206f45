/**
 * @module message/lib/message-id
 * `messageId` as SDK `UUID.generate()`: `0x` + blake2b-256(utf8(random uuid v4 string)).
 * Only the hash is kept, so the uuid is written as ASCII bytes straight into the hash input; it is
 * never made into a string.
 */

import { blake2bInto } from '../../crypto/lib/blake2b.js'
import { pooledRandomBytes } from '../../crypto/random.js'
import { MessagingError } from '../../errors.js'
import { hexEncode } from '../../lib/hex.js'

/** A source of random bytes. */
export type RandomSource = (length: number) => Uint8Array

const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0))

// The 36 ASCII bytes of a uuid (the hash input) and the digest.
const uuidBytes = new Uint8Array(36)
const digest = new Uint8Array(32)

/** Writes 16 random bytes as a uuid v4 (version and variant bits set) into `uuidBytes`. */
function writeUuid(bytes: Uint8Array): void {
  for (let i = 0, o = 0; i < 16; i++) {
    let b = bytes[i]!
    if (i === 6) b = (b & 0x0f) | 0x40
    if (i === 8) b = (b & 0x3f) | 0x80
    if (i === 4 || i === 6 || i === 8 || i === 10) uuidBytes[o++] = 45 // '-'
    uuidBytes[o++] = HEX_CODES[b >> 4]!
    uuidBytes[o++] = HEX_CODES[b & 15]!
  }
}

/** 16 bytes from the caller's random source, checked. */
function callerRandom(random: RandomSource): Uint8Array {
  const bytes = random(16)
  if (!(bytes instanceof Uint8Array) || bytes.length !== 16)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"random" expected to return a Uint8Array of length 16')
  return bytes
}

/**
 * A fresh message id. `random`: the caller's source; by default the random pool, which serves many
 * ids per CSPRNG call (as the platform's `crypto.randomUUID` does).
 */
export function newMessageId(random?: RandomSource): string {
  writeUuid(random === undefined ? pooledRandomBytes(16) : callerRandom(random))
  blake2bInto(digest, uuidBytes)
  return hexEncode(digest)
}
