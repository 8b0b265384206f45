/**
 * @module keys/x25519
 * x25519 key agreement pairs, as KILT's `Utils.Crypto.makeEncryptionKeypairFromSeed`
 * (= tweetnacl `box.keyPair.fromSecretKey`): the 32-byte seed *is* the secret key, and
 * `publicKey = X25519(seed, 9)` (clamping happens inside the scalar multiplication; spec §3.1).
 */
import { assertBytes } from '../lib/bytes.js'
import { makeX25519 } from './lib/make.js'
import { randomBytes } from './lib/random.js'
import type { X25519KeyPair } from './types.js'

/**
 * The x25519 pair of a 32-byte secret (KILT `makeEncryptionKeypairFromSeed`). The pair keeps its own copy.
 * @param seed - 32 bytes, used unmodified as the secret key
 * @returns `{ type: 'x25519', publicKey, secretKey }`: 32-byte public key, 32-byte secret (non-enumerable)
 * @throws MessagingError ERR_ARGUMENT_INVALID when `seed` is not a Uint8Array; ERR_KEY_INVALID when it is not 32 bytes
 * @example
 * const pair = x25519FromSeed(new Uint8Array(32).fill(0x22))
 * toHex(pair.publicKey) // '0x0faa684e…' (spec §11.3 senderX25519)
 */
export function x25519FromSeed(seed: Uint8Array): X25519KeyPair {
  assertBytes(seed, 'seed')
  assertBytes(seed, 'seed', 32, 'ERR_KEY_INVALID')
  return makeX25519(seed)
}

/**
 * A fresh x25519 pair from the platform CSPRNG (`globalThis.crypto.getRandomValues`).
 * @returns a new pair; its secret is 32 random bytes
 * @throws TypeError when the platform has no CSPRNG
 * @example
 * const { publicKey } = randomX25519()
 */
export function randomX25519(): X25519KeyPair {
  const secret = randomBytes(32)
  const pair = makeX25519(secret)
  secret.fill(0)
  return pair
}
