import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../src/lib/bytes.js'
import { composeResolvers, createSdkResolver } from '../../src/resolver/index.js'
import type { SdkResolutionLike } from '../../src/resolver/types.js'
import { rejectionCode } from '../helpers/expect-error.js'
import { did, fullDocument } from './fixtures.js'

const bob = fullDocument('bob')
const bobAuthUri = `${bob.uri}${bob.authentication[0].id}`
const alice = did('alice')
const aliceFull = `did:kilt:${alice.address}`

/** An SDK-shaped copy of a document: Buffer keys and `includedAt`, as the SDK returns from chain. */
function sdkShaped(doc: typeof bob): SdkResolutionLike['document'] {
  const key = (k: { id: string; type: string; publicKey: Uint8Array }) => ({
    ...k,
    publicKey: Buffer.from(k.publicKey),
    includedAt: { toString: () => '42' },
  })
  return {
    uri: doc.uri,
    authentication: doc.authentication.map(key),
    ...(doc.keyAgreement && { keyAgreement: doc.keyAgreement.map(key) }),
  }
}

function fake(answer: unknown): (d: string) => Promise<SdkResolutionLike | null> {
  return async () => answer as SdkResolutionLike | null
}

describe('createSdkResolver', () => {
  it('maps a full DID document and drops includedAt / web3Name', async () => {
    const resolver = createSdkResolver(
      fake({ document: sdkShaped(bob), metadata: { deactivated: false }, web3Name: 'bob' }),
    )
    const result = await resolver.resolve(bob.uri)
    expect(result.metadata).toEqual({ deactivated: false })
    expect(result.document?.authentication[0]).toEqual({
      id: bob.authentication[0].id,
      type: bob.authentication[0].type,
      publicKey: new Uint8Array(bob.authentication[0].publicKey),
    })
    expect(result.document?.authentication[0].publicKey).not.toBeInstanceOf(Buffer)
    const key = await resolver.resolveKey(bobAuthUri, 'authentication')
    expect(toHex(key.publicKey)).toBe(toHex(bob.authentication[0].publicKey))
  })

  it('null → notFound; deactivated; no document → deactivated (SDK semantics)', async () => {
    expect((await createSdkResolver(fake(null)).resolve(bob.uri)).error).toBe('notFound')
    await expect(rejectionCode(createSdkResolver(fake(null)).resolveKey(bobAuthUri))).resolves.toBe(
      'ERR_DID_NOT_FOUND',
    )
    const deleted = createSdkResolver(fake({ metadata: { deactivated: true } }))
    expect(await deleted.resolve(bob.uri)).toEqual({ metadata: { deactivated: true } })
    await expect(rejectionCode(deleted.resolveKey(bobAuthUri))).resolves.toBe('ERR_DID_DEACTIVATED')
    const empty = createSdkResolver(fake({ metadata: { deactivated: false } }))
    await expect(rejectionCode(empty.resolveKey(bobAuthUri))).resolves.toBe('ERR_DID_DEACTIVATED')
  })

  it('an upgraded light DID: canonicalId checked against the address', async () => {
    const upgraded = createSdkResolver(fake({ metadata: { canonicalId: aliceFull, deactivated: false } }))
    expect(await upgraded.resolve(alice.uri)).toEqual({
      metadata: { deactivated: false, canonicalId: aliceFull },
    })
    await expect(rejectionCode(upgraded.resolveKey(alice.encKeyUri!))).resolves.toBe('ERR_DID_UPGRADED')
    const wrong = createSdkResolver(fake({ metadata: { canonicalId: bob.uri, deactivated: false } }))
    expect((await wrong.resolve(alice.uri)).error).toBe('internalError')
    expect((await wrong.resolve(fullDocument('carol').uri)).error).toBe('internalError')
  })

  it('validates what comes back', async () => {
    const auth = sdkShaped(bob)!.authentication[0]!
    const bad: unknown[] = [
      42,
      'x',
      { document: sdkShaped(bob) },
      { document: sdkShaped(bob), metadata: { deactivated: 'no' } },
      { document: { ...sdkShaped(bob), uri: fullDocument('carol').uri }, metadata: { deactivated: false } },
      {
        document: { ...sdkShaped(bob), authentication: [{ ...auth, publicKey: new Uint8Array(31) }] },
        metadata: {},
      },
      { document: { ...sdkShaped(bob), authentication: [{ ...auth, publicKey: '0x00' }] }, metadata: {} },
      { document: { ...sdkShaped(bob), authentication: [{ ...auth, type: 'rsa' }] }, metadata: {} },
      { document: { ...sdkShaped(bob), authentication: [{ ...auth, id: 'no-hash' }] }, metadata: {} },
      { document: { ...sdkShaped(bob), authentication: [auth, auth] }, metadata: {} },
      { document: { ...sdkShaped(bob), keyAgreement: [{ ...auth }] }, metadata: {} },
      {
        document: { ...sdkShaped(bob), service: [{ id: '#s', type: 'x', serviceEndpoint: [] }] },
        metadata: {},
      },
    ]
    for (const answer of bad) {
      const resolver = createSdkResolver(fake(answer))
      const result = await resolver.resolve(bob.uri)
      expect(result.error, JSON.stringify(answer)?.slice(0, 120)).toBe('internalError')
      await expect(rejectionCode(resolver.resolveKey(bobAuthUri))).resolves.toBe('ERR_RESOLVER_FAILED')
    }
  })

  it('a light DID document may carry a re-encoded uri of the same subject, not of another', async () => {
    const reencoded = createSdkResolver(async () => ({
      document: {
        uri: alice.shortUri,
        authentication: [{ id: '#authentication', type: 'sr25519', publicKey: alice.authPublicKey }],
      },
      metadata: { deactivated: false },
    }))
    expect((await reencoded.resolve(alice.uri)).document?.uri).toBe(alice.shortUri)
    const other = createSdkResolver(async () => ({
      document: {
        uri: did('carol').uri,
        authentication: [{ id: '#authentication', type: 'sr25519', publicKey: alice.authPublicKey }],
      },
      metadata: { deactivated: false },
    }))
    expect((await other.resolve(alice.uri)).error).toBe('internalError')
  })

  it('a throwing or hanging SDK is a failure, not an exception or a hang', async () => {
    const throwing = createSdkResolver(async () => {
      throw new Error('The blockchain API is not set.')
    })
    const result = await throwing.resolve(bob.uri)
    expect(result.error).toBe('internalError')
    expect(result.errorMessage).toMatch(/blockchain API/)
    const syncThrowing = createSdkResolver((() => {
      throw new Error('sync')
    }) as never)
    expect((await syncThrowing.resolve(bob.uri)).error).toBe('internalError')
    const hanging = createSdkResolver(() => new Promise(() => {}))
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 20)
    expect((await hanging.resolve(bob.uri, { signal: controller.signal })).error).toBe('internalError')
  })

  it('a signal shared by many calls keeps no listener once they settle; abort still works', async () => {
    const controller = new AbortController()
    const { signal } = controller
    let release: (() => void) | undefined
    const sdk = createSdkResolver(async () => {
      await new Promise<void>((resolve) => {
        release = resolve
      })
      return { document: sdkShaped(bob), metadata: { deactivated: false } }
    })
    // While a resolution is in flight its listener is registered (so the count below means something).
    const first = sdk.resolve(bob.uri, { signal })
    await Promise.resolve()
    expect(getEventListeners(signal, 'abort')).toHaveLength(1)
    release?.()
    expect((await first).document?.uri).toBe(bob.uri)
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)

    const quick = createSdkResolver(fake({ document: sdkShaped(bob), metadata: { deactivated: false } }))
    const failing = createSdkResolver(async () => {
      throw new Error('down')
    })
    const composed = composeResolvers({ resolvers: [quick], cache: false })
    for (let i = 0; i < 250; i++) {
      expect((await quick.resolve(bob.uri, { signal })).document?.uri).toBe(bob.uri)
      expect((await quick.resolveKey(bobAuthUri, 'authentication', { signal })).id).toBe(bobAuthUri)
      expect((await failing.resolve(bob.uri, { signal })).error).toBe('internalError')
      expect((await composed.resolve(bob.uri, { signal })).document?.uri).toBe(bob.uri)
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)

    // Abort still ends an in-flight resolution: a failure from resolve, ERR_RESOLVER_FAILED from resolveKey.
    const hanging = createSdkResolver(() => new Promise(() => {}))
    const pending = hanging.resolve(bob.uri, { signal })
    const pendingKey = rejectionCode(hanging.resolveKey(bobAuthUri, 'authentication', { signal }))
    await Promise.resolve()
    expect(getEventListeners(signal, 'abort')).toHaveLength(2)
    controller.abort()
    expect(await pending).toMatchObject({ error: 'internalError', errorMessage: 'Resolution aborted' })
    await expect(pendingKey).resolves.toBe('ERR_RESOLVER_FAILED')
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
    // An already aborted signal: no SDK call, no listener.
    expect((await quick.resolve(bob.uri, { signal })).errorMessage).toBe('Resolution aborted')
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
    // A signal aborted during the SDK call (before a listener could see it) does not hang either.
    const early = new AbortController()
    const selfAborting = createSdkResolver(() => {
      early.abort()
      return new Promise(() => {})
    })
    expect((await selfAborting.resolve(bob.uri, { signal: early.signal })).errorMessage).toBe(
      'Resolution aborted',
    )
  })

  it('passes the DID without fragment; invalid DIDs never reach the SDK', async () => {
    const seen: string[] = []
    const resolver = createSdkResolver(async (d) => {
      seen.push(d)
      return null
    })
    await resolver.resolve(`${bob.uri}#x`)
    expect((await resolver.resolve('did:kilt:nope')).error).toBe('invalidDid')
    expect(seen).toEqual([bob.uri])
    expect(() => createSdkResolver('nope' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
    )
  })

  it('composes as the chain-backed resolver of full DIDs and upgrade checks', async () => {
    const chain = createSdkResolver(async (d) =>
      d === aliceFull
        ? { document: sdkShaped(fullDocument('alice')), metadata: { deactivated: false } }
        : null,
    )
    const resolver = composeResolvers({ resolvers: [chain] })
    await expect(rejectionCode(resolver.resolveKey(alice.encKeyUri!, 'keyAgreement'))).resolves.toBe(
      'ERR_DID_UPGRADED',
    )
    const full = fullDocument('alice')
    const key = await resolver.resolveKey(`${full.uri}${full.keyAgreement![0]!.id}`, 'keyAgreement')
    expect(key.controller).toBe(full.uri)
    expect(key.type).toBe('x25519')
  })
})
