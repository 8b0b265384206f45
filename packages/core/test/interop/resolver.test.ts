/**
 * Interop of the resolvers with `@kiltprotocol/sdk-js@0.35.2`: for every vector DID our resolution
 * equals the SDK's recorded `Did.resolve` output and our `resolveKey` its `Did.resolveKey` output;
 * the SDK adapter wraps a `Did.resolve`-like function built on the SDK's own light-DID decoding.
 */
import * as Kilt from '@kiltprotocol/sdk-js'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DidDocument, DidKey } from '../../src/did/types.js'
import { toHex } from '../../src/lib/bytes.js'
import {
  composeResolvers,
  createLightResolver,
  createRegistryResolver,
  createSdkResolver,
  defaultResolver,
} from '../../src/resolver/index.js'
import type {
  DidResolutionResult,
  DidResolver,
  ResolvedKey,
  SdkResolutionLike,
} from '../../src/resolver/types.js'
import { loadVectors } from '../helpers/vectors.js'

const vectors = loadVectors()
const dids = Object.entries(vectors.dids) as [string, Record<string, unknown>][]

beforeAll(async () => {
  await cryptoWaitReady()
})

const keyHex = (k: DidKey) => ({ id: k.id, type: k.type, publicKey: toHex(k.publicKey) })

/** Our document in the vectors' notation (hex keys, absent relationships omitted). */
function documentHex(doc: DidDocument | undefined): unknown {
  if (doc === undefined) return undefined
  return {
    uri: doc.uri,
    authentication: doc.authentication.map(keyHex),
    ...(doc.assertionMethod && { assertionMethod: doc.assertionMethod.map(keyHex) }),
    ...(doc.capabilityDelegation && { capabilityDelegation: doc.capabilityDelegation.map(keyHex) }),
    ...(doc.keyAgreement && { keyAgreement: doc.keyAgreement.map(keyHex) }),
    ...(doc.service && {
      service: doc.service.map((s) => ({ ...s, type: [...s.type], serviceEndpoint: [...s.serviceEndpoint] })),
    }),
  }
}

function resultHex(result: DidResolutionResult): unknown {
  return { ...(result.document && { document: documentHex(result.document) }), metadata: result.metadata }
}

function resolvedKeyHex(key: ResolvedKey): unknown {
  return { controller: key.controller, id: key.id, publicKey: toHex(key.publicKey), type: key.type }
}

/** A fake `Kilt.Did.resolve` for a chain where no light DID was upgraded or deleted. */
async function sdkResolve(did: string): Promise<SdkResolutionLike | null> {
  const { type } = Kilt.Did.parse(did as Kilt.DidUri)
  if (type === 'full') return null
  return {
    document: Kilt.Did.parseDocumentFromLightDid(did as Kilt.DidUri, false),
    metadata: { deactivated: false },
  }
}

const resolvers: [string, DidResolver][] = [
  ['light', createLightResolver()],
  ['default', defaultResolver()],
  ['registry', createRegistryResolver()],
  ['composed with an empty registry', composeResolvers({ resolvers: [createRegistryResolver()] })],
  ['sdk adapter', createSdkResolver(sdkResolve)],
  ['composed sdk adapter', composeResolvers({ resolvers: [createSdkResolver(sdkResolve)] })],
]

describe.each(resolvers)('%s resolver against the SDK vectors', (_, resolver) => {
  it.each(dids)('%s: resolve equals the recorded Did.resolve', async (_name, d) => {
    const result = await resolver.resolve(d.uri as string)
    expect(resultHex(result)).toEqual(d.resolved)
  })

  it.each(dids)('%s: resolveKey equals the recorded Did.resolveKey', async (_name, d) => {
    const entries = Object.entries(d.resolvedKeys as Record<string, { id: string }>)
    expect(entries.length).toBeGreaterThan(0)
    for (const [relationship, expected] of entries) {
      const key = await resolver.resolveKey(expected.id, relationship as 'keyAgreement')
      expect(resolvedKeyHex(key)).toEqual(expected)
    }
  })
})

describe('our resolveKey agrees with the SDK when both see the same document', () => {
  /** The SDK's `resolveKey` ladder over a document, as `Did.resolveKey` would run it with this resolution. */
  function sdkLadder(
    result: Kilt.DidResolutionResult | null,
    keyUri: string,
    rel?: Kilt.VerificationKeyRelationship | 'keyAgreement',
  ) {
    const { did, fragment } = Kilt.Did.parse(keyUri as Kilt.DidUri)
    if (!fragment) return 'DidError'
    if (!result) return 'DidNotFoundError'
    if (result.metadata.canonicalId) return 'DidResolveUpgradedDidError'
    if (!result.document) return 'DidDeactivatedError'
    const key = Kilt.Did.getKey(result.document, fragment as Kilt.UriFragment)
    if (!key) return 'DidNotFoundError'
    if (rel && !result.document[rel]?.some(({ id }) => id === fragment)) return 'DidError'
    return Kilt.Did.keyToResolvedKey(key, did)
  }

  it('for every vector key URI, fragment variant and relationship', async () => {
    const ours = createSdkResolver(sdkResolve)
    const rels = [
      undefined,
      'authentication',
      'keyAgreement',
      'assertionMethod',
      'capabilityDelegation',
    ] as const
    for (const [, d] of dids) {
      const uris = [
        `${d.uri}#authentication`,
        `${d.uri}#encryption`,
        `${d.uri}#nope`,
        `${d.shortUri}#authentication`,
      ]
      for (const uri of uris)
        for (const rel of rels) {
          const sdkResult = (await sdkResolve(uri.split('#')[0]!)) as Kilt.DidResolutionResult | null
          const expected = sdkLadder(sdkResult, uri, rel)
          let actual: unknown
          try {
            actual = await ours.resolveKey(uri, rel)
          } catch (e) {
            actual = (e as { sdkError: string }).sdkError
          }
          if (typeof expected === 'string') expect(actual, `${uri} ${rel}`).toBe(expected)
          else
            expect(resolvedKeyHex(actual as ResolvedKey)).toEqual({
              ...expected,
              publicKey: toHex(expected.publicKey),
            })
        }
    }
  })
})
