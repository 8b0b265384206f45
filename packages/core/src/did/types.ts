/**
 * @module did/types
 * Types of KILT DIDs, keys, services and documents (the shapes of SDK 0.35.2, `DidDocument.ts`).
 */

/** A KILT DID without fragment: `did:kilt:<address>` or `did:kilt:light:<00|01><address>[:<details>]`. */
export type DidUri = `did:kilt:${string}`
/** A fragment including its `#`. */
export type UriFragment = `#${string}`
/** A DID URL naming a key or service: `<DidUri>#<fragment>`. */
export type DidResourceUri = `${DidUri}#${string}`

/** Verification relationships of a KILT DID document. */
export type VerificationRelationship =
  | 'authentication'
  | 'assertionMethod'
  | 'capabilityDelegation'
  | 'keyAgreement'
/** Signing key types of KILT DIDs. */
export type VerificationKeyType = 'sr25519' | 'ed25519' | 'ecdsa'
/** Key agreement key types (only x25519 exists on chain and in light DIDs). */
export type EncryptionKeyType = 'x25519'
/** Any DID key type. */
export type DidKeyType = VerificationKeyType | EncryptionKeyType

/** A key inside a DID document; `id` is a relative fragment. */
export interface DidKey<T extends DidKeyType = DidKeyType> {
  readonly id: UriFragment
  readonly type: T
  /** 32 bytes (33 for ecdsa). */
  readonly publicKey: Uint8Array
}
export type DidVerificationKey = DidKey<VerificationKeyType>
export type DidEncryptionKey = DidKey<EncryptionKeyType>

/** A service endpoint; `id` is a relative fragment. */
export interface DidService {
  readonly id: UriFragment
  readonly type: readonly string[]
  readonly serviceEndpoint: readonly string[]
}

/** The SDK-shaped DID document (relative ids, raw key bytes). */
export interface DidDocument {
  readonly uri: DidUri
  readonly authentication: readonly [DidVerificationKey]
  readonly assertionMethod?: readonly [DidVerificationKey]
  readonly capabilityDelegation?: readonly [DidVerificationKey]
  readonly keyAgreement?: readonly DidEncryptionKey[]
  readonly service?: readonly DidService[]
}

/** The result of parsing a DID or DID resource URI. */
export interface ParsedDid {
  /** The DID without fragment, exactly as given (a light DID keeps its details). */
  readonly did: DidUri
  readonly type: 'full' | 'light'
  /** Always 1 for 0.29+ URIs. */
  readonly version: 1
  /** SS58 address (prefix 38). */
  readonly address: string
  /** The 32-byte public key the address encodes (the authentication key for light DIDs). */
  readonly addressPublicKey: Uint8Array
  /** Light DIDs only: the authentication key type from the 2-digit code. */
  readonly authKeyType?: 'sr25519' | 'ed25519'
  /** Light DIDs only: the 2-digit auth key type code as written. */
  readonly authKeyTypeEncoding?: string
  /** Light DIDs only: the encoded details after the second colon, without it. */
  readonly encodedDetails?: string
  /** The fragment including `#`, if any. */
  readonly fragment?: UriFragment
}
