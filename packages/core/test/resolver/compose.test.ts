import { describe, expect, it, vi } from 'vitest'
import { toHex } from '../../src/lib/bytes.js'
import { composeResolvers, createLightResolver, createRegistryResolver } from '../../src/resolver/index.js'
import type { DidResolutionResult, DidResolver, ResolverCacheOptions } from '../../src/resolver/types.js'
import { rejectionCode } from '../helpers/expect-error.js'
import { did, fullDocument, manualClock, syntheticFullDocument } from './fixtures.js'

/** A resolver answering fixed results and counting calls. */
function scripted(answers: Record<string, DidResolutionResult | Error>): DidResolver & { calls: string[] } {
  const calls: string[] = []
  const light = createLightResolver()
  return {
    calls,
    async resolve(d: string) {
      calls.push(d)
      const a = answers[d]
      if (a instanceof Error) throw a
      return a ?? { metadata: {}, error: 'notFound' }
    },
    resolveKey: light.resolveKey,
  }
}

const bob = fullDocument('bob')
const alice = did('alice')
const aliceFull = `did:kilt:${alice.address}`

describe('composeResolvers: order and fall-through', () => {
  it('without resolvers: light DIDs offline, full DIDs notFound, no upgrade check', async () => {
    const resolver = composeResolvers({})
    expect((await resolver.resolve(alice.uri)).document?.uri).toBe(alice.uri)
    expect((await resolver.resolve(bob.uri)).error).toBe('notFound')
    await expect(rejectionCode(resolver.resolveKey(`${bob.uri}${bob.authentication[0].id}`))).resolves.toBe(
      'ERR_DID_NOT_FOUND',
    )
  })

  it('notFound falls through; the first definitive answer wins', async () => {
    const first = scripted({})
    const second = scripted({ [bob.uri]: { document: bob, metadata: { deactivated: false } } })
    const third = scripted({ [bob.uri]: { metadata: { deactivated: true } } })
    const resolver = composeResolvers({ resolvers: [first, second, third], cache: false })
    const result = await resolver.resolve(bob.uri)
    expect(result.document?.uri).toBe(bob.uri)
    expect(first.calls).toEqual([bob.uri])
    expect(second.calls).toEqual([bob.uri])
    expect(third.calls).toEqual([])
  })

  it('deactivated is definitive', async () => {
    const first = scripted({ [bob.uri]: { metadata: { deactivated: true } } })
    const second = scripted({ [bob.uri]: { document: bob, metadata: { deactivated: false } } })
    const resolver = composeResolvers({ resolvers: [first, second], cache: false })
    expect((await resolver.resolve(bob.uri)).metadata.deactivated).toBe(true)
    expect(second.calls).toEqual([])
    await expect(rejectionCode(resolver.resolveKey(`${bob.uri}${bob.authentication[0].id}`))).resolves.toBe(
      'ERR_DID_DEACTIVATED',
    )
  })

  it('a failing resolver falls through; if nobody answers, the failure is reported', async () => {
    const failing = scripted({ [bob.uri]: { metadata: {}, error: 'internalError', errorMessage: 'down' } })
    const throwing = scripted({ [bob.uri]: new Error('boom') })
    const registry = createRegistryResolver([bob])
    const ok = composeResolvers({ resolvers: [failing, throwing, registry], cache: false })
    expect((await ok.resolve(bob.uri)).document?.uri).toBe(bob.uri)
    const broken = composeResolvers({ resolvers: [failing, scripted({})], cache: false })
    expect((await broken.resolve(bob.uri)).error).toBe('internalError')
    await expect(rejectionCode(broken.resolveKey(`${bob.uri}${bob.authentication[0].id}`))).resolves.toBe(
      'ERR_RESOLVER_FAILED',
    )
    const thrown = composeResolvers({ resolvers: [throwing], cache: false })
    await expect(rejectionCode(thrown.resolveKey(`${bob.uri}${bob.authentication[0].id}`))).resolves.toBe(
      'ERR_RESOLVER_FAILED',
    )
  })

  it('a resolver answering the document of another DID, or junk, is a failure', async () => {
    const liar = scripted({
      [bob.uri]: { document: fullDocument('carol'), metadata: { deactivated: false } },
    })
    expect((await composeResolvers({ resolvers: [liar], cache: false }).resolve(bob.uri)).error).toBe(
      'internalError',
    )
    const junk = scripted({ [bob.uri]: 42 as unknown as DidResolutionResult })
    expect((await composeResolvers({ resolvers: [junk], cache: false }).resolve(bob.uri)).error).toBe(
      'internalError',
    )
  })

  it('results of foreign resolvers are checked: malformed documents and unknown errors are failures', async () => {
    const malformed: unknown[] = [
      { document: { ...bob, authentication: 5 }, metadata: {} },
      {
        document: { ...bob, keyAgreement: [{ id: '#x', type: 'x25519', publicKey: new Uint8Array(3) }] },
        metadata: {},
      },
      { metadata: {}, error: 'teapot' },
      { metadata: { deactivated: 'yes' } },
      { document: bob, metadata: { canonicalId: fullDocument('carol').uri } },
    ]
    for (const answer of malformed) {
      const resolver = composeResolvers({
        resolvers: [scripted({ [bob.uri]: answer as DidResolutionResult })],
      })
      expect((await resolver.resolve(bob.uri)).error).toBe('internalError')
      await expect(rejectionCode(resolver.resolveKey(`${bob.uri}${bob.authentication[0].id}`))).resolves.toBe(
        'ERR_RESOLVER_FAILED',
      )
    }
    // A foreign 'deactivated' error is a deactivation.
    const gone = composeResolvers({
      resolvers: [scripted({ [bob.uri]: { metadata: {}, error: 'deactivated' } })],
    })
    expect(await gone.resolve(bob.uri)).toEqual({ metadata: { deactivated: true } })
  })

  it('light DIDs are decoded offline first: resolvers only see full DIDs', async () => {
    const spy = scripted({})
    const resolver = composeResolvers({ resolvers: [spy], cache: false })
    const key = await resolver.resolveKey(alice.encKeyUri!, 'keyAgreement')
    expect(toHex(key.publicKey)).toBe(toHex(alice.encPublicKey!))
    expect(spy.calls).toEqual([aliceFull])
    const noCheck = composeResolvers({ resolvers: [spy], checkUpgrades: false, cache: false })
    await noCheck.resolveKey(alice.encKeyUri!, 'keyAgreement')
    expect(spy.calls).toEqual([aliceFull])
  })
})

