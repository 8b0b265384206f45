/**
 * Interop of the session start and the spec-1.0 envelope names with what KILT's own code does,
 * `@kiltprotocol/sdk-js@0.35.2` and `@polkadot/util-crypto` as the oracles:
 * - Sporran boxes the challenge with `naclSeal(Crypto.coToUInt8(challenge), secret, dAppKey)` (older
 *   releases) or `Crypto.encryptAsymmetricAsStr(Crypto.coToUInt8(challenge), dAppKey, secret)` and
 *   answers the hex of box and nonce;
 * - the KILT docs' dApp (and web3-login-demo) checks with `Crypto.decryptAsymmetric` and
 *   `u8aToHex(decrypted) === challenge`;
 * - Sporran's `toMessageV1`/`fromMessageV1` rename the envelope's key URIs for spec-1.0 dApps.
 */
import * as Kilt from '@kiltprotocol/sdk-js'
import { u8aToHex } from '@polkadot/util'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import nacl from 'tweetnacl'
import { beforeAll, describe, expect, it } from 'vitest'
import { createMessage } from '../../src/message/create-message.js'
import { decryptMessage } from '../../src/message/decrypt-message.js'
import { encryptMessage } from '../../src/message/encrypt-message.js'
import {
  answerSessionChallenge,
  createSessionChallenge,
  fromEnvelopeV1,
  toEnvelopeV1,
  verifySessionChallenge,
} from '../../src/session/index.js'
import { CTYPE_HASH, freshIdentity } from '../message/helpers.js'

beforeAll(async () => {
  await cryptoWaitReady()
})

const dApp = freshIdentity('interop-dapp')
const session = freshIdentity('interop-session')
const { Crypto } = Kilt.Utils

describe('Sporran → our dApp check', () => {
  it('encryptAsymmetricAsStr(coToUInt8(challenge)) (current Sporran)', async () => {
    const challenge = createSessionChallenge()
    const { box, nonce } = Crypto.encryptAsymmetricAsStr(
      Crypto.coToUInt8(challenge),
      dApp.publicKey,
      session.secretKey,
    )
    const verified = await verifySessionChallenge(
      { encryptionKeyUri: session.keyUri, encryptedChallenge: box, nonce },
      { challenge, dAppEncryptionKeyUri: dApp.keyUri, keys: dApp.keyring() },
    )
    expect(verified.did).toBe(session.did)
  })

  it('nacl.box(coToUInt8(challenge)) (polkadot naclSeal) with the spec-1.0 encryptionKeyId (older Sporran)', async () => {
    const challenge = Kilt.Utils.UUID.generate()
    // polkadot's naclSeal (gone from current @polkadot/util-crypto) was nacl.box with a random nonce
    const nonce = nacl.randomBytes(24)
    const sealed = nacl.box(Crypto.coToUInt8(challenge), nonce, dApp.publicKey, session.secretKey)
    const verified = await verifySessionChallenge(
      { encryptionKeyId: session.keyUri, encryptedChallenge: u8aToHex(sealed), nonce: u8aToHex(nonce) },
      { challenge, dAppEncryptionKeyUri: dApp.keyUri, keys: dApp.keyring() },
    )
    expect(verified.encryptionKeyUri).toBe(session.keyUri)
  })

  it('an answer boxed for another challenge is refused', async () => {
    const { box, nonce } = Crypto.encryptAsymmetricAsStr(
      Crypto.coToUInt8(createSessionChallenge()),
      dApp.publicKey,
      session.secretKey,
    )
    await expect(
      verifySessionChallenge(
        { encryptionKeyUri: session.keyUri, encryptedChallenge: box, nonce },
        { challenge: createSessionChallenge(), dAppEncryptionKeyUri: dApp.keyUri, keys: dApp.keyring() },
      ),
    ).rejects.toMatchObject({ code: 'ERR_SESSION_CHALLENGE_MISMATCH' })
  })
})

describe('our extension answer → the KILT docs dApp check', () => {
  it('decryptAsymmetric + u8aToHex(decrypted) === challenge', async () => {
    const challenge = Kilt.Utils.Crypto.hashStr(String(Math.random())) // what dApps pass: 0x hex
    const start = await answerSessionChallenge(
      { challenge, dAppEncryptionKeyUri: dApp.keyUri },
      { keys: session.keyring(), sessionDid: session.did },
    )
    // the docs resolve the session key from its light DID
    const { did, fragment } = Kilt.Did.parse(start.encryptionKeyUri)
    const key = Kilt.Did.parseDocumentFromLightDid(did, false).keyAgreement?.find((k) => k.id === fragment)
    expect(key).toBeDefined()
    const decrypted = Crypto.decryptAsymmetric(
      { box: start.encryptedChallenge, nonce: start.nonce },
      key!.publicKey,
      dApp.secretKey,
    )
    expect(decrypted).not.toBe(false)
    expect(u8aToHex(decrypted as Uint8Array)).toBe(challenge)
  })
})

// Sporran's own renaming (src/injectedScript.ts), as the oracle
const sporranToMessageV1 = ({ receiverKeyUri, senderKeyUri, ...rest }: Kilt.IEncryptedMessage) => ({
  ...rest,
  receiverKeyId: receiverKeyUri,
  senderKeyId: senderKeyUri,
})
const sporranFromMessageV1 = ({
  receiverKeyId,
  senderKeyId,
  ...rest
}: ReturnType<typeof sporranToMessageV1>): Kilt.IEncryptedMessage => ({
  ...rest,
  receiverKeyUri: receiverKeyId,
  senderKeyUri: senderKeyId,
})

async function sdkResolveKey(keyUri: string) {
  const { did, fragment } = Kilt.Did.parse(keyUri as Kilt.DidResourceUri)
  const key = Kilt.Did.parseDocumentFromLightDid(did, false).keyAgreement?.find((k) => k.id === fragment)
  if (key === undefined) throw new Error(`no key ${keyUri}`)
  return { controller: did, id: keyUri as Kilt.DidResourceUri, publicKey: key.publicKey, type: key.type }
}

describe('spec-1.0 envelopes', () => {
  it('ours → toEnvelopeV1 → Sporran fromMessageV1 → SDK Message.decrypt', async () => {
    const message = createMessage({ type: 'request-terms', content: { cTypeHash: CTYPE_HASH } } as never, {
      sender: dApp.did,
      receiver: session.did,
    })
    const v1 = toEnvelopeV1(await encryptMessage(message, { keys: dApp.keyring() }))
    const read = await Kilt.Message.decrypt(
      sporranFromMessageV1(v1 as never),
      session.keyring().decrypt as never,
      { resolveKey: sdkResolveKey as unknown as Kilt.DidResolveKey },
    )
    expect(read.messageId).toBe(message.messageId)
  })

  it('SDK Message.encrypt → Sporran toMessageV1 → fromEnvelopeV1 → ours', async () => {
    const message = Kilt.Message.fromBody(
      { type: 'request-terms', content: { cTypeHash: CTYPE_HASH } } as never,
      session.did,
      dApp.did,
    )
    const sdkEnvelope = await Kilt.Message.encrypt(message, session.keyring().encrypt as never, dApp.keyUri, {
      resolveKey: sdkResolveKey as unknown as Kilt.DidResolveKey,
    })
    const v1 = JSON.parse(JSON.stringify(sporranToMessageV1(sdkEnvelope)))
    const { message: read } = await decryptMessage(fromEnvelopeV1(v1), { keys: dApp.keyring() })
    expect(read.messageId).toBe(message.messageId)
    expect(read.sender).toBe(session.did)
  })
})
