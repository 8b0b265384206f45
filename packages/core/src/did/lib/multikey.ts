/**
 * @module did/lib/multikey
 * Multibase (`z` = base58btc) and multicodec-prefixed public keys as in W3C `Multikey` verification
 * methods (SDK 1.0 `Multikey.ts`, spec §7.5): varint prefixes ed25519 0xed, sr25519 0xef,
 * x25519 0xec, secp256k1 0xe7 — each a two-byte varint `<code> 0x01`.
 */
import { base58 } from '@scure/base'
import type { DidKeyType } from '../types.js'
import { KEY_LENGTHS } from './document.js'

const CODECS: Readonly<Record<DidKeyType, number>> = {
  ed25519: 0xed,
  sr25519: 0xef,
  x25519: 0xec,
  ecdsa: 0xe7,
}
const TYPES: Readonly<Record<number, DidKeyType>> = {
  237: 'ed25519',
  239: 'sr25519',
  236: 'x25519',
  231: 'ecdsa',
}

/** `z` + base58btc(varint(codec) ‖ publicKey). */
export function encodeMultikey(type: DidKeyType, publicKey: Uint8Array): string {
  const out = new Uint8Array(2 + publicKey.length)
  out[0] = CODECS[type]
  out[1] = 0x01
  out.set(publicKey, 2)
  return `z${base58.encode(out)}`
}

/** Decodes a Multikey public key; undefined when the string is not one of the four known kinds. */
export function decodeMultikey(value: string): { type: DidKeyType; publicKey: Uint8Array } | undefined {
  if (value.length > 100 || value[0] !== 'z') return undefined
  let bytes: Uint8Array
  try {
    bytes = base58.decode(value.slice(1))
  } catch {
    return undefined
  }
  if (bytes.length < 2 || bytes[1] !== 0x01) return undefined
  const type = TYPES[bytes[0] as number]
  if (type === undefined || bytes.length !== 2 + (KEY_LENGTHS[type] as number)) return undefined
  return { type, publicKey: bytes.slice(2) }
}