describe('composeResolvers: upgrades and deactivation of light DIDs', () => {
  const registry = createRegistryResolver([fullDocument('alice')])

  it('a light DID whose full DID resolves is answered with canonicalId and no document', async () => {
    const resolver = composeResolvers({ resolvers: [registry] })
    expect(await resolver.resolve(alice.uri)).toEqual({
      metadata: { deactivated: false, canonicalId: aliceFull },
    })
    await expect(rejectionCode(resolver.resolveKey(alice.encKeyUri!, 'keyAgreement'))).resolves.toBe(
      'ERR_DID_UPGRADED',
    )
  })

  it('checkUpgrades: false keeps using the light keys', async () => {
    const resolver = composeResolvers({ resolvers: [registry], checkUpgrades: false })
    expect((await resolver.resolve(alice.uri)).document?.uri).toBe(alice.uri)
    expect((await resolver.resolveKey(alice.encKeyUri!, 'keyAgreement')).controller).toBe(alice.uri)
  })

  it('a deleted full DID makes its light DIDs deactivated', async () => {
    const deleted = createRegistryResolver()
    deleted.deactivate(aliceFull)
    const resolver = composeResolvers({ resolvers: [deleted] })
    expect(await resolver.resolve(alice.uri)).toEqual({ metadata: { deactivated: true } })
    await expect(rejectionCode(resolver.resolveKey(alice.encKeyUri!))).resolves.toBe('ERR_DID_DEACTIVATED')
  })

  it('when the upgrade check fails, the light DID fails closed', async () => {
    const down = scripted({ [aliceFull]: { metadata: {}, error: 'internalError' } })
    const resolver = composeResolvers({ resolvers: [down] })
    expect((await resolver.resolve(alice.uri)).error).toBe('internalError')
    await expect(rejectionCode(resolver.resolveKey(alice.encKeyUri!))).resolves.toBe('ERR_RESOLVER_FAILED')
  })

  it('an invalid light DID never reaches the resolvers', async () => {
    const spy = scripted({})
    const resolver = composeResolvers({ resolvers: [spy] })
    expect((await resolver.resolve(`${alice.shortUri}:zzzz`)).error).toBe('invalidDid')
    expect(spy.calls).toEqual([])
  })
})

