/**
 * @module did/key-id
 * Full-DID key ids as the KILT chain computes them (spec §7.4, kilt-node `calculate_key_id`).
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { MessagingError } from '../errors.js'
import { assertBytes, toHex } from '../lib/bytes.js'
import { KEY_LENGTHS } from './lib/document.js'
import { scaleDidPublicKey } from './lib/scale.js'
import type { DidKeyType, UriFragment } from './types.js'

/**
 * The fragment a key gets in a full DID: `#0x` + hex(blake2b-256(SCALE(DidPublicKey))).
 * (Not the SDK test helpers' mock id `blake2b-256(publicKey)`.)
 *
 * @param key - `type` sr25519/ed25519/x25519 with a 32-byte `publicKey`, or ecdsa with 33 bytes
 * @returns `#0x<64 hex>`
 * @throws MessagingError ERR_KEY_TYPE_UNSUPPORTED for an unknown type, ERR_KEY_INVALID for a wrong length
 * @example
 * fullDidKeyId({ type: 'ed25519', publicKey: fromHex('0x98d57b312444dde1093fbef7d234580c6671c9e5b328c2f43b187d0eccf96e83') })
 * // '#0x1c1dcca1a29abc3538294e2d746853349bc43d781de4fa013b6cef473e196dff'
 */
export function fullDidKeyId(key: { type: DidKeyType; publicKey: Uint8Array }): UriFragment {
  if (typeof key !== 'object' || key === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"key" expected an object')
  const { type, publicKey } = key
  const length = typeof type === 'string' && Object.hasOwn(KEY_LENGTHS, type) ? KEY_LENGTHS[type] : undefined
  if (length === undefined)
    throw new MessagingError(
      'ERR_KEY_TYPE_UNSUPPORTED',
      `The provided key type "${String(type).slice(0, 40)}" is currently not supported`,
      { sdkError: 'UnsupportedKeyError' },
    )
  assertBytes(publicKey, 'publicKey', length, 'ERR_KEY_INVALID')
  return `#${toHex(blake2b(scaleDidPublicKey(type, publicKey), { dkLen: 32 }))}`
}
