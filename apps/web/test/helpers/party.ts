/**
 * @module web/test/helpers/party
 * A throwaway identity made in Node with the core library (ed25519 authentication, x25519 key
 * agreement), for the web app's tests.
 */
import {
  createKeyring,
  createLightDid,
  type DidResourceUri,
  type DidUri,
  randomSigningKeyPair,
  randomX25519,
} from '@kilt-messaging/core'

/** A fresh light DID, its authentication pair and a keyring holding its key agreement secret. */
export function party() {
  const auth = randomSigningKeyPair('ed25519')
  const ka = randomX25519()
  const doc = createLightDid({
    authentication: [{ type: auth.type, publicKey: auth.publicKey }],
    keyAgreement: [{ type: 'x25519', publicKey: ka.publicKey }],
  })
  const keys = createKeyring([{ keyUri: `${doc.uri}#encryption` as DidResourceUri, secretKey: ka.secretKey }])
  return { did: doc.uri as DidUri, auth, keys }
}
