/**
 * The message layer resolves a light DID's `#encryption` key without building the DID's document
 * (resolver/lib/resolve-key `lightKeySync`, did/light-did `lightAgreementKeyOnly`). Whatever the
 * key URI, it must answer exactly what the resolver ladder answers: the same key, or the same error.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLightDid } from '../../src/did/light-did.js'
import { MessagingError } from '../../src/errors.js'
import { toHex } from '../../src/lib/bytes.js'
import { createLightResolver } from '../../src/resolver/index.js'
import { lightKeySync } from '../../src/resolver/lib/resolve-key.js'

type Outcome = { key: Record<string, unknown> } | { code: string; message: string }
type Key = { id: string; controller: string; publicKey: Uint8Array; type: string }

const keyOutcome = (k: Key): Outcome => ({
  key: { id: k.id, controller: k.controller, publicKey: toHex(k.publicKey), type: k.type },
})

function errorOutcome(e: unknown): Outcome {
  if (!(e instanceof MessagingError)) throw e
  return { code: e.code, message: e.message }
}

function outcomeOf(run: () => Key): Outcome {
  try {
    return keyOutcome(run())
  } catch (e) {
    return errorOutcome(e)
  }
}

async function ladderOutcome(uri: string): Promise<Outcome> {
  try {
    return keyOutcome(await createLightResolver().resolveKey(uri, 'keyAgreement'))
  } catch (e) {
    return errorOutcome(e)
  }
}

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const service = fc.record({
  id: fc.constantFrom('#inbox', '#a', '#relay-2'),
  type: fc.constant(['KiltMessagingInbox']),
  serviceEndpoint: fc.constantFrom(
    ['https://example.com/inbox'],
    ['x:y'],
    ['https://a.example', 'https://b.example'],
  ),
})
const lightDid = fc
  .record({
    auth: fc.constantFrom('sr25519', 'ed25519'),
    authKey: key32,
    enc: fc.option(key32, { nil: undefined }),
    services: fc.array(service, { maxLength: 2 }),
  })
  .map(
    ({ auth, authKey, enc, services }) =>
      createLightDid({
        authentication: [{ type: auth as 'sr25519' | 'ed25519', publicKey: authKey }],
        ...(enc === undefined ? {} : { keyAgreement: [{ type: 'x25519' as const, publicKey: enc }] }),
        // distinct ids only
        service: services
          .filter((s, i) => services.findIndex((t) => t.id === s.id) === i)
          .map((s) => ({ id: s.id, type: [...s.type], serviceEndpoint: [...s.serviceEndpoint] })),
      }).uri,
  )
// edits that keep a URI close to valid: base58 digits, separators, a digit of the key type code
const edit = fc.record({
  at: fc.nat(300),
  cut: fc.nat(2),
  insert: fc.oneof(
    fc.constant(''),
    fc.constantFrom('1', 'z', 'Z', '#', ':', '0', '2', '\n', '#encryption'),
    fc.string({ maxLength: 2, unit: 'binary' }),
  ),
})

describe('light-DID key fast path (lightKeySync) agrees with the resolver ladder', () => {
  it('for #encryption and other fragments of generated light DIDs', async () => {
    await fc.assert(
      fc.asyncProperty(
        lightDid,
        fc.constantFrom('#encryption', '#authentication', '#x', ''),
        async (did, f) => {
          const uri = `${did}${f}`
          expect(outcomeOf(() => lightKeySync(uri, 'keyAgreement'))).toEqual(await ladderOutcome(uri))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('for edited key URIs (every outcome, key or error code and message, is the same)', async () => {
    await fc.assert(
      fc.asyncProperty(lightDid, edit, async (did, { at, cut, insert }) => {
        const base = `${did}#encryption`
        const i = at % (base.length + 1)
        const uri = base.slice(0, i) + insert + base.slice(i + cut)
        // lightKeySync serves light DIDs only; a full DID goes to the caller's resolver
        if (!uri.startsWith('did:kilt:light:')) return
        expect(outcomeOf(() => lightKeySync(uri, 'keyAgreement'))).toEqual(await ladderOutcome(uri))
      }),
      { numRuns: 1000 },
    )
  })

  it('for other key type codes and edited details (each part of the URI edited on its own)', async () => {
    const parts = fc.record({
      code: fc.constantFrom('00', '01', '02', '10', '99'),
      at: fc.nat(200),
      cut: fc.nat(2),
      insert: fc.constantFrom('', '1', 'z', '2', 'Q', ':', '#'),
    })
    await fc.assert(
      fc.asyncProperty(lightDid, parts, async (did, { code, at, cut, insert }) => {
        // did:kilt:light:<code><address>[:<details>]
        const rest = did.slice('did:kilt:light:'.length + 2)
        const colon = rest.indexOf(':')
        const details = colon < 0 ? '' : rest.slice(colon)
        const i = details.length === 0 ? 0 : at % details.length
        const edited = details.slice(0, i) + insert + details.slice(i + cut)
        const head = colon < 0 ? rest : rest.slice(0, colon)
        const uri = `did:kilt:light:${code}${head}${edited}#encryption`
        expect(outcomeOf(() => lightKeySync(uri, 'keyAgreement'))).toEqual(await ladderOutcome(uri))
      }),
      { numRuns: 500 },
    )
  })
})
