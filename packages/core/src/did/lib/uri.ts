/**
 * @module did/lib/uri
 * The KILT DID grammar of SDK 0.35.2 (`Did.utils.ts`, spec §7.2), matched without any decoding,
 * plus the cached, address-checked parse used on the hot path.
 */
import { MessagingError } from '../../errors.js'
import { BoundedCache } from '../../lib/bounded-cache.js'
import type { DidUri, ParsedDid, UriFragment } from '../types.js'
import { ss58Decode } from './ss58.js'

// The exact regular expressions of the SDK (unchanged in 1.0.0).
const FULL_KILT_DID_REGEX = /^did:kilt:(?<address>4[1-9a-km-zA-HJ-NP-Z]{47})(?<fragment>#[^#\n]+)?$/
const LIGHT_KILT_DID_REGEX =
  /^did:kilt:light:(?<authKeyType>[0-9]{2})(?<address>4[1-9a-km-zA-HJ-NP-Z]{47,48})(:(?<encodedDetails>.+?))?(?<fragment>#[^#\n]+)?$/

/** The grammar-level parts of a DID URI (address not yet checked). */
export interface DidMatch {
  readonly did: DidUri
  readonly type: 'full' | 'light'
  readonly address: string
  readonly fragment: UriFragment | undefined
  readonly authKeyTypeEncoding: string | undefined
  readonly encodedDetails: string | undefined
}

function shorten(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s
}

/** The SDK's `InvalidDidFormatError`. */
export function invalidDid(uri: unknown, cause?: unknown): MessagingError {
  const shown = typeof uri === 'string' ? shorten(uri) : `<${typeof uri}>`
  return new MessagingError('ERR_DID_INVALID', `Not a valid KILT DID "${shown}"`, {
    sdkError: 'InvalidDidFormatError',
    cause,
  })
}

/**
 * Matches the SDK's full and light DID regular expressions. Does not check the address.
 * @throws MessagingError ERR_DID_INVALID
 */
export function matchDid(uri: unknown): DidMatch {
  if (typeof uri !== 'string') throw invalidDid(uri)
  const full = FULL_KILT_DID_REGEX.exec(uri)?.groups
  const groups = full ?? LIGHT_KILT_DID_REGEX.exec(uri)?.groups
  if (groups === undefined) throw invalidDid(uri)
  const fragment = groups.fragment as UriFragment | undefined
  return {
    // The SDK uses `uri.replace(fragment, '')`, which is the same except when the fragment text
    // also occurs inside the details; cutting the suffix is what it means.
    did: (fragment ? uri.slice(0, uri.length - fragment.length) : uri) as DidUri,
    type: full ? 'full' : 'light',
    address: groups.address as string,
    fragment,
    // Groups of the light grammar only (undefined for a full DID).
    authKeyTypeEncoding: groups.authKeyType,
    encodedDetails: groups.encodedDetails,
  }
}

const AUTH_KEY_TYPES: Readonly<Record<string, 'sr25519' | 'ed25519'>> = { '00': 'sr25519', '01': 'ed25519' }

/** The key type a light DID's 2-digit code stands for, or undefined. */
export function authKeyTypeOf(code: string | undefined): 'sr25519' | 'ed25519' | undefined {
  return code === '00' || code === '01' ? AUTH_KEY_TYPES[code] : undefined
}

/** Parse results of strings up to this length are cached; longer ones are parsed each time. */
const MAX_CACHED_URI_LENGTH = 1024
/** Most parses cached. */
export const PARSE_CACHE_SIZE = 10_000
const parsed = new BoundedCache<ParsedDid>(PARSE_CACHE_SIZE)

/** Number of cached parses (diagnostics and the benchmark's memory check; never above the bound). */
export function parseCacheSize(): number {
  return parsed.size
}

/** The cached parse of `uri`, if any (a hit means grammar and address were already checked). */
export function cachedParse(uri: string): ParsedDid | undefined {
  return uri.length <= MAX_CACHED_URI_LENGTH ? parsed.get(uri) : undefined
}

// The fragment rule of the SDK's DID regular expressions.
const FRAGMENT = /^#[^#\n]+$/

type Writable = { -readonly [K in keyof ParsedDid]: ParsedDid[K] }

/**
 * The parse of `did#fragment` when `did` (without any `#`) is cached: the SDK's expressions split
 * such a URI at its only `#` into that DID and the fragment (a DID that parses without fragment has
 * no `#` at all: the last `#` of any other string starts one), so its parts are the DID's — no
 * second match and address check.
 */
function withCachedBase(uri: string): ParsedDid | undefined {
  const hash = uri.indexOf('#')
  if (hash <= 0) return undefined
  const base = parsed.get(uri.slice(0, hash))
  if (base === undefined || base.fragment !== undefined || base.did.length !== hash) return undefined
  const fragment = uri.slice(hash)
  if (!FRAGMENT.test(fragment)) return undefined
  // The base's fields (it has no fragment) and the fragment last: what a parse of the whole URI builds.
  return Object.freeze({ ...base, fragment: fragment as UriFragment })
}

/**
 * Parses and checks a DID URI; the result (including `addressPublicKey`) is shared and frozen:
 * callers that hand it out copy `addressPublicKey`.
 * @throws MessagingError ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID
 */
export function parseDidShared(uri: unknown): ParsedDid {
  const cacheable = typeof uri === 'string' && uri.length <= MAX_CACHED_URI_LENGTH
  if (cacheable) {
    const hit = parsed.get(uri)
    if (hit !== undefined) return hit
    const derived = withCachedBase(uri)
    if (derived !== undefined) {
      parsed.set(uri, derived)
      return derived
    }
  }
  const m = matchDid(uri)
  // Decoded uncached: this parse is cached whole (a second cache of the address would only keep
  // a new peer's key twice).
  const addressPublicKey = ss58Decode(m.address)
  const authKeyType = authKeyTypeOf(m.authKeyTypeEncoding)
  // Built by assignment, not by spreading optional parts: a few fixed shapes, each frozen the same way.
  const result: Writable = {
    did: m.did,
    type: m.type,
    version: 1 as const,
    address: m.address,
    addressPublicKey,
  }
  if (authKeyType !== undefined) result.authKeyType = authKeyType
  if (m.authKeyTypeEncoding !== undefined) result.authKeyTypeEncoding = m.authKeyTypeEncoding
  if (m.encodedDetails !== undefined) result.encodedDetails = m.encodedDetails
  if (m.fragment !== undefined) result.fragment = m.fragment
  Object.freeze(result)
  if (cacheable) parsed.set(uri as string, result)
  return result
}
