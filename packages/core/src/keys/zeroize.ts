/**
 * @module keys/zeroize
 * Best-effort wiping of a pair's secret. JavaScript cannot guarantee that no copy survives (the
 * engine may have moved the buffer, and callers may hold copies), but the pair's own bytes are zeroed
 * and the pair refuses to sign or derive afterwards.
 */
import { MessagingError } from '../errors.js'
import { markWiped } from './lib/pair.js'
import type { KiltKeySet, SigningKeyPair, X25519KeyPair } from './types.js'

/**
 * Overwrites the secret of a pair (or of every pair in a key set) with zeros. Idempotent.
 * @param pair - a pair from this module (or any object with a Uint8Array `secretKey`), or a {@link KiltKeySet}
 * @throws MessagingError ERR_ARGUMENT_INVALID when `pair` has no Uint8Array `secretKey` and is not a key set
 * @example
 * const pair = randomX25519()
 * zeroize(pair) // pair.secretKey is now 32 zero bytes
 */
export function zeroize(pair: SigningKeyPair | X25519KeyPair | KiltKeySet): void {
  if (typeof pair !== 'object' || pair === null)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"pair" expected a key pair, got ${pair === null ? 'null' : typeof pair}`,
    )
  if ('secretKey' in pair && pair.secretKey instanceof Uint8Array) {
    pair.secretKey.fill(0)
    markWiped(pair)
    return
  }
  if ('authentication' in pair && 'keyAgreement' in pair) {
    for (const p of [pair.authentication, pair.keyAgreement, pair.assertionMethod, pair.capabilityDelegation])
      if (p !== undefined) zeroize(p)
    return
  }
  throw new MessagingError('ERR_ARGUMENT_INVALID', '"pair" expected a key pair with a Uint8Array secretKey')
}
