/**
 * Hostile input: deep nesting, huge and sparse arrays, `__proto__` keys, cycles, accessors,
 * proxies, non-JSON values. Every case must fail with a coded error, without a RangeError, doing work
 * bounded by the limits (counted below, not timed).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ErrorCode } from '../../src/errors.js'
import {
  ensureOwnerIsSender,
  verifyCTypeStructure,
  verifyDelegationStructure,
  verifyMessage,
  verifyMessageBody,
  verifyMessageEnvelope,
} from '../../src/message/verify.js'
import { caught, expectCode, onlyMessagingErrors } from '../helpers/expect-error.js'

const expectCoded = (fn: () => unknown, code: ErrorCode = 'ERR_BODY_INVALID') => expectCode(fn, code)

const H64 = `0x${'ab'.repeat(32)}`

function deepArray(depth: number): unknown {
  let x: unknown = []
  for (let i = 0; i < depth; i++) x = [x]
  return x
}
function deepObject(depth: number): Record<string, unknown> {
  let x: Record<string, unknown> = { leaf: 'x' }
  for (let i = 0; i < depth; i++) x = { a: x }
  return x
}

describe('depth', () => {
  it('a 10k-deep array fails with ERR_BODY_INVALID, not a RangeError', () => {
    const e = expectCoded(() => verifyMessageBody({ type: 'accept-credential', content: deepArray(10_000) }))
    expect(e.sdkError).toBe('DataStructureError')
    expect(e.message).toMatch(/deeper than 64/)
  })
  it('a 100k-deep JSON.parse’d array in a custom-typed body also fails with a code', () => {
    const json = `{"type":"x","content":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    const body = JSON.parse(json)
    expectCoded(() => verifyMessageBody(body))
  })
  it('deeply nested claim contents are refused beyond the depth limit', () => {
    const body = { type: 'request-terms', content: { cTypeHash: H64, contents: deepObject(100) } }
    expectCoded(() => verifyMessageBody(body))
    const shallow = { type: 'request-terms', content: { cTypeHash: H64, contents: deepObject(20) } }
    expect(caught(() => verifyMessageBody(shallow))).toBeUndefined()
    // and the limit is an option
    expectCoded(() => verifyMessageBody(shallow, { maxDepth: 10 }))
  })
  it('a deep message fails every public entry point with a code', () => {
    const deep = deepArray(5000)
    expectCoded(() => verifyMessage({ body: deep }), 'ERR_MESSAGE_INVALID')
    expectCoded(() => verifyMessageEnvelope({ references: deep }), 'ERR_MESSAGE_INVALID')
    expectCoded(() => verifyDelegationStructure({ id: deep }))
    expectCoded(() => verifyCTypeStructure({ properties: deep }))
  })
  it('a cycle fails with a code', () => {
    const content: Record<string, unknown> = { cTypeHash: H64 }
    content.contents = { self: content }
    expectCoded(() => verifyMessageBody({ type: 'request-terms', content }))
  })
})

describe('size', () => {
  it('a sparse array of length 1e9 fails at the size limit without reading a slot', () => {
    const e = expectCoded(() => verifyMessageBody({ type: 'accept-credential', content: new Array(1e9) }))
    expect(e.sdkError).toBe('DataStructureError')
    expect(e.message).toMatch(/array of 1000000000 items exceeds the size limit/)
    // Walking the 1e9 holes would take many seconds: the array is refused on its length alone.
    const sparse = slotReads(new Array<string>(1e9))
    expectCoded(() => verifyMessageBody({ type: 'accept-credential', content: sparse.items }))
    expect(sparse.reads()).toBe(0)
  })
  it('holes and undefined in arrays are refused', () => {
    const holey: string[] = [H64, H64, H64]
    delete holey[1]
    expectCoded(() => verifyMessageBody({ type: 'accept-credential', content: holey }))
    expectCoded(() => verifyMessageBody({ type: 'accept-credential', content: [H64, undefined] }))
  })
  it('maxNodes bounds the total work', () => {
    const content = Array.from({ length: 1000 }, () => H64)
    expect(caught(() => verifyMessageBody({ type: 'accept-credential', content }))).toBeUndefined()
    expectCoded(() => verifyMessageBody({ type: 'accept-credential', content }, { maxNodes: 500 }))
  })
  it('verifying valid hashes reads each item a bounded number of times; 100k items verify', () => {
    /** Slot reads per item while verifying `n` valid hashes (scan and validator together). */
    function readsPerItem(n: number): number {
      const counted = slotReads(Array.from({ length: n }, () => H64))
      expect(
        caught(() => verifyMessageBody({ type: 'accept-credential', content: counted.items })),
      ).toBeUndefined()
      return counted.reads() / n
    }
    const small = readsPerItem(200)
    const large = readsPerItem(2_000)
    // Every item is looked at...
    expect(small).toBeGreaterThanOrEqual(1)
    // ...and ten times the items cost about ten times the reads: a pass over the array per item (a
    // duplicate check with indexOf, a copy per item) would make it ten times as many per item.
    expect(large).toBeLessThan(2 * small)
    const content = Array.from({ length: 100_000 }, () => H64)
    expect(caught(() => verifyMessageBody({ type: 'accept-credential', content }))).toBeUndefined()
  })
})

