import { describe, expect, it } from 'vitest'
import { exportToW3C } from '../../src/did/index.js'
import { MessagingError } from '../../src/errors.js'
import { toHex } from '../../src/lib/bytes.js'
import { createRegistryResolver, registryFromJson } from '../../src/resolver/index.js'
import { thrownCode } from '../helpers/expect-error.js'
import { did, fullDocument } from './fixtures.js'

describe('createRegistryResolver', () => {
  it('resolves registered full DIDs and notFound otherwise', async () => {
    const doc = fullDocument('bob')
    const registry = createRegistryResolver([doc])
    const result = await registry.resolve(doc.uri)
    expect(result.metadata).toEqual({ deactivated: false })
    expect(result.document?.uri).toBe(doc.uri)
    expect(toHex(result.document!.authentication[0].publicKey)).toBe(toHex(doc.authentication[0].publicKey))
    expect((await registry.resolve(fullDocument('alice').uri)).error).toBe('notFound')
    expect(registry.size).toBe(1)
  })

  it('copies documents: mutating the input later changes nothing', async () => {
    const doc = fullDocument('bob')
    const registry = createRegistryResolver([doc])
    doc.authentication[0].publicKey.fill(7)
    const result = await registry.resolve(doc.uri)
    expect(toHex(result.document!.authentication[0].publicKey)).toBe(toHex(did('bob').authPublicKey))
  })

  it('light DIDs decode offline, unless their address has a full DID (upgraded)', async () => {
    const registry = createRegistryResolver()
    const alice = did('alice')
    expect((await registry.resolve(alice.uri)).document?.uri).toBe(alice.uri)
    registry.add(fullDocument('alice'))
    const upgraded = await registry.resolve(alice.uri)
    expect(upgraded.document).toBeUndefined()
    expect(upgraded.metadata).toEqual({ deactivated: false, canonicalId: `did:kilt:${alice.address}` })
    await expect(registry.resolveKey(alice.encKeyUri!, 'keyAgreement')).rejects.toMatchObject({
      code: 'ERR_DID_UPGRADED',
    })
    // The full DID's keys work.
    const full = fullDocument('alice')
    const key = await registry.resolveKey(`${full.uri}${full.keyAgreement![0]!.id}`, 'keyAgreement')
    expect(key.controller).toBe(full.uri)
  })

  it('deactivate: the full DID and the light DIDs of its address resolve as deactivated', async () => {
    const doc = fullDocument('carol')
    const registry = createRegistryResolver([doc])
    registry.deactivate(doc.uri)
    expect(await registry.resolve(doc.uri)).toEqual({ metadata: { deactivated: true } })
    expect(await registry.resolve(did('carol').uri)).toEqual({ metadata: { deactivated: true } })
    await expect(registry.resolveKey(did('carol').encKeyUri!)).rejects.toMatchObject({
      code: 'ERR_DID_DEACTIVATED',
    })
    // Deactivating an unknown DID works like the chain's blacklist.
    registry.deactivate(`did:kilt:${did('dave').address}`)
    expect((await registry.resolve(did('dave').uri)).metadata.deactivated).toBe(true)
    // Re-adding clears the deactivation.
    registry.add(doc)
    expect((await registry.resolve(doc.uri)).document?.uri).toBe(doc.uri)
  })

  it('remove forgets documents and deactivations', async () => {
    const doc = fullDocument('erin')
    const registry = createRegistryResolver([doc])
    expect(registry.remove(doc.uri)).toBe(true)
    expect(registry.remove(doc.uri)).toBe(false)
    expect((await registry.resolve(doc.uri)).error).toBe('notFound')
    expect((await registry.resolve(did('erin').uri)).document?.uri).toBe(did('erin').uri)
  })

  it('validates documents and arguments', () => {
    const good = fullDocument('bob')
    const auth = good.authentication[0]
    expect(thrownCode(() => createRegistryResolver([{ ...good, uri: did('bob').uri }]))).toBe(
      'ERR_DID_DOCUMENT_INVALID',
    )
    expect(
      thrownCode(() => createRegistryResolver([{ ...good, uri: 'did:kilt:nope' as `did:kilt:${string}` }])),
    ).toBe('ERR_DID_DOCUMENT_INVALID')
    expect(
      thrownCode(() =>
        createRegistryResolver([{ ...good, authentication: [{ ...auth, publicKey: new Uint8Array(31) }] }]),
      ),
    ).toBe('ERR_KEY_INVALID')
    expect(
      thrownCode(() =>
        createRegistryResolver([{ ...good, authentication: [{ ...auth, type: 'x25519' as 'ed25519' }] }]),
      ),
    ).toBe('ERR_DID_DOCUMENT_INVALID')
    expect(
      thrownCode(() =>
        createRegistryResolver([{ ...good, authentication: [] as unknown as typeof good.authentication }]),
      ),
    ).toBe('ERR_DID_DOCUMENT_INVALID')
    expect(
      thrownCode(() =>
        createRegistryResolver([
          { ...good, keyAgreement: [{ id: auth.id, type: 'x25519', publicKey: new Uint8Array(32) }] },
        ]),
      ),
    ).toBe('ERR_DID_DOCUMENT_INVALID')
    expect(thrownCode(() => createRegistryResolver(null as unknown as []))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => createRegistryResolver([null as unknown as typeof good]))).toBe(
      'ERR_DID_DOCUMENT_INVALID',
    )
    const registry = createRegistryResolver()
    expect(thrownCode(() => registry.deactivate('nope'))).toBe('ERR_DID_INVALID')
    expect(thrownCode(() => registry.deactivate(`${good.uri}#x`))).toBe('ERR_DID_FRAGMENT')
    expect(thrownCode(() => registry.remove(3 as unknown as string))).toBe('ERR_ARGUMENT_INVALID')
  })
})

