/**
 * @module crypto/lib/webcrypto
 * The WebCrypto backend: `crypto.subtle` X25519 `deriveBits` (browsers, Node ≥ 20, Deno, Bun).
 * Asynchronous key agreement; the symmetric part stays on noble (WebCrypto has no XSalsa20).
 */
import type { BoxBackend } from '../types.js'
import { fromB64u, maskedPublicKey, pkcs8X25519 } from './b64.js'
import { defineBackend } from './checks.js'
import { nobleOpen, nobleSeal } from './noble.js'
import { SecretMemo } from './secret-memo.js'

const X25519 = { name: 'X25519' } as const

/** `crypto.subtle`, when the runtime has it. */
export function getSubtle(): SubtleCrypto | undefined {
  const c = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto
  return c?.subtle !== undefined && typeof c.subtle.deriveBits === 'function' ? c.subtle : undefined
}

/** Builds the WebCrypto backend over a `SubtleCrypto`. */
export function webCryptoBackendFrom(subtle: SubtleCrypto): BoxBackend {
  const privates = new SecretMemo<Promise<CryptoKey>>()
  const importPrivate = (secretKey: Uint8Array, extractable = false): Promise<CryptoKey> => {
    const der = pkcs8X25519(secretKey)
    const p = subtle.importKey('pkcs8', der, X25519, extractable, ['deriveBits'])
    der.fill(0)
    return p
  }
  return defineBackend({
    name: 'webcrypto',
    async publicKey(secretKey) {
      const key = await importPrivate(secretKey, true)
      const jwk = await subtle.exportKey('jwk', key)
      if (typeof jwk.x !== 'string') throw new Error('WebCrypto exported no public key')
      return fromB64u(jwk.x)
    },
    async sharedSecret(peerPublicKey, secretKey) {
      const pending = privates.get(secretKey, (s) => importPrivate(s))
      let privateKey: CryptoKey
      try {
        privateKey = await pending
      } catch (e) {
        privates.delete(secretKey)
        throw e
      }
      const publicKey = await subtle.importKey('raw', maskedPublicKey(peerPublicKey), X25519, false, [])
      return new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: publicKey }, privateKey, 256))
    },
    seal: nobleSeal,
    open: nobleOpen,
    forgetSecret: (secretKey) => privates.delete(secretKey),
  })
}

/** The WebCrypto backend, or undefined where `crypto.subtle` is missing. */
export async function loadWebCryptoImpl(): Promise<BoxBackend | undefined> {
  const subtle = getSubtle()
  return subtle === undefined ? undefined : webCryptoBackendFrom(subtle)
}