/**
 * `array` behind a Proxy counting the reads of its slots, however they are made (index access,
 * `in`, property descriptors, key listing). The body scan takes it for the plain array it wraps.
 */
function slotReads<T>(array: T[]): { items: T[]; reads: () => number } {
  let reads = 0
  const isIndex = (key: string | symbol) => typeof key === 'string' && /^(?:0|[1-9][0-9]*)$/.test(key)
  const items = new Proxy(array, {
    get(target, key, receiver) {
      if (isIndex(key)) reads++
      return Reflect.get(target, key, receiver)
    },
    has(target, key) {
      if (isIndex(key)) reads++
      return Reflect.has(target, key)
    },
    getOwnPropertyDescriptor(target, key) {
      if (isIndex(key)) reads++
      return Reflect.getOwnPropertyDescriptor(target, key)
    },
    ownKeys(target) {
      reads += target.length
      return Reflect.ownKeys(target)
    },
  })
  return { items, reads: () => reads }
}

describe('prototype pollution and non-JSON values', () => {
  it('__proto__ keys (as JSON.parse creates them) are refused anywhere', () => {
    const bodies = [
      '{"type":"request-terms","content":{"cTypeHash":"H","__proto__":{"polluted":true}}}',
      '{"type":"request-terms","content":{"cTypeHash":"H","contents":{"__proto__":"x"}}}',
      '{"__proto__":{"type":"request-terms"},"type":"error","content":{}}',
    ].map((s) => JSON.parse(s.replace('"H"', JSON.stringify(H64))))
    for (const body of bodies) {
      const e = expectCoded(() => verifyMessageBody(body))
      expect(e.message).toMatch(/__proto__/)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
  it('functions, symbols, bigints, NaN, Infinity, Dates, Maps and class instances are refused', () => {
    class Thing {
      a = 1
    }
    for (const bad of [
      () => 1,
      Symbol('s'),
      10n,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Date(0),
      new Map(),
      new Thing(),
    ]) {
      expectCoded(() => verifyMessageBody({ type: 'error', content: { name: bad } }))
    }
  })
  it('accessors are refused without being called', () => {
    let called = false
    const content = {
      get cTypeHash() {
        called = true
        return H64
      },
    }
    expectCoded(() => verifyMessageBody({ type: 'request-terms', content }))
    expect(called).toBe(false)
  })
  it('a throwing Proxy is reported with a code', () => {
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom')
        },
      },
    )
    expectCoded(() => verifyMessageBody({ type: 'error', content: trap }))
  })
  it('ensureOwnerIsSender refuses hostile input with a code', () => {
    const threw = onlyMessagingErrors(() =>
      ensureOwnerIsSender({
        body: { type: 'submit-credential', content: deepArray(3000) },
        sender: 'x',
      } as never),
    )
    expect(threw).toBe(true)
  })
})

describe('fuzz: arbitrary JSON never escapes as a non-MessagingError', () => {
  it('random JSON values as bodies', () => {
    const types = fc.constantFrom(
      'error',
      'request-terms',
      'submit-terms',
      'request-attestation',
      'submit-attestation',
      'request-credential',
      'submit-credential',
      'request-accept-delegation',
      'submit-accept-delegation',
      'reject-accept-delegation',
      'inform-create-delegation',
      'accept-credential',
      'x-custom',
    )
    fc.assert(
      fc.property(types, fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (type, content, sdkCompatible) => {
        onlyMessagingErrors(() => verifyMessageBody({ type, content }, { sdkCompatible }))
      }),
      { numRuns: 300 },
    )
  })
  it('random JSON values as messages', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (m) => {
        expect(onlyMessagingErrors(() => verifyMessage(m))).toBe(true)
      }),
      { numRuns: 200 },
    )
  })
})
