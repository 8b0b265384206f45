/**
 * @module store/ids
 * Message ids made by the relay: time-ordered, lexicographically sortable, unique across instances.
 * Layout (23 characters of Crockford base32, `0-9A-Z` without `I L O U`): 13 characters of the
 * millisecond timestamp, then 10 random characters (50 bits). Within one process ids are strictly
 * increasing even when the clock stands still or steps back (the random part is incremented, as in
 * ULID's monotonic mode).
 */

import { randomFillSync } from 'node:crypto'
import { MessagingError } from '@kilt-messaging/core'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const TIME_LEN = 13
const RANDOM_LEN = 10
/** Length of every message id. */
export const MESSAGE_ID_LENGTH = TIME_LEN + RANDOM_LEN
const ID_RE = /^[0-9A-HJKMNP-TV-Z]{23}$/

let lastTime = -1
const lastRandom = new Uint8Array(RANDOM_LEN)
const randomBuf = new Uint8Array(RANDOM_LEN)

function encodeTime(ms: number): string {
  let out = ''
  let t = ms
  for (let i = 0; i < TIME_LEN; i++) {
    const digit = t % 32
    out = ALPHABET[digit] + out
    t = (t - digit) / 32
  }
  return out
}

/** Increments the random digits in place; returns false on overflow. */
function increment(digits: Uint8Array): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    const d = digits[i]!
    if (d < 31) {
      digits[i] = d + 1
      return true
    }
    digits[i] = 0
  }
  return false
}

/**
 * Makes a new message id (23 ASCII characters). Ids made later in this process sort after earlier ones.
 *
 * @param now - Clock reading in ms since the epoch (default `Date.now()`); a non-negative safe integer.
 * @returns The id.
 * @throws {MessagingError} `ERR_ARGUMENT_INVALID` when `now` is not a non-negative safe integer.
 * @example
 * const id = newMessageId() // e.g. '01KAXZ3Q0F6RH7M2V9C4TQWBZ'
 */
export function newMessageId(now: number = Date.now()): string {
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"now" expected a non-negative safe integer')
  }
  if (now > lastTime) {
    lastTime = now
    randomFillSync(randomBuf)
    // Keep the top bit clear so increments within one millisecond practically never overflow.
    for (let i = 0; i < RANDOM_LEN; i++) lastRandom[i] = randomBuf[i]! & (i === 0 ? 15 : 31)
  } else if (!increment(lastRandom)) {
    lastTime += 1
    lastRandom.fill(0)
  }
  let out = encodeTime(lastTime)
  for (let i = 0; i < RANDOM_LEN; i++) out += ALPHABET[lastRandom[i]!]
  return out
}

/**
 * True when `value` has the shape of a message id (23 Crockford base32 characters, upper case).
 *
 * @param value - Anything.
 * @returns Whether it is a well-formed id.
 * @example
 * isMessageId(newMessageId()) // true
 */
export function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && ID_RE.test(value)
}

/**
 * The millisecond timestamp encoded in a message id.
 *
 * @param id - A message id (23 characters).
 * @returns Milliseconds since the epoch.
 * @throws {MessagingError} `ERR_ARGUMENT_INVALID` when `id` is not a message id.
 * @example
 * messageIdTime(newMessageId(1_700_000_000_000)) // >= 1_700_000_000_000
 */
export function messageIdTime(id: string): number {
  if (!isMessageId(id)) throw new MessagingError('ERR_ARGUMENT_INVALID', '"id" is not a message id')
  let t = 0
  for (let i = 0; i < TIME_LEN; i++) t = t * 32 + ALPHABET.indexOf(id[i]!)
  return t
}

/**
 * Makes a new message id that sorts after `floor` (the newest id a mailbox ever held), so ids in one
 * mailbox follow commit order even across instances whose clocks disagree: when this process's
 * clock is behind `floor`, the id takes `floor`'s millisecond + 1.
 *
 * @param floor - A message id (23 characters), or null for none.
 * @returns An id greater than `floor` and than every id this process made before.
 * @throws {MessagingError} `ERR_ARGUMENT_INVALID` when `floor` is neither null nor a message id.
 * @example
 * newMessageIdAfter('01KAXZ3Q0F6RH7M2V9C4TQWBZ') > '01KAXZ3Q0F6RH7M2V9C4TQWBZ' // true
 */
export function newMessageIdAfter(floor: string | null): string {
  const id = newMessageId()
  if (floor === null || id > floor) return id
  const t = messageIdTime(floor) + 1
  if (!Number.isSafeInteger(t))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"floor" is too far in the future')
  return newMessageId(t)
}
