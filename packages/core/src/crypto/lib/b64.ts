/**
 * @module crypto/lib/b64
 * base64url without padding (JWK `x`/`d` members), via `@scure/base`.
 */
import { base64urlnopad } from '@scure/base'

/** Encodes bytes as unpadded base64url. */
export const toB64u = (bytes: Uint8Array): string => base64urlnopad.encode(bytes)
/** Decodes unpadded base64url. */
export const fromB64u = (text: string): Uint8Array => base64urlnopad.decode(text)

/** PKCS#8 DER prefix of an X25519 private key (RFC 8410): SEQUENCE { 0, AlgId 1.3.101.110, OCTET STRING { OCTET STRING(32) } }. */
const PKCS8_X25519_PREFIX = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]

/** The PKCS#8 DER encoding of a 32-byte X25519 secret (the caller wipes it after import). */
export function pkcs8X25519(secretKey: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(PKCS8_X25519_PREFIX.length + 32)
  out.set(PKCS8_X25519_PREFIX)
  out.set(secretKey, PKCS8_X25519_PREFIX.length)
  return out
}

/** A copy of an X25519 public key with the unused top bit cleared (RFC 7748 §5 ignores it). */
export function maskedPublicKey(publicKey: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = publicKey.slice()
  out[31] = out[31]! & 0x7f
  return out
}
