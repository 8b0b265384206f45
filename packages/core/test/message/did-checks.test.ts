import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLightDid, didOf, didSubject } from '../../src/did/index.js'
import { ss58Decode } from '../../src/did/lib/ss58.js'
import { authKeyTypeOf, matchDid, parseDidShared } from '../../src/did/lib/uri.js'
import { plainDid, resourceUri } from '../../src/message/lib/did-checks.js'

function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() }
  } catch (e) {
    return { error: (e as { code?: string }).code }
  }
}

const light = createLightDid({
  authentication: [{ type: 'ed25519', publicKey: new Uint8Array(32).fill(3) }],
  keyAgreement: [{ type: 'x25519', publicKey: new Uint8Array(32).fill(4) }],
}).uri
const full = `did:kilt:${didSubject(light)}`
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const anyLight = fc
  .record({
    auth: fc.constantFrom('sr25519', 'ed25519'),
    authKey: key32,
    enc: fc.option(key32, { nil: undefined }),
  })
  .map(
    ({ auth, authKey, enc }) =>
      createLightDid({
        authentication: [{ type: auth as 'sr25519' | 'ed25519', publicKey: authKey }],
        ...(enc === undefined ? {} : { keyAgreement: [{ type: 'x25519' as const, publicKey: enc }] }),
      }).uri,
  )
const tails = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.constantFrom('', '#', '##a', '#a#b', '#a\nb', '#encryption', '#\u00e9', '#0x12', ':z#a', '#a:b'),
)

/** The parse of `uri` from the grammar and the address check alone (no cache involved). */
function uncachedParse(uri: string): unknown {
  return outcome(() => {
    const m = matchDid(uri)
    ss58Decode(m.address)
    return {
      did: m.did,
      type: m.type,
      address: m.address,
      fragment: m.fragment,
      authKeyType: authKeyTypeOf(m.authKeyTypeEncoding),
      authKeyTypeEncoding: m.authKeyTypeEncoding,
      encodedDetails: m.encodedDetails,
    }
  })
}

function cachedParse(uri: string): unknown {
  return outcome(() => {
    const p = parseDidShared(uri)
    return {
      did: p.did,
      type: p.type,
      address: p.address,
      fragment: p.fragment,
      authKeyType: p.authKeyType,
      authKeyTypeEncoding: p.authKeyTypeEncoding,
      encodedDetails: p.encodedDetails,
    }
  })
}

describe('DID checks: URIs of cached DIDs', () => {
  it('parse `did + anything` as the grammar does, once the DID is cached (the fragment shortcut)', () => {
    fc.assert(
      fc.property(fc.oneof(anyLight, fc.constantFrom(light, full)), tails, (did, tail) => {
        parseDidShared(did) // caches the DID: `did#…` may now be derived from it
        const uri = `${did}${tail}`
        const expected = uncachedParse(uri)
        expect(cachedParse(uri)).toEqual(expected)
        expect(cachedParse(uri)).toEqual(expected) // and again, from the cache
        if ('ok' in (expected as object)) {
          const p = parseDidShared(uri)
          expect(p.addressPublicKey).toEqual(ss58Decode(p.address))
          expect(Object.isFrozen(p)).toBe(true)
        }
      }),
      { numRuns: 400 },
    )
  })

  it('give the DID layer answers for any fragment, once the DID is cached', () => {
    fc.assert(
      fc.property(fc.constantFrom(light, full), tails, (did, tail) => {
        plainDid(did) // caches the DID
        const uri = `${did}${tail}`
        const grammar = uncachedParse(uri) as { ok?: { did: string; address: string }; error?: string }
        const layer =
          grammar.ok === undefined ? grammar : { ok: { did: grammar.ok.did, subject: grammar.ok.address } }
        const ours = outcome(() => ({ did: didOf(uri), subject: didSubject(uri) }))
        expect(ours).toEqual(layer)
        if (grammar.ok !== undefined && tail.length > 0) {
          const hasFragment = grammar.ok.did.length < uri.length
          expect(outcome(() => resourceUri(uri))).toEqual(
            hasFragment ? { ok: uri } : { error: 'ERR_DID_FRAGMENT' },
          )
        }
      }),
      { numRuns: 300 },
    )
  })
})
