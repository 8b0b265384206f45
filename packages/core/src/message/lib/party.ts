/**
 * @module message/lib/party
 * Who owns a key agreement key. The DID named in a key URI owns the key. Another DID of the same
 * subject (the short or the long form of a light DID, or the full DID with the same address) owns it
 * only when that DID's own resolved document lists the same public key under `keyAgreement`: the
 * details of a light DID are not bound to its address, so anybody can pair someone else's address
 * with their own x25519 key and would otherwise pass as that someone (review finding C1/C2).
 */

import { didOf, didSubject } from '../../did/parse.js'
import { equalBytes } from '../../lib/bytes.js'
import type { DidResolver } from '../../resolver/types.js'

/**
 * True when `did` owns the key agreement key `publicKey` found under the DID `keyDid`.
 * Synchronous `true` for the exact DID (the hot path); otherwise resolves `did` and compares keys.
 * Never throws for resolution failures: an unresolvable DID owns nothing.
 */
export function ownsAgreementKey(
  resolver: DidResolver,
  did: string,
  keyDid: string,
  publicKey: () => Uint8Array | Promise<Uint8Array>,
): boolean | Promise<boolean> {
  if (did === keyDid) return true
  if (didSubject(did) !== didSubject(keyDid)) return false
  return otherFormOwns(resolver, didOf(did), publicKey)
}

async function otherFormOwns(
  resolver: DidResolver,
  did: string,
  publicKey: () => Uint8Array | Promise<Uint8Array>,
): Promise<boolean> {
  try {
    const [result, key] = await Promise.all([resolver.resolve(did), publicKey()])
    if (typeof result !== 'object' || result === null) return false
    if (result.metadata?.canonicalId !== undefined || result.metadata?.deactivated === true) return false
    const keys = result.document?.keyAgreement
    return (
      Array.isArray(keys) &&
      keys.some((k) => k.publicKey instanceof Uint8Array && equalBytes(k.publicKey, key))
    )
  } catch {
    return false
  }
}
