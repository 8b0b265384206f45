/**
 * @module message/lib/message-id
 * `messageId` as SDK `UUID.generate()`: `0x` + blake2b-256(utf8(random uuid v4 string)).
 */

import { randomBytes } from '../../crypto/index.js'
import { blake2b, blake2bInto } from '../../crypto/lib/blake2b.js'
import { MessagingError } from '../../errors.js'
import { hexEncode } from '../../lib/hex.js'

/** A source of random bytes. */
export type RandomSource = (length: number) => Uint8Array

const encoder = new TextEncoder()
const HEX = '0123456789abcdef'

/** Formats 16 random bytes as a uuid v4 string (version and variant bits set). */
export function uuidFromBytes(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < 16; i++) {
    let b = bytes[i]!
    if (i === 6) b = (b & 0x0f) | 0x40
    if (i === 8) b = (b & 0x3f) | 0x80
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-'
    s += HEX[b >> 4]! + HEX[b & 15]!
  }
  return s
}

// The platform's `crypto.randomUUID`, bound once (a bound call skips the per-call receiver check).
const platformUuid: (() => string) | undefined = (() => {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
  return c !== undefined && typeof c.randomUUID === 'function' ? c.randomUUID.bind(c) : undefined
})()

function randomUuid(random: RandomSource | undefined): string {
  if (random === undefined)
    return platformUuid === undefined ? uuidFromBytes(randomBytes(16)) : platformUuid()
  const bytes = random(16)
  if (!(bytes instanceof Uint8Array) || bytes.length !== 16)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"random" expected to return a Uint8Array of length 16')
  return uuidFromBytes(bytes)
}

// Scratch for the 36 ASCII bytes of a uuid and its digest (the id is returned as a string).
const uuidBytes = new Uint8Array(36)
const digest = new Uint8Array(32)

/** A fresh message id. */
export function newMessageId(random?: RandomSource): string {
  const uuid = randomUuid(random)
  if (uuid.length !== 36 || encoder.encodeInto(uuid, uuidBytes).written !== 36)
    return hexEncode(blake2b(encoder.encode(uuid), 32))
  blake2bInto(digest, uuidBytes)
  return hexEncode(digest)
}
