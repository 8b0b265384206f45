import { isMessagingError } from '@kilt-messaging/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  isMessageId,
  MESSAGE_ID_LENGTH,
  messageIdTime,
  newMessageId,
  newMessageIdAfter,
} from '../../src/store/ids.js'

/** A clock ahead of every id this process has made (ids never go back): tests stay order-independent. */
const ahead = (by = 1_000_000): number => messageIdTime(newMessageId()) + by

describe('message ids', () => {
  it('are 23 Crockford base32 characters and strictly increasing within a process', () => {
    const ids = Array.from({ length: 20_000 }, () => newMessageId())
    expect(ids.every((id) => id.length === MESSAGE_ID_LENGTH && isMessageId(id))).toBe(true)
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('encode the clock (ms) in their first 13 characters (Crockford base32, big-endian)', () => {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
    const encode = (t: number) => {
      let out = ''
      let v = BigInt(t)
      for (let i = 0; i < 13; i++) {
        out = alphabet[Number(v % 32n)] + out
        v /= 32n
      }
      return out
    }
    // Times must grow from run to run: ids are monotonic, so an older clock would not be encoded.
    let clock = ahead()
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (step) => {
        clock += step
        const id = newMessageId(clock)
        expect(id.slice(0, 13)).toBe(encode(clock))
        expect(messageIdTime(id)).toBe(clock)
      }),
      { numRuns: 100 },
    )
  })

  it('stay increasing when the clock stands still or steps back', () => {
    const t = ahead()
    const a = newMessageId(t)
    const b = newMessageId(t)
    const c = newMessageId(t - 10_000)
    expect(b > a).toBe(true)
    expect(c > b).toBe(true)
    expect(messageIdTime(c)).toBe(t)
  })

  it('sort by time across processes (the time prefix dominates)', () => {
    const early = newMessageId(ahead())
    const later = newMessageId(messageIdTime(early) + 1)
    expect(later > early).toBe(true)
    expect(messageIdTime(later) - messageIdTime(early)).toBe(1)
  })

  it('newMessageIdAfter sorts after a floor from a faster clock, and after everything made before', () => {
    const floor = newMessageId(2 ** 50)
    const before = newMessageId()
    const id = newMessageIdAfter(floor)
    expect(id > floor).toBe(true)
    expect(id > before).toBe(true)
    expect(newMessageIdAfter(null) > id).toBe(true)
    expect(() => newMessageIdAfter('nope')).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }))
  })

  it('rejects bad clocks and recognises only well-formed ids', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) {
      try {
        newMessageId(bad)
        throw new Error('accepted')
      } catch (e) {
        expect(isMessagingError(e, 'ERR_ARGUMENT_INVALID')).toBe(true)
      }
    }
    for (const bad of [
      '',
      'x'.repeat(23),
      `${newMessageId()}0`,
      newMessageId().toLowerCase(),
      'ILOU'.repeat(6).slice(0, 23),
      42,
    ]) {
      expect(isMessageId(bad)).toBe(false)
    }
    expect(() => messageIdTime('nope')).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }))
  })
})
