/**
 * Application-defined body types: registration rules, override of built-in types, wrapping of
 * validator errors.
 */
import { describe, expect, it } from 'vitest'
import { MessagingError } from '../../src/errors.js'
import { createBodyRegistry, verifyMessageBody } from '../../src/message/verify.js'
import { caught } from '../helpers/expect-error.js'

describe('createBodyRegistry', () => {
  it('a registered type is validated by its validator; without the registry it is unknown', () => {
    const registry = createBodyRegistry()
    const seen: unknown[] = []
    registry.register('x-ping', (c) => {
      seen.push(c)
      if (typeof c !== 'number') throw new TypeError('ping needs a number')
    })
    expect(registry.has('x-ping')).toBe(true)
    expect(registry.types()).toEqual(['x-ping'])
    verifyMessageBody({ type: 'x-ping', content: 5 }, { registry })
    expect(seen).toEqual([5])
    expect(caught(() => verifyMessageBody({ type: 'x-ping', content: 5 }))?.code).toBe(
      'ERR_BODY_TYPE_UNKNOWN',
    )
  })

  it('non-MessagingError throws are wrapped as ERR_BODY_INVALID with the error name and cause', () => {
    const registry = createBodyRegistry()
    const boom = new RangeError('too big')
    registry.register('x-a', () => {
      throw boom
    })
    registry.register('x-b', () => {
      throw 'a string'
    })
    const e = caught(() => verifyMessageBody({ type: 'x-a', content: 1 }, { registry }))
    expect(e?.code).toBe('ERR_BODY_INVALID')
    expect(e?.sdkError).toBe('RangeError')
    expect(e?.cause).toBe(boom)
    expect(e?.message).toMatch(/too big/)
    expect(caught(() => verifyMessageBody({ type: 'x-b', content: 1 }, { registry }))?.code).toBe(
      'ERR_BODY_INVALID',
    )
  })

  it('MessagingErrors thrown by a validator pass through unchanged', () => {
    const registry = createBodyRegistry()
    const mine = new MessagingError('ERR_DID_INVALID', 'custom')
    registry.register('x-a', () => {
      throw mine
    })
    expect(caught(() => verifyMessageBody({ type: 'x-a', content: 1 }, { registry }))).toBe(mine)
  })

  it('registering a built-in type replaces nothing unless { override: true }', () => {
    const registry = createBodyRegistry()
    const e = caught(() => registry.register('error', () => {}))
    expect(e?.code).toBe('ERR_ARGUMENT_INVALID')
    expect(registry.has('error')).toBe(false)
    // built-in validation still applies
    expect(caught(() => verifyMessageBody({ type: 'error', content: 'x' }, { registry }))?.code).toBe(
      'ERR_BODY_INVALID',
    )
    registry.register('error', () => {}, { override: true })
    expect(caught(() => verifyMessageBody({ type: 'error', content: 'x' }, { registry }))).toBeUndefined()
  })

  it('registering a custom type twice needs override', () => {
    const registry = createBodyRegistry()
    registry.register('x-a', () => {})
    expect(caught(() => registry.register('x-a', () => {}))?.code).toBe('ERR_ARGUMENT_INVALID')
    registry.register(
      'x-a',
      () => {
        throw new Error('second')
      },
      { override: true },
    )
    expect(caught(() => verifyMessageBody({ type: 'x-a', content: 1 }, { registry }))?.message).toMatch(
      /second/,
    )
  })

  it('bad arguments are ERR_ARGUMENT_INVALID', () => {
    const registry = createBodyRegistry()
    for (const [type, fn] of [
      ['', () => {}],
      ['x'.repeat(300), () => {}],
      [5, () => {}],
      ['x-a', 'not a function'],
    ] as const) {
      expect(caught(() => registry.register(type as string, fn as () => void))?.code).toBe(
        'ERR_ARGUMENT_INVALID',
      )
    }
  })

  it('a registry not made by createBodyRegistry is refused', () => {
    const fake = { get: () => () => {}, has: () => true, register: () => {}, types: () => [] }
    expect(caught(() => verifyMessageBody({ type: 'x', content: 1 }, { registry: fake }))?.code).toBe(
      'ERR_ARGUMENT_INVALID',
    )
  })

  it('custom bodies are still scanned for hostile input before the validator runs', () => {
    const registry = createBodyRegistry()
    let called = false
    registry.register('x-a', () => {
      called = true
    })
    const body = JSON.parse('{"type":"x-a","content":{"__proto__":{}}}')
    expect(caught(() => verifyMessageBody(body, { registry }))?.code).toBe('ERR_BODY_INVALID')
    expect(called).toBe(false)
  })
})
