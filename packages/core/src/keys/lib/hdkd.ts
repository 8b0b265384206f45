/**
 * @module keys/lib/hdkd
 * Substrate hierarchical deterministic key derivation (as `@polkadot/util-crypto` `keyFromPath`).
 * sr25519: schnorrkel HDKD via `@scure/sr25519` (hard: new mini secret from the transcript, expanded
 * as `ExpansionMode::Ed25519`; soft: scalar tweak). ed25519: hard only,
 * `seed' = blake2b-256(SCALE("Ed25519HDKD") ‖ seed ‖ chainCode)`.
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { HDKD } from '@scure/sr25519'
import { MessagingError } from '../../errors.js'
import { concatBytes, utf8 } from '../../lib/bytes.js'
import { compactLength, type Junction } from './junctions.js'

const ED25519_HDKD = (() => {
  const label = utf8('Ed25519HDKD')
  return concatBytes(compactLength(label.length), label)
})()

/**
 * Zero "randomness" for soft derivation: schnorrkel mixes it with the secret nonce and the chain code,
 * so the derived nonce stays secret, and becomes reproducible (polkadot draws it at random; public
 * keys are identical either way).
 */
const SOFT_RANDOM = new Uint8Array(32)

/** Applies the junctions to a 64-byte sr25519 secret; returns a new 64-byte secret (input untouched). */
export function deriveSr25519Secret(secretKey: Uint8Array, junctions: readonly Junction[]): Uint8Array {
  let current: Uint8Array = Uint8Array.from(secretKey)
  for (const j of junctions) {
    const next = j.hard
      ? HDKD.secretHard(current, j.chainCode)
      : HDKD.secretSoft(current, j.chainCode, SOFT_RANDOM)
    current.fill(0)
    current = next
  }
  return current
}

/**
 * Applies hard junctions to a 32-byte ed25519 seed; returns a new seed (input untouched).
 * @throws MessagingError ERR_ARGUMENT_INVALID on a soft junction (ed25519 has no soft derivation)
 */
export function deriveEd25519Seed(seed: Uint8Array, junctions: readonly Junction[]): Uint8Array {
  if (junctions.some((j) => !j.hard))
    throw new MessagingError('ERR_ARGUMENT_INVALID', 'ed25519 supports only hard ("//") junctions')
  let current: Uint8Array = Uint8Array.from(seed)
  for (const j of junctions) {
    const input = concatBytes(ED25519_HDKD, current, j.chainCode)
    const next = blake2b(input, { dkLen: 32 })
    input.fill(0)
    current.fill(0)
    current = next
  }
  return current
}
