import { describe, expect, it } from 'vitest'
import { lastPair } from '../../src/lib/last-pair.js'

describe('lastPair', () => {
  it('builds again whenever either argument differs from the last call, and only then', () => {
    const calls: unknown[][] = []
    const f = lastPair((a: string | undefined, b: string) => {
      calls.push([a, b])
      return `${a}/${b}`
    })
    // the first call is built even for arguments that equal the initial (empty) state
    expect(f(undefined, '')).toBe('undefined/')
    expect(f(undefined, '')).toBe('undefined/')
    expect(f('r', 's')).toBe('r/s')
    expect(f('r', 's')).toBe('r/s')
    expect(f('r', 't')).toBe('r/t')
    expect(f('q', 't')).toBe('q/t')
    expect(f('r', 's')).toBe('r/s')
    expect(calls).toEqual([
      [undefined, ''],
      ['r', 's'],
      ['r', 't'],
      ['q', 't'],
      ['r', 's'],
    ])
  })
})
