/**
 * @module crypto/lib/sodium
 * The optional sodium-native accelerator (libsodium): `crypto_scalarmult` for X25519 and
 * `crypto_secretbox_easy`/`_open_easy` with the precomputed key, which is exactly
 * `crypto_box_easy_afternm`/`crypto_box_open_easy_afternm` (sodium-native 5 does not expose the
 * `_afternm` names or `crypto_box_beforenm`, so HSalsa20 comes from noble). Loaded with a dynamic
 * import that bundlers ignore; absent in browsers or when the optional dependency is not installed.
 */
import type { BoxBackend } from '../types.js'
import { useNativeBlake2b } from './blake2b.js'
import { defineBackend, hasMethods } from './checks.js'

/** The slice of sodium-native used here. */
interface Sodium {
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void
  crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void
  crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void
  crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean
}

function isSodium(m: unknown): m is Sodium {
  return hasMethods<Sodium>(m, [
    'crypto_scalarmult',
    'crypto_scalarmult_base',
    'crypto_secretbox_easy',
    'crypto_secretbox_open_easy',
  ])
}

/**
 * Builds the sodium backend from a loaded sodium-native module.
 *
 * Every key goes to libsodium through a reused array: V8 keeps a typed array of up to 64 bytes
 * inside its heap, and the first time native code asks for its memory V8 moves it out (a malloc, a
 * copy, and later a sweep: ~0.6 µs each). A new peer's key and its shared key would each pay that
 * once; a 32-byte copy into a scratch array costs a few ns. (Nonces need no copy: the message layer
 * passes reused arrays.) The scratch arrays holding secrets are wiped after each call.
 */
export function sodiumBackendFrom(sodium: Sodium): BoxBackend {
  const sharedScratch = new Uint8Array(32)
  const secretScratch = new Uint8Array(32)
  const peerScratch = new Uint8Array(32)
  const keyScratch = new Uint8Array(32)
  return defineBackend({
    name: 'sodium',
    publicKey(secretKey) {
      const out = new Uint8Array(32)
      secretScratch.set(secretKey)
      sodium.crypto_scalarmult_base(sharedScratch, secretScratch)
      secretScratch.fill(0)
      out.set(sharedScratch)
      return out
    },
    sharedSecret(peerPublicKey, secretKey) {
      // Written into a reused array, then copied out (see above).
      secretScratch.set(secretKey)
      peerScratch.set(peerPublicKey)
      sodium.crypto_scalarmult(sharedScratch, secretScratch, peerScratch)
      secretScratch.fill(0)
      const out = sharedScratch.slice()
      sharedScratch.fill(0)
      return out
    },
    seal(plaintext, nonce, key, out = new Uint8Array(plaintext.length + 16)) {
      keyScratch.set(key)
      sodium.crypto_secretbox_easy(out, plaintext, nonce, keyScratch)
      keyScratch.fill(0)
      return out
    },
    open(box, nonce, key, out = new Uint8Array(box.length - 16)) {
      keyScratch.set(key)
      const ok = sodium.crypto_secretbox_open_easy(out, box, nonce, keyScratch)
      keyScratch.fill(0)
      if (ok) return out
      out.fill(0)
      return null
    },
  })
}

/** The sodium backend, or undefined when sodium-native cannot be loaded. */
export async function loadSodiumImpl(): Promise<BoxBackend | undefined> {
  const spec = 'sodium-native'
  try {
    const m = (await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as { default?: unknown }
    const sodium: unknown = isSodium(m) ? m : m.default
    if (!isSodium(sodium)) return undefined
    // BLAKE2b for message ids and SS58 checksums, used only if it reproduces noble (see blake2b.ts).
    const hash = (sodium as { crypto_generichash?: unknown }).crypto_generichash
    if (typeof hash === 'function')
      useNativeBlake2b((out, input) => {
        hash.call(sodium, out, input)
      })
    return sodiumBackendFrom(sodium)
  } catch {
    return undefined
  }
}
