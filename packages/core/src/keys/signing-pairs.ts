/**
 * @module keys/signing-pairs
 * sr25519 and ed25519 signing pairs, as polkadot's `Keyring.addFromSeed` (KILT
 * `Utils.Crypto.makeKeypairFromSeed(seed, type)`): sr25519 expands a 32-byte mini secret like
 * `sr25519PairFromSeed` (schnorrkel `ExpansionMode::Ed25519`), ed25519 uses the RFC 8032 seed.
 */
import { MessagingError } from '../errors.js'
import { assertBytes } from '../lib/bytes.js'
import { describe } from './lib/describe.js'
import { makeEd25519, makeSr25519FromMiniSecret, makeSr25519FromSecret } from './lib/make.js'
import { randomBytes } from './lib/random.js'
import type { SigningKeyPair, SigningKeyType } from './types.js'

function seedArg(seed: unknown, name: string): Uint8Array {
  assertBytes(seed, name)
  return assertBytes(seed, name, 32, 'ERR_KEY_INVALID')
}

/**
 * The sr25519 pair of a 32-byte Substrate mini secret (polkadot `sr25519PairFromSeed`).
 * @param miniSecret - 32 bytes (e.g. from {@link mnemonicToMiniSecret})
 * @returns a pair with a 32-byte public key and the 64-byte expanded secret (polkadot layout, non-enumerable)
 * @throws MessagingError ERR_ARGUMENT_INVALID when not a Uint8Array; ERR_KEY_INVALID when not 32 bytes
 * @example
 * const pair = sr25519FromSeed(new Uint8Array(32).fill(0x11))
 * toHex(pair.publicKey) // '0x50780547…' (spec §11.3 senderAuthSr25519)
 */
export function sr25519FromSeed(miniSecret: Uint8Array): SigningKeyPair {
  return makeSr25519FromMiniSecret(seedArg(miniSecret, 'miniSecret'))
}

/**
 * The sr25519 pair of a 64-byte expanded secret key in polkadot's layout (the `secretKey` of
 * `sr25519PairFromSeed`/`keyFromPath`: ed25519-style scalar ‖ nonce). The pair keeps its own copy.
 * @param secretKey - 64 bytes
 * @throws MessagingError ERR_ARGUMENT_INVALID when not a Uint8Array; ERR_KEY_INVALID when not 64 bytes
 *   or when its scalar half (first 32 bytes, little-endian) is zero or not below the group order
 * @example
 * const again = sr25519FromSecretKey(sr25519FromSeed(seed).secretKey)
 */
export function sr25519FromSecretKey(secretKey: Uint8Array): SigningKeyPair {
  assertBytes(secretKey, 'secretKey')
  assertBytes(secretKey, 'secretKey', 64, 'ERR_KEY_INVALID')
  const copy = Uint8Array.from(secretKey)
  try {
    return makeSr25519FromSecret(copy)
  } catch (cause) {
    copy.fill(0)
    // the curve library rejects a scalar outside 1 <= sc < n (e.g. all zero, all 0xff); its message
    // names the bound, never the bytes
    throw new MessagingError(
      'ERR_KEY_INVALID',
      '"secretKey" is not a valid sr25519 secret key (its scalar half is out of range)',
      { cause },
    )
  }
}

/**
 * The ed25519 pair of a 32-byte RFC 8032 seed (polkadot `ed25519PairFromSeed`). The pair keeps a copy.
 * @param seed - 32 bytes; it is the pair's `secretKey`
 * @throws MessagingError ERR_ARGUMENT_INVALID when not a Uint8Array; ERR_KEY_INVALID when not 32 bytes
 * @example
 * const pair = ed25519FromSeed(new Uint8Array(32).fill(0x33))
 * toHex(pair.publicKey) // '0x17cb79fb…' (spec §11.3 receiverAuthEd25519)
 */
export function ed25519FromSeed(seed: Uint8Array): SigningKeyPair {
  return makeEd25519(seedArg(seed, 'seed'))
}

/**
 * A fresh signing pair from a random 32-byte seed (platform CSPRNG).
 * @param type - `'sr25519'` or `'ed25519'`
 * @throws MessagingError ERR_KEY_TYPE_UNSUPPORTED for any other type; TypeError when there is no CSPRNG
 * @example
 * const pair = randomSigningKeyPair('sr25519')
 */
export function randomSigningKeyPair(type: SigningKeyType): SigningKeyPair {
  if (type !== 'sr25519' && type !== 'ed25519')
    throw new MessagingError(
      'ERR_KEY_TYPE_UNSUPPORTED',
      `"type" expected 'sr25519' or 'ed25519', got ${describe(type)}`,
    )
  const seed = randomBytes(32)
  const pair = type === 'sr25519' ? makeSr25519FromMiniSecret(seed) : makeEd25519(seed)
  seed.fill(0)
  return pair
}
