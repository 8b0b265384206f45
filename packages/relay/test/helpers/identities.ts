/**
 * @module test/helpers/identities
 * Light-DID identities and envelopes for relay tests (random ciphertext: the relay never decrypts).
 */
import { randomBytes } from 'node:crypto'
import {
  createLightDid,
  type DidResourceUri,
  type DidUri,
  randomSigningKeyPair,
  randomX25519,
  type SigningKeyPair,
  type X25519KeyPair,
} from '@kilt-messaging/core'

export interface Identity {
  readonly did: DidUri
  readonly authKeyUri: DidResourceUri
  readonly encKeyUri: DidResourceUri
  readonly auth: SigningKeyPair
  readonly enc: X25519KeyPair
}

export function makeIdentity(
  type: 'sr25519' | 'ed25519' = 'ed25519',
  service?: Array<{ id: string; type: string[]; serviceEndpoint: string[] }>,
): Identity {
  const auth = randomSigningKeyPair(type)
  const enc = randomX25519()
  const doc = createLightDid({
    authentication: [{ type, publicKey: auth.publicKey }],
    keyAgreement: [{ type: 'x25519', publicKey: enc.publicKey }],
    ...(service === undefined ? {} : { service }),
  })
  return {
    did: doc.uri,
    authKeyUri: `${doc.uri}#authentication`,
    encKeyUri: `${doc.uri}#encryption`,
    auth,
    enc,
  }
}

export function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`
}

export function envelope(from: Identity, to: Identity, ciphertextBytes = 64) {
  return {
    ciphertext: hex(randomBytes(ciphertextBytes)),
    nonce: hex(randomBytes(24)),
    senderKeyUri: from.encKeyUri,
    receiverKeyUri: to.encKeyUri,
  }
}
