/**
 * @module keys/derive
 * Substrate derivation paths on signing pairs, as `@polkadot/util-crypto` `keyFromPath` and keyring
 * `pair.derive(path)`: `//hard` and `/soft` junctions for sr25519, hard junctions only for ed25519.
 */
import { MessagingError } from '../errors.js'
import { assertBytes } from '../lib/bytes.js'
import { describe } from './lib/describe.js'
import { deriveEd25519Seed, deriveSr25519Secret } from './lib/hdkd.js'
import { parsePath } from './lib/junctions.js'
import { makeEd25519, makeSr25519FromSecret } from './lib/make.js'
import { isWiped } from './lib/pair.js'
import type { SigningKeyPair } from './types.js'

function secretOf(pair: unknown, type: 'sr25519' | 'ed25519', length: number): Uint8Array {
  if (typeof pair !== 'object' || pair === null)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"pair" expected a key pair, got ${pair === null ? 'null' : typeof pair}`,
    )
  const p = pair as Partial<SigningKeyPair>
  if (p.type !== type)
    throw new MessagingError(
      'ERR_KEY_TYPE_UNSUPPORTED',
      `"pair" expected a ${type} pair, got ${describe(p.type)}`,
    )
  if (isWiped(pair)) throw new MessagingError('ERR_KEY_UNAVAILABLE', 'the key pair was zeroized')
  return assertBytes(p.secretKey, 'pair.secretKey', length, 'ERR_KEY_INVALID')
}

/**
 * Derives an sr25519 pair along a Substrate path (`'//did//0'`, `'//hard/soft'`, `''` = same key).
 * Chain codes as polkadot `DeriveJunction`: decimal segments are 256-bit little-endian numbers, `0x`
 * segments raw bytes, others the SCALE-compact-prefixed UTF-8 string (blake2b-256 beyond 32 bytes).
 * Soft derivation here is deterministic (polkadot randomizes the secret nonce half; public keys agree).
 * @param pair - an sr25519 pair (64-byte secret)
 * @param path - the derivation path, at most 2048 characters; no `///password` part
 * @returns a new pair; the input pair is untouched
 * @throws MessagingError ERR_ARGUMENT_INVALID for a malformed path or non-object pair;
 *   ERR_KEY_TYPE_UNSUPPORTED when `pair` is not sr25519; ERR_KEY_INVALID when its secret is not 64 bytes
 *   or its scalar half is out of range; ERR_KEY_UNAVAILABLE when it was zeroized
 * @example
 * const auth = deriveSr25519(sr25519FromSeed(miniSecret), '//did//0') // Sporran's DID authentication key
 */
export function deriveSr25519(pair: SigningKeyPair, path: string): SigningKeyPair {
  const secret = secretOf(pair, 'sr25519', 64)
  const junctions = parsePath(path)
  try {
    return makeSr25519FromSecret(deriveSr25519Secret(secret, junctions))
  } catch (cause) {
    // a hand-made pair whose scalar half is outside 1 <= sc < n: the curve library's RangeError
    // names the bound, never the bytes
    throw new MessagingError(
      'ERR_KEY_INVALID',
      'the sr25519 secret key is not valid (its scalar half is out of range)',
      {
        cause,
      },
    )
  }
}

/**
 * Derives an ed25519 pair along hard junctions (`Ed25519HDKD`:
 * `seed' = blake2b-256(SCALE("Ed25519HDKD") ‖ seed ‖ chainCode)`), as polkadot `keyFromPath`.
 * @param pair - an ed25519 pair (32-byte seed)
 * @param path - hard junctions only, e.g. `'//attestation'`; at most 2048 characters
 * @returns a new pair; the input pair is untouched
 * @throws MessagingError ERR_ARGUMENT_INVALID for a malformed path, a soft junction or a non-object
 *   pair; ERR_KEY_TYPE_UNSUPPORTED when `pair` is not ed25519; ERR_KEY_INVALID when its secret is not
 *   32 bytes; ERR_KEY_UNAVAILABLE when it was zeroized
 * @example
 * const attestation = deriveEd25519(ed25519FromSeed(seed), '//attestation')
 */
export function deriveEd25519(pair: SigningKeyPair, path: string): SigningKeyPair {
  const seed = secretOf(pair, 'ed25519', 32)
  const derived = deriveEd25519Seed(seed, parsePath(path))
  const result = makeEd25519(derived)
  derived.fill(0)
  return result
}
