/**
 * @module did/parse
 * Parsing and checking KILT DID URIs (spec §7.2, §7.7): the SDK's grammar, plus an SS58 check of
 * the address (prefix 38 and checksum). Results are cached, so repeated DIDs cost a map lookup.
 */
import { MessagingError } from '../errors.js'
import { ss58DecodeShared } from './lib/ss58.js'
import { cachedParse, matchDid, parseDidShared } from './lib/uri.js'
import type { DidUri, ParsedDid } from './types.js'

/**
 * Parses a KILT DID or DID resource URI (full or light, with or without `#fragment`) and checks its
 * SS58 address. Light-DID details are returned as written and are not decoded here (see
 * `lightDidToDocument`). Any 2-digit auth key code parses, as in the SDK; `authKeyType` is only set
 * for `00` (sr25519) and `01` (ed25519).
 *
 * @param uri - the DID URI; a non-string is reported as ERR_DID_INVALID, like the SDK's `parse`
 * @returns a frozen {@link ParsedDid}; `addressPublicKey` is a fresh 32-byte copy
 * @throws MessagingError ERR_DID_INVALID (sdkError `InvalidDidFormatError`) when the grammar does not match
 * @throws MessagingError ERR_DID_ADDRESS_INVALID (sdkError `AddressInvalidError`) for a bad SS58 length, prefix or checksum
 * @example
 * const p = parseDid('did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B#0x12')
 * p.type // 'full'; p.fragment === '#0x12'; p.did === 'did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B'
 */
export function parseDid(uri: string): ParsedDid {
  const shared = parseDidShared(uri)
  return Object.freeze({ ...shared, addressPublicKey: shared.addressPublicKey.slice() })
}

/**
 * Checks that `input` is a KILT DID URI, with the SDK's `validateUri` semantics and order of checks:
 * type, grammar, fragment presence, address. Light-DID details are not decoded.
 *
 * @param input - anything
 * @param expectType - `'Did'`: no fragment allowed; `'ResourceUri'`: a fragment is required; omitted: either.
 *   The SDK's legacy booleans are accepted too: `false` as `'Did'`, `true` as omitted
 * @throws MessagingError ERR_ARGUMENT_INVALID (sdkError `TypeError`) when `input` is not a string or `expectType` is unknown
 * @throws MessagingError ERR_DID_INVALID when the grammar does not match
 * @throws MessagingError ERR_DID_FRAGMENT (sdkError `DidError`) when the fragment is present/missing against `expectType`
 * @throws MessagingError ERR_DID_ADDRESS_INVALID when the SS58 address is bad
 * @example
 * validateDidUri('did:kilt:light:004pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B#encryption', 'ResourceUri')
 */
export function validateDidUri(input: unknown, expectType?: 'Did' | 'ResourceUri' | boolean): void {
  if (typeof input !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `DID string expected, got ${typeof input}`)
  // the SDK's legacy booleans: `false` means 'Did', `true` means either
  const expect = expectType === false ? 'Did' : expectType === true ? undefined : expectType
  if (expect !== undefined && expect !== 'Did' && expect !== 'ResourceUri')
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      '"expectType" must be "Did", "ResourceUri", a boolean or undefined',
    )
  const hit = cachedParse(input)
  const { address, fragment } = hit ?? matchDid(input)
  if (fragment !== undefined && expect === 'Did')
    throw new MessagingError(
      'ERR_DID_FRAGMENT',
      'Expected a Kilt DidUri but got a DidResourceUri (containing a #fragment)',
    )
  if (fragment === undefined && expect === 'ResourceUri')
    throw new MessagingError(
      'ERR_DID_FRAGMENT',
      'Expected a Kilt DidResourceUri (containing a #fragment) but got a DidUri',
    )
  if (hit === undefined) ss58DecodeShared(address)
}

/**
 * True when both URIs name the same DID subject, i.e. have the same address (SDK `isSameSubject`):
 * light vs full, auth key code, details and fragments are ignored.
 *
 * @param a - a DID or DID resource URI
 * @param b - a DID or DID resource URI
 * @throws MessagingError ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID when either is not a valid KILT DID
 * @example
 * isSameSubject('did:kilt:light:004pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B', 'did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B') // true
 */
export function isSameSubject(a: string, b: string): boolean {
  return parseDidShared(a).address === parseDidShared(b).address
}

/**
 * The subject of a DID: its SS58 address (48 characters).
 *
 * @param uri - a DID or DID resource URI
 * @throws MessagingError ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID
 * @example
 * didSubject('did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B#0x12') // '4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B'
 */
export function didSubject(uri: string): string {
  return parseDidShared(uri).address
}

/**
 * The full DID with the same address (SDK `getFullDidUri`): what a light DID becomes when upgraded.
 *
 * @param uri - a DID or DID resource URI
 * @throws MessagingError ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID
 * @example
 * toFullDid('did:kilt:light:004pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B') // 'did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B'
 */
export function toFullDid(uri: string): DidUri {
  return `did:kilt:${parseDidShared(uri).address}`
}

/**
 * The DID of a DID resource URI: the URI without its fragment, details kept as written.
 *
 * @param uri - a DID or DID resource URI
 * @throws MessagingError ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID
 * @example
 * didOf('did:kilt:light:004pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B#encryption') // 'did:kilt:light:004pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B'
 */
export function didOf(uri: string): DidUri {
  return parseDidShared(uri).did
}
