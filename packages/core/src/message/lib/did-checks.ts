/**
 * @module message/lib/did-checks
 * DID checks on the hot path, through the DID layer's cached parser (`parseDidShared`): the same rules and
 * codes as `validateDidUri`, without re-running its regular expressions for URIs seen before.
 */
import { parseDidShared } from '../../did/lib/uri.js'
import type { DidResourceUri, DidUri, ParsedDid } from '../../did/types.js'
import { MessagingError } from '../../errors.js'

/** The DID (without fragment) and subject (`address`) of a URI: its shared, cached parse. */
export type Parts = Pick<ParsedDid, 'did' | 'address'>

/**
 * A KILT DID resource URI (with `#fragment`).
 * @throws MessagingError ERR_ARGUMENT_INVALID (not a string), ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID, ERR_DID_FRAGMENT
 */
export function resourceUri(value: unknown): DidResourceUri {
  resourceParts(value)
  return value as DidResourceUri
}

/**
 * {@link resourceUri}, answering the DID and subject of the URI (one cache lookup for both).
 * @throws as {@link resourceUri}
 */
export function resourceParts(value: unknown): Parts {
  if (typeof value !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `DID string expected, got ${typeof value}`)
  const parts = parseDidShared(value)
  if (parts.did.length === value.length)
    throw new MessagingError(
      'ERR_DID_FRAGMENT',
      'Expected a Kilt DidResourceUri (containing a #fragment) but got a DidUri',
    )
  return parts
}

/**
 * A KILT DID without fragment.
 * @throws MessagingError ERR_ARGUMENT_INVALID (not a string), ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID, ERR_DID_FRAGMENT
 */
export function plainDid(value: unknown): DidUri {
  if (typeof value !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `DID string expected, got ${typeof value}`)
  if (parseDidShared(value).did.length !== value.length)
    throw new MessagingError(
      'ERR_DID_FRAGMENT',
      'Expected a Kilt DidUri but got a DidResourceUri (containing a #fragment)',
    )
  return value as DidUri
}
