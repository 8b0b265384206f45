/**
 * @module did/lib/scale
 * SCALE encoding of kilt-node's `DidPublicKey` (`pallets/did/src/did_details.rs`, spec §7.4):
 * enum `DidPublicKey { PublicVerificationKey(DidVerificationKey) = 0, PublicEncryptionKey(DidEncryptionKey) = 1 }`,
 * `DidVerificationKey { Ed25519([u8;32]) = 0, Sr25519([u8;32]) = 1, Ecdsa([u8;33]) = 2 }`,
 * `DidEncryptionKey { X25519([u8;32]) = 0 }`. Fixed-size arrays carry no length prefix.
 */
import type { DidKeyType } from '../types.js'

const VARIANTS: Readonly<Record<DidKeyType, readonly [number, number]>> = {
  ed25519: [0, 0],
  sr25519: [0, 1],
  ecdsa: [0, 2],
  x25519: [1, 0],
}

/** SCALE(DidPublicKey) for a key whose type and length the caller has checked. */
export function scaleDidPublicKey(type: DidKeyType, publicKey: Uint8Array): Uint8Array {
  const [outer, inner] = VARIANTS[type]
  const out = new Uint8Array(2 + publicKey.length)
  out[0] = outer
  out[1] = inner
  out.set(publicKey, 2)
  return out
}
