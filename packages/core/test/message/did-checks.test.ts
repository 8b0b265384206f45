import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLightDid, didOf, didSubject } from '../../src/did/index.js'
import { didPartOf, plainDid, resourceUri, subjectOf } from '../../src/message/lib/did-checks.js'

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

describe('message DID checks: key URIs of memoised DIDs', () => {
  it('give the DID layer answers for any fragment, once the DID is memoised', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(light, full),
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.string({ maxLength: 12, unit: 'binary' }),
          fc.constantFrom('', '#', '##a', '#a#b', '#a\nb', '#encryption', '#\u00e9', '#0x12'),
        ),
        (did, tail) => {
          plainDid(did) // memoises the DID
          const uri = `${did}${tail}`
          const layer = outcome(() => ({ did: didOf(uri), subject: didSubject(uri) }))
          const ours = outcome(() => ({ did: didPartOf(uri), subject: subjectOf(uri) }))
          expect(ours).toEqual(layer)
          if ('ok' in (layer as object) && tail.length > 0) {
            const hasFragment = (layer as { ok: { did: string } }).ok.did.length < uri.length
            expect(outcome(() => resourceUri(uri))).toEqual(
              hasFragment ? { ok: uri } : { error: 'ERR_DID_FRAGMENT' },
            )
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
