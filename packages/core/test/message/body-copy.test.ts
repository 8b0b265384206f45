/**
 * `createMessage` owns a deep-frozen copy of the body equal to `JSON.parse(JSON.stringify(body))`,
 * and the plaintext it encrypts is that JSON: plain data is copied directly, anything the JSON
 * round trip would transform goes through the round trip.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMessage } from '../../src/message/create-message.js'
import { encryptMessage } from '../../src/message/encrypt-message.js'
import type { MessageBody } from '../../src/message/types.js'
import { createBodyRegistry } from '../../src/message/verify.js'
import { anchor } from './helpers.js'

const alice = anchor('alice')
const bob = anchor('bob')
const registry = createBodyRegistry()
registry.register('x-any', () => {})

function deeplyFrozen(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true
  return Object.isFrozen(v) && Object.values(v).every(deeplyFrozen)
}

/** Whether some object in `v` has an own "__proto__" key (as `JSON.parse` makes from `{"__proto__":…}`). */
function hasOwnProtoKey(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false
  return Object.hasOwn(v, '__proto__') || Object.values(v).some(hasOwnProtoKey)
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

// JSON-like values plus everything JSON.stringify transforms or drops
const tricky = fc.oneof(
  fc.constant(-0),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(undefined),
  fc.constant(new Date(0)),
  fc.constant(new Point(1, 2)),
  fc.constant({ toJSON: () => 'replaced' }),
  fc.constant(Object.assign(Object.create(null), { a: 1 })),
  // biome-ignore lint/suspicious/noSparseArray: a hole, which JSON writes as null
  fc.constant([1, , 3]),
  fc.constant(() => 1),
  fc.constant('\ud800 lone surrogate'),
  fc.constant({ 2: 'b', 1: 'a', z: 0 }),
)
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    tricky,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6, unit: 'binary' }), tie('v'), { maxKeys: 4 }),
  ),
})).v

describe('createMessage body copy', () => {
  it('equals the JSON round trip, is deeply frozen, and is what gets encrypted', async () => {
    const keys = alice.keyring()
    const nonce = new Uint8Array(24).fill(1)
    await fc.assert(
      fc.asyncProperty(value, async (content) => {
        const body = { type: 'x-any', content } as MessageBody
        const expected = JSON.parse(JSON.stringify(body))
        // The body checks refuse an own "__proto__" key anywhere in the JSON copy (ERR_BODY_INVALID,
        // as the test below shows), and fc.jsonValue/fc.string do generate "__proto__" keys, rarely.
        if (hasOwnProtoKey(expected)) {
          expect(() => createMessage(body, { sender: alice.did, receiver: bob.did, registry })).toThrow(
            expect.objectContaining({ code: 'ERR_BODY_INVALID' }),
          )
          return
        }
        const m = createMessage(body, { sender: alice.did, receiver: bob.did, registry })
        expect(m.body).toStrictEqual(expected)
        expect(JSON.stringify(m.body)).toBe(JSON.stringify(body))
        expect(deeplyFrozen(m.body)).toBe(true)
        expect(Object.getPrototypeOf(m.body)).toBe(Object.prototype)
        // the remembered body JSON gives the same plaintext as a plain copy serialised from scratch
        const own = await encryptMessage(m, { keys, nonce, receiverKeyUri: bob.keyUri })
        const copy = await encryptMessage({ ...m }, { keys, nonce, receiverKeyUri: bob.keyUri, registry })
        expect(own.ciphertext).toBe(copy.ciphertext)
      }),
      { numRuns: 300 },
    )
  })

  it('reads each property once (a getter cannot make copy and JSON disagree)', () => {
    let n = 0
    const content = {
      get flip() {
        n++
        return n % 2 === 1 ? 'first' : 'second'
      },
    }
    const m = createMessage({ type: 'x-any', content } as MessageBody, {
      sender: alice.did,
      receiver: bob.did,
      registry,
    })
    expect(n).toBe(1)
    expect(m.body.content).toEqual({ flip: 'first' })
  })

  it('an own "__proto__" key is refused by the body checks, never turned into a prototype', () => {
    const content = JSON.parse('{"__proto__": {"x": 1}}') as object
    expect(() =>
      createMessage({ type: 'x-any', content } as MessageBody, {
        sender: alice.did,
        receiver: bob.did,
        registry,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_BODY_INVALID' }))
    expect(({} as { x?: unknown }).x).toBeUndefined()
  })

  it('nesting deeper than the bound fails as before', () => {
    let deep: unknown = 1
    for (let i = 0; i < 80; i++) deep = [deep]
    expect(() =>
      createMessage({ type: 'x-any', content: deep } as MessageBody, {
        sender: alice.did,
        receiver: bob.did,
        registry,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }))
  })
})
