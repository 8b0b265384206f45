/**
 * @module keys/lib/random
 * CSPRNG bytes from the platform (`globalThis.crypto.getRandomValues`: Web Crypto, Node ≥ 19, Deno, Bun).
 */

/** Fills a new array of `length` bytes from the platform CSPRNG. Throws a `TypeError` when there is none. */
export function randomBytes(length: number): Uint8Array {
  const c = globalThis.crypto
  if (c === undefined || typeof c.getRandomValues !== 'function')
    throw new TypeError('no CSPRNG: globalThis.crypto.getRandomValues is not available')
  const out = new Uint8Array(length)
  // getRandomValues accepts at most 65536 bytes per call.
  for (let o = 0; o < length; o += 65536) c.getRandomValues(out.subarray(o, Math.min(length, o + 65536)))
  return out
}
