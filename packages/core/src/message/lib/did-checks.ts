/**
 * @module message/lib/did-checks
 * DID checks on the hot path, through the DID layer's cached parser (`parseDidShared`): the same rules and
 * codes as `validateDidUri`, without re-running its regular expressions for URIs seen before.
 */
import { parseDidShared } from '../../did/lib/uri.js'
import type { DidResourceUri, DidUri } from '../../did/types.js'
import { MessagingError } from '../../errors.js'
import { BoundedCache } from '../../lib/bounded-cache.js'

export interface Parts {
  readonly did: DidUri
  readonly subject: string
}

// URI → its DID and subject. DID strings are immutable values, so a bounded memo is exact;
// misses go through the DID layer, which validates (and throws for invalid URIs, never cached).
const MEMO_SIZE = 4096
const memo = new BoundedCache<Parts>(MEMO_SIZE)

// The fragment rule of the SDK's DID regular expressions.
const FRAGMENT = /^#[^#\n]+$/

function fromParse(uri: string): Parts {
  const p = parseDidShared(uri)
  return { did: p.did, subject: p.address }
}

/** The DID and subject of a valid KILT DID URI (memoised). */
export function partsOf(uri: string): Parts {
  const hit = memo.get(uri)
  if (hit !== undefined) return hit
  // `did#fragment` of a memoised DID without fragment: the SDK expressions split such a URI at its
  // only `#` into that DID and the fragment, so its parts are the DID's (no second parse).
  const hash = uri.indexOf('#')
  const base = hash > 0 ? memo.get(uri.slice(0, hash)) : undefined
  const parts: Parts =
    base !== undefined && base.did.length === hash && FRAGMENT.test(uri.slice(hash)) ? base : fromParse(uri)
  if (uri.length <= 4096) memo.set(uri, parts)
  return parts
}

/** Number of memoised URIs (diagnostics; never above 4096). */
export function didMemoSize(): number {
  return memo.size
}

/**
 * The subject (SS58 address) of a valid KILT DID or DID resource URI.
 * @throws MessagingError ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID (ERR_ARGUMENT_INVALID when not a string)
 */
export function subjectOf(uri: unknown): string {
  if (typeof uri !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `DID string expected, got ${typeof uri}`)
  return partsOf(uri).subject
}

/** The DID part (without fragment) of a valid KILT DID URI. */
export function didPartOf(uri: string): DidUri {
  return partsOf(uri).did
}

/**
 * A KILT DID resource URI (with `#fragment`).
 * @throws MessagingError ERR_ARGUMENT_INVALID (not a string), ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID, ERR_DID_FRAGMENT
 */
export function resourceUri(value: unknown): DidResourceUri {
  resourceParts(value)
  return value as DidResourceUri
}

/**
 * {@link resourceUri}, answering the DID and subject of the URI (one memo lookup for both).
 * @throws as {@link resourceUri}
 */
export function resourceParts(value: unknown): Parts {
  if (typeof value !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `DID string expected, got ${typeof value}`)
  const parts = partsOf(value)
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
  if (partsOf(value).did.length !== value.length)
    throw new MessagingError(
      'ERR_DID_FRAGMENT',
      'Expected a Kilt DidUri but got a DidResourceUri (containing a #fragment)',
    )
  return value as DidUri
}
