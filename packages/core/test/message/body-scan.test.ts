import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MessagingError } from '../../src/errors.js'
import { scanJson } from '../../src/message/lib/body/scan.js'

/** The scan as it was before the quick pass (paths built eagerly): the reference for outcomes. */
function referenceScan(root: unknown, rootPath: string, maxDepth: number, maxNodes: number): string | null {
  const fail = (path: string, detail: string): never => {
    throw new Error(`${path}: ${detail}`)
  }
  let budget = maxNodes
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: root, path: rootPath, depth: 0 }]
  try {
    while (stack.length > 0) {
      const { v, path, depth } = stack.pop()!
      if (--budget < 0) fail(rootPath, `more than ${maxNodes} values`)
      if (typeof v === 'string' || typeof v === 'boolean') continue
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) fail(path, 'number is not finite')
        continue
      }
      if (typeof v !== 'object') fail(path, `${typeof v} is not a JSON value`)
      if (v === null) continue
      if (depth >= maxDepth) fail(path, `nested deeper than ${maxDepth} levels`)
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) fail(path, 'not a plain array')
        if (v.length > budget) fail(path, `array of ${v.length} items exceeds the size limit`)
        for (let i = v.length - 1; i >= 0; i--) {
          const d = Object.getOwnPropertyDescriptor(v, i)
          if (d === undefined) fail(`${path}[${i}]`, 'hole in array')
          if (!('value' in d!)) fail(`${path}[${i}]`, 'accessor property')
          if (d!.value === undefined) fail(`${path}[${i}]`, 'undefined in array')
          stack.push({ v: d!.value, path: `${path}[${i}]`, depth: depth + 1 })
        }
        continue
      }
      const proto = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) fail(path, 'object is not a plain object')
      if (Object.getOwnPropertySymbols(v).length > 0) fail(path, 'symbol keys')
      const keys = Object.keys(v as object)
      if (keys.length > budget) fail(path, 'object exceeds the size limit')
      for (const key of keys) {
        const p = `${path}.${key.length > 40 ? `${key.slice(0, 40)}…` : key}`
        if (key === '__proto__') fail(p, '"__proto__" keys are not allowed')
        const d = Object.getOwnPropertyDescriptor(v, key)
        if (d === undefined || !('value' in d)) fail(p, 'accessor property')
        if (d!.value === undefined) continue
        stack.push({ v: d!.value, path: p, depth: depth + 1 })
      }
    }
  } catch (e) {
    return (e as Error).message
  }
  return null
}

function outcome(f: () => void): string | null {
  try {
    f()
    return null
  } catch (e) {
    expect(e).toBeInstanceOf(MessagingError)
    expect((e as MessagingError).code).toBe('ERR_BODY_INVALID')
    return (e as MessagingError).message
  }
}

const hostile = fc.oneof(
  fc.constant(Number.NaN),
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.constant(new Date(0)),
  fc.constant(Object.create({ x: 1 })),
  fc.constant(JSON.parse('{"__proto__":{"a":1}}')),
  fc.constant(Object.assign(new Array(3), { 0: 1, 2: 3 })), // a hole at [1]
  fc.constant(Object.defineProperty({}, 'g', { get: () => 1, enumerable: true })),
  fc.constant(10n),
)
const values = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    hostile,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 5 }), fc.constant('__proto__')), tie('v'), {
      maxKeys: 4,
    }),
  ),
})).v

describe('scanJson (quick pass + reporting pass)', () => {
  it('reports exactly what the path-building scan reports, on hostile values and limits', () => {
    fc.assert(
      fc.property(
        values,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 40 }),
        (v, depth, nodes) => {
          const want = referenceScan(v, 'body', depth, nodes)
          const got = outcome(() =>
            scanJson(v, 'body', 'ERR_BODY_INVALID', { maxDepth: depth, maxNodes: nodes }),
          )
          expect(got).toBe(want)
        },
      ),
      { numRuns: 400 },
    )
  })

  it('parsed mode gives the same outcome as the full scan on JSON.parse output', () => {
    const text = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(fc.string({ maxLength: 5 }), fc.constant('__proto__')), tie('v'), {
          maxKeys: 4,
        }),
      ),
    })).v
    fc.assert(
      fc.property(
        text,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 40 }),
        (v, depth, nodes) => {
          // Re-serialise by hand so "__proto__" keys survive as own keys of the parsed value.
          const parsed: unknown = JSON.parse(JSON.stringify(v, (_k, x) => x))
          const limits = { maxDepth: depth, maxNodes: nodes }
          const full = outcome(() => scanJson(parsed, 'body', 'ERR_BODY_INVALID', limits))
          const quick = outcome(() => scanJson(parsed, 'body', 'ERR_BODY_INVALID', limits, true))
          expect(quick).toBe(full)
          expect(full).toBe(referenceScan(parsed, 'body', depth, nodes))
        },
      ),
      { numRuns: 300 },
    )
    const proto = JSON.parse('{"a":[{"__proto__":1}]}')
    expect(outcome(() => scanJson(proto, 'body', 'ERR_BODY_INVALID', {}, true))).toBe(
      'body.a[0].__proto__: "__proto__" keys are not allowed',
    )
  })

  it('a Proxy that throws from a trap, or answers differently on a second read, is refused', () => {
    const throwing = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap')
        },
      },
    )
    expect(outcome(() => scanJson({ a: throwing }, 'body', 'ERR_BODY_INVALID'))).toBe(
      'body: input could not be read as JSON data',
    )
    let reads = 0
    const fickle = new Proxy(
      { a: 1 },
      {
        getOwnPropertyDescriptor(t, k) {
          // Object.keys reads the descriptor too: the quick pass makes two reads, then the value changes.
          reads++
          return reads <= 2
            ? { value: Number.NaN, writable: true, enumerable: true, configurable: true }
            : Reflect.getOwnPropertyDescriptor(t, k)
        },
      },
    )
    expect(outcome(() => scanJson(fickle, 'body', 'ERR_BODY_INVALID'))).toBe(
      'body: input could not be read as JSON data',
    )
  })
})
