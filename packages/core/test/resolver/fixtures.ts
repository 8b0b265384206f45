/**
 * Shared test data for the resolver tests: light DIDs from the SDK vectors, and full-DID documents
 * built from the same keys with on-chain key ids.
 */
import { encodeAddress, fullDidKeyId } from '../../src/did/index.js'
import type { DidDocument, DidUri } from '../../src/did/types.js'
import { fromHex } from '../../src/lib/bytes.js'
import { loadVectors } from '../helpers/vectors.js'

export const vectors = loadVectors()
export const names = Object.keys(vectors.dids) as string[]

/** A vector DID: light URIs and raw keys. */
export function did(name: string): {
  uri: DidUri
  shortUri: DidUri
  address: string
  authKeyUri: string
  encKeyUri: string | undefined
  authPublicKey: Uint8Array
  authType: 'sr25519' | 'ed25519'
  encPublicKey: Uint8Array | undefined
} {
  const d = vectors.dids[name]
  return {
    uri: d.uri,
    shortUri: d.shortUri,
    address: d.address,
    authKeyUri: d.authentication.keyUri,
    encKeyUri: d.keyAgreement?.keyUri,
    authPublicKey: fromHex(d.authentication.publicKey),
    authType: d.authentication.type,
    encPublicKey: d.keyAgreement ? fromHex(d.keyAgreement.publicKey) : undefined,
  }
}

/** The full DID of a vector DID's address, with the same keys under on-chain key ids. */
export function fullDocument(name: string): DidDocument {
  const d = did(name)
  const auth = { type: d.authType, publicKey: d.authPublicKey }
  const doc: DidDocument = {
    uri: `did:kilt:${d.address}`,
    authentication: [{ id: fullDidKeyId(auth), ...auth }],
    ...(d.encPublicKey && {
      keyAgreement: [
        {
          id: fullDidKeyId({ type: 'x25519', publicKey: d.encPublicKey }),
          type: 'x25519',
          publicKey: d.encPublicKey,
        },
      ],
    }),
  }
  return doc
}

/** A manually advanced clock. */
export function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => (t += ms) }
}

/** A synthetic full DID: ed25519 authentication key `fill(seed)`, x25519 key `fill(seed + 1)`. */
export function syntheticFullDocument(seed: number): DidDocument {
  const auth = { type: 'ed25519' as const, publicKey: new Uint8Array(32).fill(seed) }
  const enc = { type: 'x25519' as const, publicKey: new Uint8Array(32).fill(seed + 1) }
  return {
    uri: `did:kilt:${encodeAddress(auth.publicKey)}`,
    authentication: [{ id: fullDidKeyId(auth), ...auth }],
    keyAgreement: [{ id: fullDidKeyId(enc), ...enc }],
  }
}
