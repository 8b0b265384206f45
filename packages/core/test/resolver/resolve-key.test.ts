import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MessagingError } from '../../src/errors.js'
import { toHex } from '../../src/lib/bytes.js'
import { composeResolvers, createLightResolver, createRegistryResolver } from '../../src/resolver/index.js'
import { resolveKeyWith } from '../../src/resolver/lib/resolve-key.js'
import type { DidResolutionResult, DidResolver } from '../../src/resolver/types.js'
import { expectRejection, rejectionCode } from '../helpers/expect-error.js'
import { did, fullDocument, vectors } from './fixtures.js'

/** A resolver whose `resolveKey` runs the shared ladder over a fixed result (no sanitising in between). */
function fixed(result: DidResolutionResult): Pick<DidResolver, 'resolveKey'> {
  return {
    resolveKey: (keyUri, relationship, options) =>
      resolveKeyWith(() => result, false, keyUri, relationship, options),
  }
}

const alice = did('alice')
const bob = did('bob')
const eve = did('eve')
const bobFull = fullDocument('bob')
const bobAuthUri = `${bobFull.uri}${bobFull.authentication[0].id}`
const bobEncUri = `${bobFull.uri}${bobFull.keyAgreement![0]!.id}`

describe('resolveKey ladder (SDK §7.6 order, our codes)', () => {
  const light = createLightResolver()

  it('ERR_ARGUMENT_INVALID: not a string, unknown relationship, bad options', async () => {
    await expect(rejectionCode(light.resolveKey(42 as unknown as string))).resolves.toBe(
      'ERR_ARGUMENT_INVALID',
    )
    await expect(
      rejectionCode(light.resolveKey(alice.encKeyUri!, 'encryption' as 'keyAgreement')),
    ).resolves.toBe('ERR_ARGUMENT_INVALID')
    await expect(
      rejectionCode(light.resolveKey(alice.encKeyUri!, undefined, { signal: 5 } as never)),
    ).resolves.toBe('ERR_ARGUMENT_INVALID')
  })

  it('ERR_DID_INVALID before ERR_DID_FRAGMENT (the SDK parses first)', async () => {
    for (const uri of [
      '',
      'nope',
      'did:kilt:4abc',
      'did:kilt:light:',
      `${alice.uri}#`,
      `${alice.uri}#a#b`,
      `${alice.uri}#a\nb`,
    ])
      await expect(rejectionCode(light.resolveKey(uri)), uri).resolves.toBe('ERR_DID_INVALID')
    await expect(rejectionCode(light.resolveKey(`did:kilt:${'4'.repeat(48)}`))).resolves.toBe(
      'ERR_DID_ADDRESS_INVALID',
    )
    await expect(rejectionCode(light.resolveKey(`${alice.shortUri}:zzzz#encryption`))).resolves.toMatch(
      /^ERR_DID_/,
    )
  })

  it('ERR_DID_FRAGMENT without fragment', async () => {
    await expect(rejectionCode(light.resolveKey(alice.uri))).resolves.toBe('ERR_DID_FRAGMENT')
    await expect(rejectionCode(light.resolveKey(bobFull.uri))).resolves.toBe('ERR_DID_FRAGMENT')
  })

  it('ERR_DID_NOT_FOUND, ERR_DID_DEACTIVATED, ERR_DID_UPGRADED from the resolution', async () => {
    await expect(rejectionCode(light.resolveKey(bobAuthUri))).resolves.toBe('ERR_DID_NOT_FOUND')
    await expect(
      rejectionCode(fixed({ metadata: { deactivated: true } }).resolveKey(bobAuthUri)),
    ).resolves.toBe('ERR_DID_DEACTIVATED')
    await expect(
      rejectionCode(fixed({ metadata: {}, error: 'deactivated' }).resolveKey(bobAuthUri)),
    ).resolves.toBe('ERR_DID_DEACTIVATED')
    // No document and no canonicalId: deleted (SDK `DidDeactivatedError`).
    await expect(
      rejectionCode(fixed({ metadata: { deactivated: false } }).resolveKey(bobAuthUri)),
    ).resolves.toBe('ERR_DID_DEACTIVATED')
    const registry = createRegistryResolver([fullDocument('bob')])
    await expect(rejectionCode(registry.resolveKey(bob.encKeyUri!))).resolves.toBe('ERR_DID_UPGRADED')
  })

  it('upgraded wins over a present document (SDK checks canonicalId first)', async () => {
    const result = {
      document: bobFull,
      metadata: { deactivated: false, canonicalId: `did:kilt:${alice.address}` as const },
    }
    await expect(rejectionCode(fixed(result).resolveKey(bobAuthUri))).resolves.toBe('ERR_DID_UPGRADED')
    // A canonicalId equal to the DID itself is not an upgrade.
    const self = { document: bobFull, metadata: { deactivated: false, canonicalId: bobFull.uri } }
    await expect(rejectionCode(fixed(self).resolveKey(bobAuthUri))).resolves.toBe('resolved')
  })

  it('ERR_RESOLVER_FAILED for internalError and methodNotSupported; ERR_DID_INVALID for invalidDid', async () => {
    await expect(
      rejectionCode(fixed({ metadata: {}, error: 'internalError' }).resolveKey(bobAuthUri)),
    ).resolves.toBe('ERR_RESOLVER_FAILED')
    await expect(
      rejectionCode(fixed({ metadata: {}, error: 'methodNotSupported' }).resolveKey(bobAuthUri)),
    ).resolves.toBe('ERR_RESOLVER_FAILED')
    await expect(
      rejectionCode(fixed({ metadata: {}, error: 'invalidDid' }).resolveKey(bobAuthUri)),
    ).resolves.toBe('ERR_DID_INVALID')
  })

  it('ERR_KEY_NOT_FOUND with the SDK message (vector e02: eve has no key agreement key)', async () => {
    const e02 = vectors.encryptNegative.find((v: { id: string }) => v.id.startsWith('e02'))
    const error = await expectRejection(
      light.resolveKey(e02.receiverKeyUri, 'keyAgreement'),
      'ERR_KEY_NOT_FOUND',
      e02.error.name,
    )
    expect(error.message).toBe(e02.error.message)
    await expect(rejectionCode(light.resolveKey(`${eve.uri}#authentication`, 'keyAgreement'))).resolves.toBe(
      'ERR_KEY_RELATIONSHIP',
    )
    await expect(
      rejectionCode(fixed({ document: bobFull, metadata: {} }).resolveKey(`${bobFull.uri}#0x00`)),
    ).resolves.toBe('ERR_KEY_NOT_FOUND')
  })

  it('ERR_KEY_RELATIONSHIP with the SDK message (vector e03)', async () => {
    const e03 = vectors.encryptNegative.find((v: { id: string }) => v.id.startsWith('e03'))
    const error = await expectRejection(
      light.resolveKey(e03.receiverKeyUri, 'keyAgreement'),
      'ERR_KEY_RELATIONSHIP',
      e03.error.name,
    )
    expect(error.message).toBe(e03.error.message)
    const full = fixed({ document: bobFull, metadata: {} })
    await expect(rejectionCode(full.resolveKey(bobEncUri, 'authentication'))).resolves.toBe(
      'ERR_KEY_RELATIONSHIP',
    )
    await expect(rejectionCode(full.resolveKey(bobAuthUri, 'assertionMethod'))).resolves.toBe(
      'ERR_KEY_RELATIONSHIP',
    )
  })

  it('finds keys under any relationship when none is required', async () => {
    const full = fixed({ document: bobFull, metadata: {} })
    const key = await full.resolveKey(bobEncUri)
    expect(key).toEqual({
      id: bobEncUri,
      controller: bobFull.uri,
      type: 'x25519',
      publicKey: bob.encPublicKey,
    })
    expect(Object.isFrozen(key)).toBe(true)
  })

  it('every resolver uses the same ladder', async () => {
    const resolvers = [createLightResolver(), createRegistryResolver(), composeResolvers({})]
    for (const r of resolvers) {
      await expect(rejectionCode(r.resolveKey(alice.uri))).resolves.toBe('ERR_DID_FRAGMENT')
      await expect(rejectionCode(r.resolveKey(`${alice.uri}#nope`))).resolves.toBe('ERR_KEY_NOT_FOUND')
      await expect(rejectionCode(r.resolveKey(alice.authKeyUri, 'keyAgreement'))).resolves.toBe(
        'ERR_KEY_RELATIONSHIP',
      )
      expect(toHex((await r.resolveKey(alice.encKeyUri!, 'keyAgreement')).publicKey)).toBe(
        toHex(alice.encPublicKey!),
      )
    }
  })
})

