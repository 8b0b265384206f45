/**
 * @module message/lib/did-checks
 * DID checks on the hot path, through the DID layer's cached parser (`didOf`): the same rules and
 * codes as `validateDidUri`, without re-running its regular expressions for URIs seen before.
 */
import { didOf } from '../../did/index.js'
import type { DidResourceUri, DidUri } from '../../did/types.js'
import { MessagingError } from '../../errors.js'

/**
 * A KILT DID resource URI (with `#fragment`).
 * @throws MessagingError ERR_ARGUMENT_INVALID (not a string), ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID, ERR_DID_FRAGMENT
 */
export function resourceUri(value: unknown): DidResourceUri {
  if (typeof value !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `DID string expected, got ${typeof value}`)
  if (didOf(value).length === value.length)
    throw new MessagingError(
      'ERR_DID_FRAGMENT',
      'Expected a Kilt DidResourceUri (containing a #fragment) but got a DidUri',
    )
  return value as DidResourceUri
}

/**
 * A KILT DID without fragment.
 * @throws MessagingError ERR_ARGUMENT_INVALID (not a string), ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID, ERR_DID_FRAGMENT
 */
export function plainDid(value: unknown): DidUri {
  if (typeof value !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `DID string expected, got ${typeof value}`)
  if (didOf(value).length !== value.length)
    throw new MessagingError(
      'ERR_DID_FRAGMENT',
      'Expected a Kilt DidUri but got a DidResourceUri (containing a #fragment)',
    )
  return value as DidUri
}
