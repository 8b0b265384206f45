import { base58 } from '@scure/base'
import { decode, type TagDecodeControl } from 'cborg'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeLightDetails, encodeLightDetails } from '../../src/did/lib/light-details.js'

/**
 * The CBOR decoder with the options of light-details.ts and its one rule on the result (a map),
 * independent of its key-only fast path.
 */
function viaCbor(details: string): unknown {
  const bytes = base58.decode(details.slice(1))
  const value: unknown = decode(bytes.subarray(1), {
    tags: Object.assign([], {
      64: (inner: TagDecodeControl) => {
        const v = inner()
        if (!(v instanceof Uint8Array)) throw new Error('tag 64 must wrap a byte string')
        return v
      },
    }),
    rejectDuplicateMapKeys: true,
    allowUndefined: false,
    allowBigInt: false,
  })
  // decodeLightDetails refuses anything but a map (e.g. the map header flipped into an array header)
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    throw new Error('not a CBOR map')
  return value
}

function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() }
  } catch (e) {
    return { error: (e as { code?: string }).code ?? 'thrown' }
  }
}

describe('light DID details: key-only fast path', () => {
  it('decodes key-only details exactly as the CBOR decoder does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (publicKey) => {
        const details = encodeLightDetails({ keyAgreement: { publicKey, type: 'x25519' } })!
        const got = decodeLightDetails(details)
        expect(got).toEqual(viaCbor(details))
        expect((got.e as { publicKey: Uint8Array }).publicKey).toEqual(publicKey)
      }),
      { numRuns: 100 },
    )
  })

  it('any single-byte change of the layout gives what the CBOR decoder gives (value or refusal)', () => {
    const publicKey = Uint8Array.from({ length: 32 }, (_, i) => i * 5)
    const details = encodeLightDetails({ keyAgreement: { publicKey, type: 'x25519' } })!
    const bytes = base58.decode(details.slice(1))
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const changed = bytes.slice()
        changed[at] = changed[at]! ^ xor
        const d = `z${base58.encode(changed)}`
        const got = outcome(() => decodeLightDetails(d))
        if (at === 0) expect(got).toEqual({ error: 'ERR_DID_DETAILS_INVALID' })
        else {
          const want = outcome(() => viaCbor(d))
          if ('ok' in (want as object)) expect(got).toEqual(want)
          else expect(got).toEqual({ error: 'ERR_DID_DETAILS_INVALID' })
        }
      }),
      { numRuns: 300 },
    )
    // Longer or shorter inputs never take the fast path.
    for (const extra of [bytes.subarray(0, bytes.length - 1), Uint8Array.from([...bytes, 0])]) {
      const d = `z${base58.encode(extra)}`
      const got = outcome(() => decodeLightDetails(d))
      const want = outcome(() => viaCbor(d))
      if ('ok' in (want as object)) expect(got).toEqual(want)
      else expect(got).toEqual({ error: 'ERR_DID_DETAILS_INVALID' })
    }
  })

  it('returns a fresh key each time (no aliasing of the decoded bytes)', () => {
    const publicKey = new Uint8Array(32).fill(7)
    const details = encodeLightDetails({ keyAgreement: { publicKey, type: 'x25519' } })!
    const a = decodeLightDetails(details).e as { publicKey: Uint8Array }
    a.publicKey.fill(0)
    expect((decodeLightDetails(details).e as { publicKey: Uint8Array }).publicKey).toEqual(publicKey)
  })
})