describe('resolveKey with garbage (fast-check)', () => {
  const registry = createRegistryResolver([fullDocument('bob')])
  const resolvers = [createLightResolver(), composeResolvers({ resolvers: [registry] })]
  const relationships = fc.constantFrom(
    undefined,
    'authentication',
    'keyAgreement',
    'assertionMethod',
    'bogus',
  )
  const base = [alice.encKeyUri!, bob.authKeyUri, bobEncUri, `${eve.uri}#authentication`]

  async function onlyMessagingErrors(resolver: DidResolver, uri: unknown, rel: unknown): Promise<void> {
    try {
      const key = await resolver.resolveKey(uri as string, rel as 'keyAgreement')
      expect(key.id).toBe(uri)
    } catch (e) {
      if (!(e instanceof MessagingError)) throw e
    }
  }

  it('random strings end in MessagingError only', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()),
        relationships,
        async (s, rel) => {
          for (const r of resolvers) await onlyMessagingErrors(r, s, rel)
          for (const r of resolvers) expect((await r.resolve(s as string)).error).toBeDefined()
        },
      ),
      { numRuns: 60 },
    )
  })

  it('mutated key URIs end in a key or a MessagingError only', async () => {
    const mutation = fc.record({
      which: fc.nat(base.length - 1),
      at: fc.nat(400),
      cut: fc.nat(3),
      insert: fc.oneof(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3, unit: 'binary' })),
    })
    await fc.assert(
      fc.asyncProperty(mutation, relationships, async ({ which, at, cut, insert }, rel) => {
        const uri = base[which]!
        const i = at % (uri.length + 1)
        const mutated = uri.slice(0, i) + insert + uri.slice(i + cut)
        for (const r of resolvers) await onlyMessagingErrors(r, mutated, rel)
        for (const r of resolvers) {
          const result = await r.resolve(mutated)
          expect(result.error === undefined || typeof result.errorMessage === 'string').toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })
})
