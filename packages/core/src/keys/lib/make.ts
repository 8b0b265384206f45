/**
 * @module keys/lib/make
 * Pair construction from already-validated secrets (the public files check the arguments).
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import * as sr25519 from '@scure/sr25519'
import { SigningPair, X25519Pair } from './pair.js'

/** x25519 pair; the pair keeps a copy of the 32-byte secret (spec §3.1: the seed is the secret). */
export function makeX25519(secret: Uint8Array): X25519Pair {
  const secretKey = Uint8Array.from(secret)
  return new X25519Pair(x25519.getPublicKey(secretKey), secretKey)
}

/** sr25519 pair from a 32-byte mini secret (schnorrkel `ExpansionMode::Ed25519`, as polkadot `sr25519PairFromSeed`). */
export function makeSr25519FromMiniSecret(miniSecret: Uint8Array): SigningPair {
  const secretKey = sr25519.secretFromSeed(miniSecret)
  return new SigningPair('sr25519', sr25519.getPublicKey(secretKey), secretKey)
}

/** sr25519 pair from a 64-byte expanded secret (polkadot layout: ed25519-style scalar ‖ nonce); takes ownership. */
export function makeSr25519FromSecret(secretKey: Uint8Array): SigningPair {
  return new SigningPair('sr25519', sr25519.getPublicKey(secretKey), secretKey)
}

/** ed25519 pair from a 32-byte RFC 8032 seed; the pair keeps a copy. */
export function makeEd25519(seed: Uint8Array): SigningPair {
  const secretKey = Uint8Array.from(seed)
  return new SigningPair('ed25519', ed25519.getPublicKey(secretKey), secretKey)
}
