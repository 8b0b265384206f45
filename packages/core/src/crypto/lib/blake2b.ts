/**
 * @module crypto/lib/blake2b
 * Unkeyed BLAKE2b for the hot path (message ids: 32 bytes of a 36-byte uuid; SS58 checksums:
 * 64 bytes of a 40-byte input). `@noble/hashes` is the portable implementation and always
 * available; when the sodium backend has been loaded (Node with `sodium-native`), libsodium's
 * `crypto_generichash` — the same function, natively — answers instead, but only after it has
 * reproduced noble's output on a known-answer set. Both paths give identical bytes.
 */
import { blake2b as nobleBlake2b } from '@noble/hashes/blake2.js'

/** A native unkeyed BLAKE2b writing `out.length` (16…64) bytes of digest of `input` into `out`. */
export type NativeBlake2b = (out: Uint8Array, input: Uint8Array) => void

let native: NativeBlake2b | undefined

/**
 * Unkeyed BLAKE2b of `input` with a `dkLen`-byte digest (noble, or the verified native function).
 * @param dkLen - 16…64
 */
export function blake2b(input: Uint8Array, dkLen: number): Uint8Array {
  if (native !== undefined) {
    const digest = outScratch.subarray(0, dkLen)
    native(digest, nativeInput(input))
    return digest.slice()
  }
  return nobleBlake2b(input, { dkLen })
}

// Native code reads a small typed array only after V8 has moved it out of its heap (a malloc and a
// copy, ~0.6 µs, then a sweep): short inputs (an SS58 checksum's 40 bytes) and the digest go
// through reused arrays instead. Digests of addresses and ids are public: no wiping needed.
const SMALL_INPUT = 256
const inScratch = new Uint8Array(SMALL_INPUT)
const outScratch = new Uint8Array(64)

function nativeInput(input: Uint8Array): Uint8Array {
  if (input.length > SMALL_INPUT) return input
  inScratch.set(input)
  return inScratch.subarray(0, input.length)
}

/**
 * Unkeyed BLAKE2b of `input` with an `out.length`-byte digest (16…64), written into `out`: no
 * allocation on the native path (`out` should be a reused array, see above).
 */
export function blake2bInto(out: Uint8Array, input: Uint8Array): void {
  if (native !== undefined) native(out, input)
  else out.set(nobleBlake2b(input, { dkLen: out.length }))
}

/** The name of the implementation in use (diagnostics and tests). */
export function blake2bImplementation(): 'native' | 'noble' {
  return native === undefined ? 'noble' : 'native'
}

function sample(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

// Lengths around the 128-byte block boundary and the hot-path sizes, both digest lengths.
const KAT_LENGTHS = [0, 1, 36, 40, 127, 128, 129, 256, 1000]

/**
 * Installs `fn` as the native BLAKE2b when it reproduces noble on the known-answer set
 * (digests of 16, 32 and 64 bytes); `undefined` goes back to noble. Never throws.
 * @returns true when `fn` is now in use
 */
export function useNativeBlake2b(fn: NativeBlake2b | undefined): boolean {
  if (fn === undefined) {
    native = undefined
    return false
  }
  try {
    for (const length of KAT_LENGTHS)
      for (const dkLen of [16, 32, 64]) {
        const input = sample(length, length * 131 + dkLen)
        const expected = nobleBlake2b(input, { dkLen })
        const got = new Uint8Array(dkLen)
        fn(got, input)
        for (let i = 0; i < dkLen; i++) if (got[i] !== expected[i]) return false
      }
  } catch {
    return false
  }
  native = fn
  return true
}
