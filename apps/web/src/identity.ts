/**
 * @module web/identity
 * An identity in the browser: keys from a BIP39 mnemonic (Sporran or KILT-docs derivation), its
 * light DID (authentication + key agreement), a keyring for messages and a signer for relay login.
 */
import {
  createKeyring,
  createLightDid,
  type DidResourceUri,
  type DidUri,
  type Keyring,
  keysFromMnemonic,
  type SigningKeyPair,
} from '@kilt-messaging/core'
import type { VaultSecret } from './vault.js'

/** An unlocked identity. */
export interface Identity {
  readonly did: DidUri
  readonly authKeyUri: DidResourceUri
  readonly encryptionKeyUri: DidResourceUri
  readonly keys: Keyring
  readonly auth: SigningKeyPair
  readonly derivation: VaultSecret['derivation']
}

/** Builds the identity of a mnemonic; throws the core's ERR_MNEMONIC_INVALID for a bad phrase. */
export function identityFrom(secret: VaultSecret): Identity {
  const set = keysFromMnemonic(secret.mnemonic.trim().toLowerCase().split(/\s+/).join(' '), {
    derivation: secret.derivation,
  })
  const doc = createLightDid({
    authentication: [{ type: set.authentication.type, publicKey: set.authentication.publicKey }],
    keyAgreement: [{ type: 'x25519', publicKey: set.keyAgreement.publicKey }],
  })
  const encryptionKeyUri = `${doc.uri}#encryption` as DidResourceUri
  const keys = createKeyring([{ keyUri: encryptionKeyUri, secretKey: set.keyAgreement.secretKey }])
  set.keyAgreement.secretKey.fill(0)
  return {
    did: doc.uri,
    authKeyUri: `${doc.uri}#authentication` as DidResourceUri,
    encryptionKeyUri,
    keys,
    auth: set.authentication,
    derivation: secret.derivation,
  }
}
