/**
 * Loads the golden vector file: `KILT_VECTORS` when set, else the committed copy of the shared vectors.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { DidResourceUri } from '../../src/did/types.js'
import { fromHex } from '../../src/lib/bytes.js'

export const DEFAULT_VECTORS = fileURLToPath(new URL('../fixtures/kilt-sdk-0.35.2.json', import.meta.url))

// biome-ignore lint/suspicious/noExplicitAny: vector files are untyped JSON
export type Vectors = any

export function loadVectors(): Vectors {
  const file = process.env.KILT_VECTORS || DEFAULT_VECTORS
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** A vector DID's x25519 key agreement key, hex as in the file. */
export interface VectorKeyAgreement {
  keyUri: DidResourceUri
  secretKey: string
  publicKey: string
}

/** The key agreement keys of all vector DIDs (those that have one). */
export function vectorKeyAgreements(v: Vectors): VectorKeyAgreement[] {
  return Object.values(v.dids as Record<string, { keyAgreement?: VectorKeyAgreement }>).flatMap((d) =>
    d.keyAgreement ? [d.keyAgreement] : [],
  )
}

/** `createKeyring` entries holding every vector DID's key agreement secret. */
export function vectorKeyringEntries(v: Vectors): { keyUri: DidResourceUri; secretKey: Uint8Array }[] {
  return vectorKeyAgreements(v).map((k) => ({ keyUri: k.keyUri, secretKey: fromHex(k.secretKey) }))
}
