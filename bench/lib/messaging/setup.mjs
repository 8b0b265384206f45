/**
 * Shared, deterministic inputs of the messaging benchmark: the message bodies and the peers.
 * The parent process builds them once and passes them to every child, so the SDK, ours and the
 * raw limit see the same DIDs, keys and plaintext bytes.
 */
import sodium from 'sodium-native'
import { createLightDid, createMessage } from '../../../packages/core/dist/index.js'

const CTYPE_HASH = '0xf7ac9c4babe1da8a0b1d70bebf7cb36fc147e365d7055694f94318c8f11fd4d5'

/** A request-terms body whose JSON is exactly `size` bytes (valid for the SDK's verify and ours). */
export function bodyOfSize(size) {
  const base = { type: 'request-terms', content: { cTypeHash: CTYPE_HASH, contents: { note: '' } } }
  const pad = size - JSON.stringify(base).length
  if (pad < 0) throw new Error('body too small')
  return { type: 'request-terms', content: { cTypeHash: CTYPE_HASH, contents: { note: 'a'.repeat(pad) } } }
}

/** 32 bytes derived from a label (BLAKE2b), so a run's peers are the same in every process and every run. */
function derive(label) {
  const out = Buffer.alloc(32)
  sodium.crypto_generichash(out, Buffer.from(`kilt-messaging-bench/${label}`))
  return out
}

/**
 * Peer `label`: ed25519 authentication key and x25519 key agreement key derived from the label,
 * light DID built by our `createLightDid` (its URIs are the SDK's, checked by the interop tests).
 * Serialisable (hex), for the IPC to the children.
 */
export function makePeer(label) {
  const authPub = Buffer.alloc(32)
  const authSec = Buffer.alloc(64)
  sodium.crypto_sign_seed_keypair(authPub, authSec, derive(`auth/${label}`))
  const encSecret = derive(`enc/${label}`)
  const encPub = Buffer.alloc(32)
  sodium.crypto_scalarmult_base(encPub, encSecret)
  const doc = createLightDid({
    authentication: [{ type: 'ed25519', publicKey: new Uint8Array(authPub) }],
    keyAgreement: [{ type: 'x25519', publicKey: new Uint8Array(encPub) }],
  })
  return {
    did: doc.uri,
    keyUri: `${doc.uri}#encryption`,
    encSecret: encSecret.toString('hex'),
    encPub: encPub.toString('hex'),
  }
}

/** Turns a serialised peer back into one with byte keys. */
export function revivePeer(p) {
  return {
    did: p.did,
    keyUri: p.keyUri,
    encSecret: new Uint8Array(Buffer.from(p.encSecret, 'hex')),
    encPub: new Uint8Array(Buffer.from(p.encPub, 'hex')),
  }
}

/** The plaintext bytes of a message of `body` from `sender` to `receiver` (what the raw limit boxes). */
export function plaintextOf(body, sender, receiver) {
  const m = createMessage(body, { sender: sender.did, receiver: receiver.did })
  return Buffer.from(
    JSON.stringify({
      body: m.body,
      createdAt: m.createdAt,
      sender: m.sender,
      receiver: m.receiver,
      messageId: m.messageId,
    }),
  ).toString('hex')
}
