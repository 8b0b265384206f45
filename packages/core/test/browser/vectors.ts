/**
 * The golden vectors for browser tests: a static JSON import (no `node:fs` in the browser), typed
 * with only the fields the browser tests read.
 */
import { describe } from 'vitest'
import raw from '../fixtures/kilt-sdk-0.35.2.json' with { type: 'json' }

export interface VectorKey {
  readonly type: string
  readonly publicKey: string
  readonly keyUri: string
  readonly seed?: string
  readonly secretKey?: string
}

export interface VectorDid {
  readonly uri: string
  readonly shortUri: string
  readonly authentication: VectorKey & { readonly seed: string; readonly type: 'sr25519' | 'ed25519' }
  readonly keyAgreement?: VectorKey & { readonly secretKey: string }
  readonly lightDidParts: {
    readonly encodedDetailsDecoded?: {
      readonly cborDecoded?: {
        readonly s?: ReadonlyArray<{ id: string; type: string[]; serviceEndpoint: string[] }>
      }
    }
  }
  readonly didDocumentJson: unknown
}

export interface VectorEnvelope {
  readonly ciphertext: string
  readonly nonce: string
  readonly senderKeyUri: string
  readonly receiverKeyUri: string
  readonly receivedAt?: number
}

export interface VectorMessage {
  readonly id: string
  readonly sender: string
  readonly receiver: string
  readonly plaintext: Record<string, unknown> & { readonly createdAt?: number }
  readonly serializedPlaintext: string
  readonly encrypted: VectorEnvelope
}

export interface VectorNegative {
  readonly id: string
  readonly receiver: string
  readonly encrypted: VectorEnvelope
  readonly error: { readonly name: string }
  readonly decrypted?: { readonly createdAt?: unknown }
}

export interface Vectors {
  readonly dids: Record<string, VectorDid>
  readonly messages: readonly VectorMessage[]
  readonly negative: readonly VectorNegative[]
}

export const vectors = raw as Vectors

/**
 * `describe` that runs only in a browser: these files are also matched by the root Node config's
 * `packages/core/test/**` glob, where they are skipped (their Node counterparts are the interop tests).
 */
export const describeInBrowser = describe.runIf(
  typeof window !== 'undefined' && typeof document !== 'undefined',
)
