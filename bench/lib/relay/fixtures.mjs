/**
 * Relay benchmark fixtures: light DIDs and real encrypted envelopes made with the core library
 * (`packages/core/dist`, built by `npm run build`).
 */
import {
  createKeyring,
  createLightDid,
  createMessage,
  createRegistryResolver,
  encryptMessage,
  fullDidKeyId,
  randomSigningKeyPair,
  randomX25519,
  toFullDid,
} from '../../../packages/core/dist/index.js'

const CTYPE_HASH = '0xf7ac9c4babe1da8a0b1d70bebf7cb36fc147e365d7055694f94318c8f11fd4d5'

/**
 * A light DID with an sr25519 authentication key (for relay login) and an x25519 key agreement key.
 * @returns {{ did: string, authKeyUri: string, keyUri: string, auth: { sign(data: Uint8Array): Uint8Array }, keyring: ReturnType<typeof createKeyring> }}
 */
export function makeIdentity() {
  const auth = randomSigningKeyPair('sr25519')
  const enc = randomX25519()
  const doc = createLightDid({
    authentication: [{ type: 'sr25519', publicKey: auth.publicKey }],
    keyAgreement: [{ type: 'x25519', publicKey: enc.publicKey }],
  })
  const keyUri = `${doc.uri}#encryption`
  const authKeyUri = `${doc.uri}#authentication`
  return {
    did: doc.uri,
    authKeyUri,
    keyUri,
    auth,
    keyring: createKeyring([{ keyUri, secretKey: enc.secretKey }]),
  }
}

/**
 * A full DID (its document for a registry resolver) with an sr25519 authentication key and an
 * x25519 key agreement key: key URIs are `did:kilt:<address>#0x<64 hex>`, so envelopes between full
 * DIDs are about 1 KB smaller than between light DIDs that carry their keys in the URI.
 */
export function makeFullIdentity() {
  const auth = randomSigningKeyPair('sr25519')
  const enc = randomX25519()
  const light = createLightDid({ authentication: [{ type: 'sr25519', publicKey: auth.publicKey }] })
  const did = toFullDid(light.uri)
  const authKey = { id: fullDidKeyId(auth), type: 'sr25519', publicKey: auth.publicKey }
  const encKey = { id: fullDidKeyId(enc), type: 'x25519', publicKey: enc.publicKey }
  const keyUri = `${did}${encKey.id}`
  return {
    did,
    keyUri,
    authKeyUri: `${did}${authKey.id}`,
    auth,
    document: { uri: did, authentication: [authKey], keyAgreement: [encKey] },
    keyring: createKeyring([{ keyUri, secretKey: enc.secretKey }]),
  }
}

/** A request-terms body with a note of `pad` characters. */
function body(pad) {
  return { type: 'request-terms', content: { cTypeHash: CTYPE_HASH, contents: { note: 'a'.repeat(pad) } } }
}

/**
 * Encrypts `count` distinct messages from `sender` to `receiver` (each with its own nonce).
 * @param {number} count
 * @param {number} pad - length of the padding note in the plaintext body
 * @returns {Promise<Array<{ nonce: string, json: string }>>} envelopes as JSON text
 */
export async function makeEnvelopes(sender, receiver, count, pad = 0) {
  const documents = [sender, receiver].flatMap((p) => (p.document === undefined ? [] : [p.document]))
  const resolver = createRegistryResolver(documents)
  const out = []
  for (let i = 0; i < count; i++) {
    const message = createMessage(body(pad), { sender: sender.did, receiver: receiver.did })
    const envelope = await encryptMessage(message, {
      keys: sender.keyring,
      receiverKeyUri: receiver.keyUri,
      resolver,
    })
    out.push({ nonce: envelope.nonce, json: JSON.stringify(envelope) })
  }
  return out
}

/**
 * The body POSTed by the throughput passes. A real message between two full DIDs encrypts to at least
 * ~1,190 bytes of envelope JSON (its plaintext repeats both DIDs, a message id and a timestamp), so
 * for a ~700-byte envelope (as in relay-ceiling.md) the real ciphertext is cut to fit: every field
 * keeps a valid shape (the relay never decrypts). `targetBytes = 0` keeps the real envelope whole.
 * @returns {Promise<{ json: string, bytes: number, real: boolean }>}
 */
export async function makeDepositBody(sender, receiver, targetBytes = 700) {
  const [e] = await makeEnvelopes(sender, receiver, 1)
  const full = JSON.parse(e.json)
  if (targetBytes === 0) return { json: e.json, bytes: Buffer.byteLength(e.json), real: true }
  const over = Buffer.byteLength(e.json) - targetBytes
  const hexDigits = Math.max(64, full.ciphertext.length - 2 - Math.max(0, over))
  const ciphertext = full.ciphertext.slice(0, 2 + hexDigits - (hexDigits % 2))
  const json = JSON.stringify({ ...full, ciphertext })
  return { json, bytes: Buffer.byteLength(json), real: false }
}
