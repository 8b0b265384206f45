/**
 * Test identities for the message tests: the anchor DIDs of the vectors and fresh light DIDs.
 */
import { createLightDid } from '../../src/did/index.js'
import type { DidResourceUri, DidUri } from '../../src/did/types.js'
import { MessagingError } from '../../src/errors.js'
import { ed25519FromSeed, x25519FromSeed } from '../../src/keys/index.js'
import { createKeyring, type Keyring } from '../../src/keys/keyring.js'
import { loadVectors } from '../helpers/vectors.js'

export const vectors = loadVectors()

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/^0x/, ''), 'hex'))

/** Lowercase `0x` hex through Node's `Buffer` (independent of the encoder under test). */
export const toHex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`

export interface Identity {
  readonly did: DidUri
  readonly keyUri: DidResourceUri
  readonly secretKey: Uint8Array
  readonly publicKey: Uint8Array
  keyring(): Keyring
}

/** An anchor DID of the vector file (`alice`, `bob`, `carol`, `dave`, `erin`). */
export function anchor(name: string): Identity {
  const d = vectors.dids[name]
  const secretKey = hex(d.keyAgreement.secretKey)
  return {
    did: d.uri,
    keyUri: d.keyAgreement.keyUri,
    secretKey,
    publicKey: hex(d.keyAgreement.publicKey),
    keyring: () => createKeyring([{ keyUri: d.keyAgreement.keyUri, secretKey }]),
  }
}

let counter = 0
/** A fresh ed25519 light DID with an x25519 key agreement key (deterministic per call order and label). */
export function freshIdentity(label = 'x'): Identity {
  counter++
  const seed = new Uint8Array(32)
  const tag = new TextEncoder().encode(`${label}/${counter}`)
  seed.set(tag.subarray(0, 32))
  seed[31] = counter & 0xff
  seed[30] = (counter >> 8) & 0xff
  const auth = ed25519FromSeed(seed)
  const enc = x25519FromSeed(seed.map((b) => b ^ 0x5a))
  const doc = createLightDid({
    authentication: [{ type: 'ed25519', publicKey: auth.publicKey }],
    keyAgreement: [{ type: 'x25519', publicKey: enc.publicKey }],
  })
  const keyUri = `${doc.uri}#encryption` as DidResourceUri
  const secretKey = enc.secretKey.slice()
  return {
    did: doc.uri,
    keyUri,
    secretKey,
    publicKey: enc.publicKey,
    keyring: () => createKeyring([{ keyUri, secretKey }]),
  }
}

/** The code of the MessagingError a promise (or thunk) rejects with; "other: …" for other errors. */
export async function codeOf(p: unknown): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? (p as () => unknown)() : p)
  } catch (e) {
    return e instanceof MessagingError ? e.code : `other: ${String(e)}`
  }
  return undefined
}

/** The MessagingError a promise rejects with (fails the test otherwise). */
export async function errorOf(p: unknown): Promise<MessagingError> {
  try {
    await (typeof p === 'function' ? (p as () => unknown)() : p)
  } catch (e) {
    if (e instanceof MessagingError) return e
    throw new Error(`expected a MessagingError, got ${String(e)}`)
  }
  throw new Error('expected a rejection')
}

export const CTYPE_HASH = '0xf7ac9c4babe1da8a0b1d70bebf7cb36fc147e365d7055694f94318c8f11fd4d5'
