/**
 * @module keys/types
 * Key pairs and key sources. Secrets stay behind these interfaces: core functions take a key
 * source (KILT-style callbacks, or a keyring built from raw secrets), never a bare secret.
 */
import type { DidResourceUri, DidUri } from '../did/types.js'

/** An x25519 key agreement pair. `secretKey` is non-enumerable and never printed. */
export interface X25519KeyPair {
  readonly type: 'x25519'
  /** 32 bytes. */
  readonly publicKey: Uint8Array
  /** 32 bytes (KILT: the seed is the secret). Non-enumerable. */
  readonly secretKey: Uint8Array
}

/** A signing pair. `secretKey` is non-enumerable and never printed. */
export interface SigningKeyPair {
  readonly type: 'sr25519' | 'ed25519'
  /** 32 bytes. */
  readonly publicKey: Uint8Array
  /** sr25519: the 64-byte expanded secret; ed25519: the 32-byte seed. Non-enumerable. */
  readonly secretKey: Uint8Array
  /** Signs a message. */
  sign(message: Uint8Array): Uint8Array
}

/** KILT `EncryptCallback` request (SDK `CryptoCallbacks.ts`). */
export interface EncryptRequestData {
  readonly data: Uint8Array
  readonly peerPublicKey: Uint8Array
  readonly did: DidUri
}
/** KILT `EncryptCallback` response: the box, its 24-byte nonce and the sender key URI. */
export interface EncryptResponseData {
  readonly data: Uint8Array
  readonly nonce: Uint8Array
  readonly keyUri: DidResourceUri
}
/** KILT `DecryptCallback` request; `keyUri` is the envelope's `receiverKeyUri`. */
export interface DecryptRequestData {
  readonly data: Uint8Array
  readonly peerPublicKey: Uint8Array
  readonly nonce: Uint8Array
  readonly keyUri: DidResourceUri
}
/** KILT `DecryptCallback` response. */
export interface DecryptResponseData {
  readonly data: Uint8Array
}
export type EncryptCallback = (request: EncryptRequestData) => Promise<EncryptResponseData>
export type DecryptCallback = (request: DecryptRequestData) => Promise<DecryptResponseData>

/** A key source made of KILT-style callbacks (a wallet, an extension, an HSM). */
export interface CallbackKeySource {
  readonly encrypt?: EncryptCallback
  readonly decrypt?: DecryptCallback
}

/** The signing key types this library can create and verify (KILT DIDs also allow ecdsa, not supported here). */
export type SigningKeyType = SigningKeyPair['type']

/** Mnemonic derivation conventions of existing KILT wallets (spec §3.1). */
export type MnemonicDerivation = 'kilt-docs' | 'sporran'

/** The DID keys derived from one mnemonic. `assertionMethod` and `capabilityDelegation` depend on the convention. */
export interface KiltKeySet {
  readonly authentication: SigningKeyPair
  readonly keyAgreement: X25519KeyPair
  readonly assertionMethod?: SigningKeyPair
  readonly capabilityDelegation?: SigningKeyPair
}
