/**
 * @module did/address
 * KILT SS58 addresses (prefix 38, spec §7.1): the identifier inside every KILT DID.
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { MessagingError } from '../errors.js'
import { assertBytes } from '../lib/bytes.js'
import { ss58DecodeShared, ss58Encode } from './lib/ss58.js'
import type { DidKeyType } from './types.js'

/**
 * Encodes a 32-byte public key (or account id) as a KILT address.
 *
 * @param publicKey - 32 bytes
 * @returns a 48-character SS58 address starting with `4`
 * @throws MessagingError ERR_KEY_INVALID when `publicKey` is not a 32-byte Uint8Array
 * @example
 * encodeAddress(new Uint8Array(32)) // '4nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS'
 */
export function encodeAddress(publicKey: Uint8Array): string {
  assertBytes(publicKey, 'publicKey', 32, 'ERR_KEY_INVALID')
  return ss58Encode(publicKey)
}

/**
 * Decodes a KILT address, checking its length, prefix 38 and checksum.
 *
 * @param address - a 48-character SS58 address
 * @returns the 32 bytes it encodes (a fresh copy)
 * @throws MessagingError ERR_DID_ADDRESS_INVALID (sdkError `AddressInvalidError`)
 * @example
 * decodeAddress('4nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS') // 32 zero bytes
 */
export function decodeAddress(address: string): Uint8Array {
  if (typeof address !== 'string')
    throw new MessagingError('ERR_DID_ADDRESS_INVALID', `address expected a string, got ${typeof address}`, {
      sdkError: 'AddressTypeError',
    })
  return ss58DecodeShared(address).slice()
}

/**
 * The address a full DID created with this authentication key gets (SDK `getAddressByKey`): the key
 * itself for sr25519/ed25519, blake2b-256 of the 33-byte compressed key for ecdsa.
 *
 * @param key - `{ type, publicKey }` with 32 bytes (33 for ecdsa)
 * @throws MessagingError ERR_KEY_TYPE_UNSUPPORTED for x25519 or unknown types, ERR_KEY_INVALID for bad lengths
 * @example
 * addressOfKey({ type: 'ed25519', publicKey: new Uint8Array(32) }) // '4nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS'
 */
export function addressOfKey(key: { type: DidKeyType; publicKey: Uint8Array }): string {
  if (typeof key !== 'object' || key === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"key" expected an object')
  if (key.type === 'ecdsa')
    return ss58Encode(blake2b(assertBytes(key.publicKey, 'publicKey', 33, 'ERR_KEY_INVALID'), { dkLen: 32 }))
  if (key.type === 'sr25519' || key.type === 'ed25519') return encodeAddress(key.publicKey)
  throw new MessagingError(
    'ERR_KEY_TYPE_UNSUPPORTED',
    `The provided key type "${String(key.type)}" is currently not supported`,
    {
      sdkError: 'UnsupportedKeyError',
    },
  )
}
