import { describe, expect, it } from 'vitest'
import { toHex } from '../../src/lib/bytes.js'
import { createLightResolver, defaultResolver } from '../../src/resolver/index.js'
import { rejectionCode } from '../helpers/expect-error.js'
import { did, fullDocument, vectors } from './fixtures.js'

describe('createLightResolver', () => {
  const resolver = createLightResolver()

  it('resolves every vector light DID offline, with deactivated: false', async () => {
    for (const [name, d] of Object.entries(vectors.dids) as [string, { uri: string }][]) {
      const result = await resolver.resolve(d.uri)
      expect(result.error, name).toBeUndefined()
      expect(result.metadata).toEqual({ deactivated: false })
      expect(result.document?.uri).toBe(d.uri)
    }
  })

  it('ignores a fragment in resolve (SDK semantics)', async () => {
    const alice = did('alice')
    const result = await resolver.resolve(`${alice.uri}#encryption`)
    expect(result.document?.uri).toBe(alice.uri)
  })

  it('answers notFound for a full DID', async () => {
    const result = await resolver.resolve(fullDocument('alice').uri)
    expect(result.error).toBe('notFound')
    expect(result.document).toBeUndefined()
    await expect(rejectionCode(resolver.resolveKey(`${fullDocument('alice').uri}#0x12`))).resolves.toBe(
      'ERR_DID_NOT_FOUND',
    )
  })

  it('returns failures as data, never throws, for junk', async () => {
    for (const junk of [undefined, null, 42, {}, '', 'did:kilt:', 'did:kilt:light:00abc', 'hello']) {
      const result = await resolver.resolve(junk as string)
      expect(result.error).toBe('invalidDid')
    }
    expect((await resolver.resolve('did:web:example.com')).error).toBe('methodNotSupported')
    const alice = did('alice')
    // Corrupted details: still a failure as data.
    expect((await resolver.resolve(`${alice.shortUri}:z1zzzz`)).error).toBe('invalidDid')
  })

  it('resolveKey returns SDK-shaped keys', async () => {
    const alice = did('alice')
    const key = await resolver.resolveKey(alice.encKeyUri!, 'keyAgreement')
    expect(key.id).toBe(alice.encKeyUri)
    expect(key.controller).toBe(alice.uri)
    expect(key.type).toBe('x25519')
    expect(toHex(key.publicKey)).toBe(toHex(alice.encPublicKey!))
    const auth = await resolver.resolveKey(alice.authKeyUri, 'authentication')
    expect(auth.type).toBe('sr25519')
    expect(toHex(auth.publicKey)).toBe(toHex(alice.authPublicKey))
  })

  it('returns a copy of the key bytes (a caller cannot poison later resolutions)', async () => {
    const alice = did('alice')
    const first = await resolver.resolveKey(alice.encKeyUri!)
    first.publicKey.fill(0)
    const second = await resolver.resolveKey(alice.encKeyUri!)
    expect(toHex(second.publicKey)).toBe(toHex(alice.encPublicKey!))
  })

  it('the short light DID resolves its authentication key, with the short DID as controller', async () => {
    const bob = did('bob')
    const key = await resolver.resolveKey(`${bob.shortUri}#authentication`)
    expect(key.controller).toBe(bob.shortUri)
    // The short URI has no details, hence no key agreement key.
    await expect(rejectionCode(resolver.resolveKey(`${bob.shortUri}#encryption`))).resolves.toBe(
      'ERR_KEY_NOT_FOUND',
    )
  })

  it('rejects malformed options', () => {
    expect(() => createLightResolver({ legacy: 'yes' as unknown as boolean })).toThrow(/legacy/)
    expect(() => createLightResolver(5 as unknown as object)).toThrow(/options/)
  })

  it('defaultResolver is offline and shared', async () => {
    expect(defaultResolver()).toBe(defaultResolver())
    const alice = did('alice')
    expect((await defaultResolver().resolveKey(alice.encKeyUri!, 'keyAgreement')).type).toBe('x25519')
    expect((await defaultResolver().resolve(fullDocument('alice').uri)).error).toBe('notFound')
  })
})
