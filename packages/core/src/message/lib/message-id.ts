/**
 * @module message/lib/message-id
 * `messageId` as SDK `UUID.generate()`: `0x` + blake2b-256(utf8(random uuid v4 string)).
 */

import { randomBytes } from '../../crypto/index.js'
import { blake2b } from '../../crypto/lib/blake2b.js'
import { MessagingError } from '../../errors.js'
import { hexEncode } from './hex.js'

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

function randomUuid(random: RandomSource | undefined): string {
  if (random === undefined) {
    const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
    if (c !== undefined && typeof c.randomUUID === 'function') return c.randomUUID()
    return uuidFromBytes(randomBytes(16))
  }
  const bytes = random(16)
  if (!(bytes instanceof Uint8Array) || bytes.length !== 16)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"random" expected to return a Uint8Array of length 16')
  return uuidFromBytes(bytes)
}

/** A fresh message id. */
export function newMessageId(random?: RandomSource): string {
  return hexEncode(blake2b(encoder.encode(randomUuid(random)), 32))
}