describe('registryFromJson', () => {
  const bob = fullDocument('bob')
  const carol = fullDocument('carol')

  it('reads an array of W3C documents of both generations', async () => {
    const json = JSON.parse(
      JSON.stringify([
        exportToW3C(bob, { format: 'kilt-0.3x' }),
        exportToW3C(carol, { format: 'multikey', contentType: 'application/ld+json' }),
      ]),
    )
    const registry = registryFromJson(json)
    expect(registry.size).toBe(2)
    for (const doc of [bob, carol]) {
      const result = await registry.resolve(doc.uri)
      expect(result.document?.uri).toBe(doc.uri)
      const id = doc.keyAgreement![0]!.id
      const key = await registry.resolveKey(`${doc.uri}${id}`, 'keyAgreement')
      expect(toHex(key.publicKey)).toBe(toHex(doc.keyAgreement![0]!.publicKey))
    }
  })

  it('reads { documents, deactivated }', async () => {
    const registry = registryFromJson({
      documents: [exportToW3C(bob)],
      deactivated: [`did:kilt:${did('dave').address}`],
    })
    expect((await registry.resolve(bob.uri)).document?.uri).toBe(bob.uri)
    expect((await registry.resolve(did('dave').uri)).metadata.deactivated).toBe(true)
  })

  it('validates strictly', () => {
    const bad: unknown[] = [
      null,
      'x',
      42,
      { documents: 'x' },
      { deactivated: {} },
      { documents: [], extra: 1 },
      [exportToW3C(bob), exportToW3C(bob)],
      [{ ...exportToW3C(bob), id: 'did:kilt:nope' }],
      [exportToW3C(fullDocument('bob')), { id: did('alice').uri }],
      { documents: [exportToW3C(bob)], deactivated: [bob.uri] },
      { deactivated: [did('alice').uri] },
      { deactivated: ['not a did'] },
      { deactivated: [7] },
    ]
    for (const json of bad) {
      let error: unknown
      try {
        registryFromJson(json)
      } catch (e) {
        error = e
      }
      expect(error, JSON.stringify(json)?.slice(0, 80)).toBeInstanceOf(MessagingError)
      expect((error as MessagingError).code).toBe('ERR_DID_DOCUMENT_INVALID')
    }
  })

  it('rejects a light DID document', () => {
    const alice = did('alice')
    expect(() =>
      registryFromJson([
        exportToW3C({
          uri: alice.uri,
          authentication: [{ id: '#authentication', type: 'sr25519', publicKey: alice.authPublicKey }],
        }),
      ]),
    ).toThrow(/full DID/)
  })
})
