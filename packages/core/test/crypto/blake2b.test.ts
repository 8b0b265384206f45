import { blake2AsU8a } from '@polkadot/util-crypto'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { loadBoxBackend } from '../../src/crypto/backend.js'
import {
  blake2b,
  blake2bImplementation,
  type NativeBlake2b,
  useNativeBlake2b,
} from '../../src/crypto/lib/blake2b.js'

interface SodiumHash {
  crypto_generichash(out: Uint8Array, input: Uint8Array): void
}
const spec = 'sodium-native' // untyped module: imported by name, typed here
const sodium = ((await import(spec)) as { default: SodiumHash }).default
const sodiumHash: NativeBlake2b = (out, input) => sodium.crypto_generichash(out, input)

describe('blake2b (hot-path hash)', () => {
  afterAll(() => {
    useNativeBlake2b(sodiumHash)
  })

  it('the sodium backend installs the native hash when loaded', async () => {
    const b = await loadBoxBackend('sodium')
    expect(b?.name).toBe('sodium')
    expect(blake2bImplementation()).toBe('native')
  })

  it('noble and native paths equal @polkadot/util-crypto blake2 on random inputs (32 and 64 bytes)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom(32, 64), (input, dkLen) => {
        const want = blake2AsU8a(input, (dkLen * 8) as 256 | 512)
        expect(useNativeBlake2b(undefined)).toBe(false)
        expect(blake2bImplementation()).toBe('noble')
        expect(blake2b(input, dkLen)).toEqual(want)
        expect(useNativeBlake2b(sodiumHash)).toBe(true)
        expect(blake2bImplementation()).toBe('native')
        expect(blake2b(input, dkLen)).toEqual(want)
      }),
      { numRuns: 100 },
    )
  })

  it('refuses a native function that does not reproduce noble, or that throws', () => {
    useNativeBlake2b(undefined)
    const wrong: NativeBlake2b = (out, input) => {
      sodium.crypto_generichash(out, input)
      if (input.length === 129) out[0] = out[0]! ^ 1
    }
    expect(useNativeBlake2b(wrong)).toBe(false)
    expect(blake2bImplementation()).toBe('noble')
    expect(
      useNativeBlake2b(() => {
        throw new Error('boom')
      }),
    ).toBe(false)
    expect(blake2bImplementation()).toBe('noble')
    expect(useNativeBlake2b(() => undefined)).toBe(false)
    expect(blake2bImplementation()).toBe('noble')
  })
})