describe('composeResolvers: cache', () => {
  /** `spy` behind a cache of `composeResolvers` on a manual clock. */
  function cachedOnClock(spy: DidResolver, cache: ResolverCacheOptions) {
    const clock = manualClock()
    return { clock, resolver: composeResolvers({ resolvers: [spy], cache, now: clock.now }) }
  }

  it('caches answers for ttlMs and negative answers for negativeTtlMs', async () => {
    const spy = scripted({ [bob.uri]: { document: bob, metadata: { deactivated: false } } })
    const { clock, resolver } = cachedOnClock(spy, { ttlMs: 1000, maxEntries: 10, negativeTtlMs: 100 })
    await resolver.resolve(bob.uri)
    await resolver.resolve(bob.uri)
    await resolver.resolveKey(`${bob.uri}${bob.authentication[0].id}`)
    expect(spy.calls).toHaveLength(1)
    clock.advance(999)
    await resolver.resolve(bob.uri)
    expect(spy.calls).toHaveLength(1)
    clock.advance(1)
    await resolver.resolve(bob.uri)
    expect(spy.calls).toHaveLength(2)

    const carol = fullDocument('carol').uri
    await resolver.resolve(carol)
    await resolver.resolve(carol)
    expect(spy.calls.filter((d) => d === carol)).toHaveLength(1)
    clock.advance(100)
    await resolver.resolve(carol)
    expect(spy.calls.filter((d) => d === carol)).toHaveLength(2)
  })

  it('negative answers default to min(ttlMs, 30 s)', async () => {
    const spy = scripted({})
    const { clock, resolver } = cachedOnClock(spy, { ttlMs: 600_000, maxEntries: 10 })
    await resolver.resolve(bob.uri)
    clock.advance(29_999)
    await resolver.resolve(bob.uri)
    expect(spy.calls).toHaveLength(1)
    clock.advance(1)
    await resolver.resolve(bob.uri)
    expect(spy.calls).toHaveLength(2)
  })

  it('never caches failures', async () => {
    const spy = scripted({ [bob.uri]: { metadata: {}, error: 'internalError' } })
    const resolver = composeResolvers({ resolvers: [spy] })
    await resolver.resolve(bob.uri)
    await resolver.resolve(bob.uri)
    expect(spy.calls).toHaveLength(2)
  })

  it('is bounded: a DID in use stays cached, DIDs unused for a while are evicted', async () => {
    // A two-generation LRU: at most maxEntries held, the ⌈maxEntries/2⌉ most recently used kept.
    const spy = scripted({})
    const { resolver } = cachedOnClock(spy, { ttlMs: 10_000, maxEntries: 4 })
    const hot = bob.uri
    const cold = Array.from({ length: 20 }, (_, i) => syntheticFullDocument(10 + i).uri)
    await resolver.resolve(hot)
    for (const d of cold) {
      await resolver.resolve(hot) // a hit counts as a use
      await resolver.resolve(d)
    }
    expect(spy.calls).toEqual([hot, ...cold])
    await resolver.resolve(cold[19]!) // among the two most recently used: still cached
    await resolver.resolve(hot)
    await resolver.resolve(cold[0]!) // unused for 19 insertions: evicted
    expect(spy.calls).toEqual([hot, ...cold, cold[0]])
  })

  it('upgrade checks are cached too: the hot path needs no resolver call', async () => {
    const spy = scripted({})
    const resolver = composeResolvers({ resolvers: [spy] })
    for (let i = 0; i < 5; i++) await resolver.resolveKey(alice.encKeyUri!, 'keyAgreement')
    expect(spy.calls).toEqual([aliceFull])
  })

  it('documents handed out are copies: wiping their key bytes changes no later answer', async () => {
    const resolvers: [string, DidResolver][] = [
      ['registry', createRegistryResolver([bob])],
      ['composed, cached', composeResolvers({ resolvers: [createRegistryResolver([bob])] })],
      ['light', createLightResolver()],
    ]
    const light = did('alice').uri
    for (const [name, r] of resolvers) {
      const uri = name === 'light' ? light : bob.uri
      const first = await r.resolve(uri)
      const expected = toHex(first.document!.authentication[0].publicKey)
      first.document!.authentication[0].publicKey.fill(0)
      first.document!.keyAgreement?.[0]?.publicKey.fill(0)
      const again = await r.resolve(uri)
      expect(toHex(again.document!.authentication[0].publicKey), name).toBe(expected)
      const keyId = again.document!.authentication[0].id
      expect(toHex((await r.resolveKey(`${uri}${keyId}`)).publicKey), name).toBe(expected)
    }
  })

  it('concurrent look-ups of one DID share one resolver call', async () => {
    const spy = scripted({ [bob.uri]: { document: bob, metadata: { deactivated: false } } })
    const resolver = composeResolvers({ resolvers: [spy], cache: false })
    const results = await Promise.all([
      resolver.resolve(bob.uri),
      resolver.resolve(bob.uri),
      resolver.resolveKey(`${bob.uri}${bob.authentication[0].id}`),
      resolver.resolveKey(alice.encKeyUri!).catch((e) => e),
      resolver.resolveKey(alice.authKeyUri).catch((e) => e),
    ])
    expect(results[0]).toEqual(results[1])
    expect(spy.calls.sort()).toEqual([aliceFull, bob.uri].sort())
    await resolver.resolve(bob.uri)
    expect(spy.calls).toHaveLength(3)
  })

  it('validates options', () => {
    const bad: unknown[] = [
      5,
      { resolvers: 'x' },
      { resolvers: [{}] },
      { checkUpgrades: 1 },
      { resolvers: [createLightResolver()], cache: { ttlMs: -1, maxEntries: 1 } },
      { resolvers: [createLightResolver()], cache: { ttlMs: 1, maxEntries: 0 } },
      { resolvers: [createLightResolver()], cache: { ttlMs: 1, maxEntries: 1.5 } },
      { resolvers: [createLightResolver()], cache: { ttlMs: 1, maxEntries: 1, negativeTtlMs: Number.NaN } },
      { resolvers: [createLightResolver()], cache: null },
      { resolvers: [createLightResolver()], now: 5 },
    ]
    for (const options of bad) {
      expect(() => composeResolvers(options as object), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }),
      )
    }
  })

  it('passes the signal to the resolvers', async () => {
    const resolve = vi.fn(async () => ({ metadata: {}, error: 'notFound' as const }))
    const resolver = composeResolvers({
      resolvers: [{ resolve, resolveKey: createLightResolver().resolveKey }],
    })
    const controller = new AbortController()
    await resolver.resolve(bob.uri, { signal: controller.signal })
    expect(resolve).toHaveBeenCalledWith(bob.uri, { signal: controller.signal })
  })
})
