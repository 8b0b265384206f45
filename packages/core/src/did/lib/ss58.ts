/**
 * @module did/lib/ss58
 * SS58 addresses with KILT's network prefix 38 (spec §7.1): `base58btc(0x26 ‖ pk32 ‖ checksum2)`,
 * checksum = `blake2b-512("SS58PRE" ‖ 0x26 ‖ pk32)[0..2]`.
 */
import { base58 } from '@scure/base'
import { blake2bInto } from '../../crypto/lib/blake2b.js'
import { MessagingError } from '../../errors.js'
import { BoundedCache } from '../../lib/bounded-cache.js'
import { base58Decode } from './base58.js'

/** KILT's SS58 network prefix. */
export const SS58_FORMAT = 38
const SS58PRE = new Uint8Array([0x53, 0x53, 0x35, 0x38, 0x50, 0x52, 0x45]) // "SS58PRE"
/** A 32-byte key with a 1-byte prefix and a 2-byte checksum is always 48 base58 characters for prefix 38. */
const ADDRESS_LENGTH = 48
const DECODED_LENGTH = 35

// The checksum's input ("SS58PRE" ‖ prefix ‖ key: 40 bytes) and digest, reused: a new peer's address
// is checked without allocating (addresses are public: nothing to wipe).
const checksumInput = new Uint8Array(SS58PRE.length + 33)
checksumInput.set(SS58PRE, 0)
const checksumDigest = new Uint8Array(64)

/** The checksum of a prefix ‖ key (33 bytes): the first two bytes of the answer, valid until the next call. */
function checksum(prefixAndKey: Uint8Array): Uint8Array {
  checksumInput.set(prefixAndKey, SS58PRE.length)
  blake2bInto(checksumDigest, checksumInput)
  return checksumDigest
}

/** Encodes a 32-byte public key (or account id) as a KILT SS58 address. Caller checks the length. */
export function ss58Encode(publicKey: Uint8Array): string {
  const out = new Uint8Array(DECODED_LENGTH)
  out[0] = SS58_FORMAT
  out.set(publicKey, 1)
  const sum = checksum(out.subarray(0, 33))
  out[33] = sum[0]!
  out[34] = sum[1]!
  return base58.encode(out)
}

// Addresses recur on every message; caching the validated key keeps the base58 + blake2b work off the hot path.
const decoded = new BoundedCache<Uint8Array>(10_000)

function invalid(address: string, why: string, cause?: unknown): MessagingError {
  const shown = address.length > 64 ? `${address.slice(0, 64)}…` : address
  return new MessagingError('ERR_DID_ADDRESS_INVALID', `Provided address "${shown}" is invalid: ${why}`, {
    sdkError: 'AddressInvalidError',
    cause,
  })
}

/**
 * Decodes and checks a KILT SS58 address (length, prefix 38, checksum). Returns the cached 32-byte
 * key: callers must copy it before handing it out.
 */
export function ss58DecodeShared(address: string): Uint8Array {
  const hit = decoded.get(address)
  if (hit !== undefined) return hit
  const key = ss58Decode(address)
  decoded.set(address, key)
  return key
}

/**
 * {@link ss58DecodeShared} without its cache: a fresh 32-byte key, for callers that cache what
 * they derive themselves (the DID layer's parse cache), so that a new address is not kept twice.
 */
export function ss58Decode(address: string): Uint8Array {
  if (address.length !== ADDRESS_LENGTH) throw invalid(address, 'wrong length')
  const bytes = base58Decode(address)
  if (bytes === undefined) throw invalid(address, 'not base58')
  if (bytes.length !== DECODED_LENGTH) throw invalid(address, 'wrong decoded length')
  if (bytes[0] !== SS58_FORMAT) throw invalid(address, `prefix is not ${SS58_FORMAT}`)
  const sum = checksum(bytes.subarray(0, 33))
  if (sum[0] !== bytes[33] || sum[1] !== bytes[34]) throw invalid(address, 'bad checksum')
  return bytes.slice(1, 33)
}
