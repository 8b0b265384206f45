/**
 * @module did/lib/light-details
 * The light-DID "encoded details" codec (spec §7.3):
 * `"z" + base58btc(0x00 ‖ CBOR({ e?: { publicKey, type }, s?: [{ id, type, serviceEndpoint }] }))`,
 * byte strings written as CBOR tag 64 (as `cbor-web` does for a Uint8Array) and read tagged or untagged.
 */
import { base58 } from '@scure/base'
import type { TagDecodeControl } from 'cborg'
import { decode, encode, Token, Type } from 'cborg'
import { MessagingError } from '../../errors.js'
import { base58Decode } from './base58.js'

/** Longest encoded details string accepted (base58 decoding is quadratic; real light DIDs are far shorter). */
export const MAX_DETAILS_LENGTH = 4096
/** Largest payload (version byte + CBOR) written; `@scure/base` base58 encodes at most 2048 bytes (≈2800 characters). */
export const MAX_DETAILS_BYTES = 2048
const SERIALIZATION_VERSION = 0x00
const TAG_UINT8_ARRAY = 64

/** What the CBOR map carries, in the SDK's property order. */
export interface LightDetailsInput {
  readonly keyAgreement?: { readonly publicKey: Uint8Array; readonly type: string } | undefined
  readonly service?:
    | ReadonlyArray<{
        readonly id: string
        readonly type: readonly string[]
        readonly serviceEndpoint: readonly string[]
      }>
    | undefined
}

const encodeOptions = {
  // Keep insertion order (the SDK's cbor-web does not sort map keys); a stable sort with a
  // constant comparator leaves the entries as given.
  mapSorter: () => 0,
  typeEncoders: {
    Uint8Array: (bytes: Uint8Array) => [new Token(Type.tag, TAG_UINT8_ARRAY), new Token(Type.bytes, bytes)],
  },
}

/**
 * Serialises the optional details (at most {@link MAX_DETAILS_BYTES} bytes, else ERR_SERVICE_INVALID). Only `publicKey`/`type` of the key and `id`/`type`/`serviceEndpoint`
 * of services are written, whatever else the objects carry. Returns undefined when there is nothing
 * to encode (the DID then has no `:details` part).
 */
export function encodeLightDetails({ keyAgreement, service }: LightDetailsInput): string | undefined {
  const map: Record<string, unknown> = {}
  if (keyAgreement !== undefined) map.e = { publicKey: keyAgreement.publicKey, type: keyAgreement.type }
  if (service !== undefined && service.length > 0)
    map.s = service.map(({ id, type, serviceEndpoint }) => ({
      id: id.startsWith('#') ? id.slice(1) : id,
      type: [...type],
      serviceEndpoint: [...serviceEndpoint],
    }))
  if (map.e === undefined && map.s === undefined) return undefined
  const cbor = encode(map, encodeOptions)
  const payload = new Uint8Array(cbor.length + 1)
  payload[0] = SERIALIZATION_VERSION
  payload.set(cbor, 1)
  if (payload.length > MAX_DETAILS_BYTES)
    throw new MessagingError(
      'ERR_SERVICE_INVALID',
      `The services make the light DID details larger than ${MAX_DETAILS_BYTES} bytes`,
    )
  return `z${base58.encode(payload)}`
}

function detailsError(message: string, cause?: unknown): MessagingError {
  return new MessagingError('ERR_DID_DETAILS_INVALID', message, { cause })
}

const decodeOptions = {
  tags: {
    [TAG_UINT8_ARRAY]: (inner: TagDecodeControl): Uint8Array => {
      const value = inner()
      if (!(value instanceof Uint8Array)) throw new Error('tag 64 must wrap a byte string')
      return value
    },
  },
  rejectDuplicateMapKeys: true,
  allowUndefined: false,
  allowBigInt: false,
}

// The details of a light DID with one x25519 key agreement key and no services, as our encoder and
// the SDK's write them: version 0, {"e": {"publicKey": tag64(bytes(32)), "type": "x25519"}}.
const KEY_ONLY_HEAD = Uint8Array.from([
  0x00, 0xa1, 0x61, 0x65, 0xa2, 0x69, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0x4b, 0x65, 0x79, 0xd8, 0x40, 0x58,
  0x20,
])
const KEY_ONLY_TAIL = Uint8Array.from([
  0x64, 0x74, 0x79, 0x70, 0x65, 0x66, 0x78, 0x32, 0x35, 0x35, 0x31, 0x39,
])
const KEY_ONLY_LENGTH = KEY_ONLY_HEAD.length + 32 + KEY_ONLY_TAIL.length

/**
 * The decoded map when `bytes` are exactly the key-only layout (what the CBOR decoder returns for
 * them, byte for byte the same input), else undefined: every other input goes through the decoder.
 */
function keyOnlyDetails(bytes: Uint8Array): Record<string, unknown> | undefined {
  if (bytes.length !== KEY_ONLY_LENGTH) return undefined
  for (let i = 0; i < KEY_ONLY_HEAD.length; i++) if (bytes[i] !== KEY_ONLY_HEAD[i]) return undefined
  const tail = KEY_ONLY_HEAD.length + 32
  for (let i = 0; i < KEY_ONLY_TAIL.length; i++) if (bytes[tail + i] !== KEY_ONLY_TAIL[i]) return undefined
  return { e: { publicKey: bytes.slice(KEY_ONLY_HEAD.length, tail), type: 'x25519' } }
}

/**
 * Decodes the details to the raw CBOR value (a plain object; validation is the caller's job).
 * @throws MessagingError ERR_DID_DETAILS_INVALID for an oversized string, bad multibase/base58,
 * serialization version ≠ 0 or invalid CBOR
 */
export function decodeLightDetails(encoded: string): Record<string, unknown> {
  if (encoded.length > MAX_DETAILS_LENGTH)
    throw detailsError(`Light DID details longer than ${MAX_DETAILS_LENGTH} characters are refused`)
  if (encoded[0] !== 'z') throw detailsError('Light DID details must be base58btc multibase ("z" prefix)')
  const bytes = base58Decode(encoded.slice(1))
  if (bytes === undefined) throw detailsError('Light DID details are not valid base58btc')
  if (bytes.length === 0) throw detailsError('Light DID details are empty')
  if (bytes[0] !== SERIALIZATION_VERSION) throw detailsError('Serialization algorithm not supported')
  const keyOnly = keyOnlyDetails(bytes)
  if (keyOnly !== undefined) return keyOnly
  let value: unknown
  try {
    value = decode(bytes.subarray(1), decodeOptions)
  } catch (cause) {
    throw detailsError('Light DID details are not valid CBOR', cause)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    throw detailsError('Light DID details must be a CBOR map')
  return value as Record<string, unknown>
}
