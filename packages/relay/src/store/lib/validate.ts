/**
 * @module store/lib/validate
 * Argument checks shared by the store implementations. Every failure is
 * `MessagingError('ERR_ARGUMENT_INVALID')` naming the parameter; values are never echoed (they may be
 * envelopes or challenges).
 */

import { MessagingError } from '@kilt-messaging/core'
import type { DepositInput, Quota } from '../types.js'

/** Longest mailbox key accepted (an SS58 address is 47–49 characters). */
export const MAX_MAILBOX_LENGTH = 256
/**
 * Longest id, cursor, challenge, DID or key URI accepted. The relay's HTTP layer takes its own length
 * limits from this (a light DID with services can be long), so whatever it lets through, the store
 * takes.
 */
export const MAX_KEY_LENGTH = 4096
/** Most ids in one `ack`, items in one `deposit`, rows in one `list`. */
export const MAX_BATCH = 10_000

/**
 * A store argument check failed (`ERR_ARGUMENT_INVALID`, like every store argument error). Its own
 * class so that the relay can tell a refused value (a 4xx answer) from a store that is closed or
 * not initialised (503), which share the code.
 */
export class StoreArgumentError extends MessagingError {
  constructor(message: string) {
    super('ERR_ARGUMENT_INVALID', message)
  }
}

function fail(message: string): never {
  throw new StoreArgumentError(message)
}

/** Checks a non-empty string of at most `max` characters. */
export function checkString(name: string, value: unknown, max = MAX_KEY_LENGTH): string {
  if (typeof value !== 'string') fail(`"${name}" expected a string, got ${typeof value}`)
  if (value.length === 0 || value.length > max)
    fail(`"${name}" expected 1..${max} characters, got ${value.length}`)
  return value
}

/** Checks a non-negative safe integer. */
export function checkTime(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`"${name}" expected a non-negative safe integer`)
  }
  return value
}

/** Checks an integer in [min, max]. */
export function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(`"${name}" expected an integer in ${min}..${max}`)
  }
  return value
}

/** Checks a quota (non-negative safe integers). */
export function checkQuota(value: unknown): Quota {
  if (typeof value !== 'object' || value === null) fail('"quota" expected an object')
  const q = value as Record<string, unknown>
  return {
    maxCount: checkInt('quota.maxCount', q.maxCount, 0, Number.MAX_SAFE_INTEGER),
    maxBytes: checkInt('quota.maxBytes', q.maxBytes, 0, Number.MAX_SAFE_INTEGER),
  }
}

/** Checks a deposit batch; `size` must equal the UTF-8 length of `envelope`. */
export function checkDeposits(items: unknown): readonly DepositInput[] {
  if (!Array.isArray(items)) fail('"items" expected an array')
  if (items.length > MAX_BATCH) fail(`"items" expected at most ${MAX_BATCH} entries, got ${items.length}`)
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i]
    if (typeof item !== 'object' || item === null) fail(`"items[${i}]" expected an object`)
    const d = item as Record<string, unknown>
    checkString(`items[${i}].mailbox`, d.mailbox, MAX_MAILBOX_LENGTH)
    if (typeof d.envelope !== 'string') fail(`"items[${i}].envelope" expected a string`)
    checkString(`items[${i}].senderKeyUri`, d.senderKeyUri)
    checkTime(`items[${i}].receivedAt`, d.receivedAt)
    checkTime(`items[${i}].expiresAt`, d.expiresAt)
    const size = checkTime(`items[${i}].size`, d.size)
    if (Buffer.byteLength(d.envelope, 'utf8') !== size) {
      fail(`"items[${i}].size" expected the UTF-8 byte length of the envelope`)
    }
  }
  return items as readonly DepositInput[]
}

/** Checks the options of `list`; `maxBytes` absent is unbounded. */
export function checkListOptions(value: unknown): {
  after: string
  limit: number
  now: number
  maxBytes: number | undefined
} {
  if (typeof value !== 'object' || value === null) fail('"options" expected an object')
  const o = value as Record<string, unknown>
  const after = o.after === undefined ? '' : checkString('options.after', o.after)
  return {
    after,
    limit: checkInt('options.limit', o.limit, 1, MAX_BATCH),
    now: checkTime('options.now', o.now),
    maxBytes:
      o.maxBytes === undefined
        ? undefined
        : checkInt('options.maxBytes', o.maxBytes, 1, Number.MAX_SAFE_INTEGER),
  }
}

/** Checks a list of ids (deduplicated). */
export function checkIds(value: unknown): string[] {
  if (!Array.isArray(value)) fail('"ids" expected an array')
  if (value.length > MAX_BATCH) fail(`"ids" expected at most ${MAX_BATCH} entries, got ${value.length}`)
  for (let i = 0; i < value.length; i++) checkString(`ids[${i}]`, value[i])
  return [...new Set(value as string[])]
}

/** Checks a listener function. */
export function checkListener<T>(value: T): T {
  if (typeof value !== 'function') fail('"listener" expected a function')
  return value
}

/** Calls every listener with `mailbox`, isolating their exceptions from the store. */
export function emit(listeners: Iterable<(mailbox: string) => void>, mailbox: string): void {
  for (const listener of listeners) {
    try {
      listener(mailbox)
    } catch {
      // A listener's failure is its own; the deposit is committed regardless.
    }
  }
}
