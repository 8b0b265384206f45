/**
 * @module resolver/lib/resolve-key
 * The one `resolveKey` ladder shared by every resolver (SDK 0.35.2 `Did.resolveKey`, spec §7.6),
 * with our codes. Light DIDs are decoded here (the DID layer caches decodes) so that the hot path,
 * one light-DID key per message, needs no network and no extra Promise.
 */
import { parseDid } from '../../did/index.js'
import { ENCRYPTION_KEY_ID } from '../../did/lib/light-document.js'
import { lightAgreementKeyOnly, sharedLightDocument } from '../../did/light-did.js'
import type {
  DidDocument,
  DidKey,
  DidResourceUri,
  DidUri,
  UriFragment,
  VerificationRelationship,
} from '../../did/types.js'
import { MessagingError } from '../../errors.js'
import { BoundedCache } from '../../lib/bounded-cache.js'
import type { DidResolutionResult, ResolvedKey, ResolveOptions } from '../types.js'
import { callOptions } from './options.js'
import { found } from './results.js'

const LIGHT_PREFIX = 'did:kilt:light:'
const RELATIONSHIPS: readonly VerificationRelationship[] = [
  'authentication',
  'assertionMethod',
  'capabilityDelegation',
  'keyAgreement',
]

/** A checked key URI. */
export interface KeyTarget {
  /** The key URI as given. */
  readonly keyUri: DidResourceUri
  /** The DID part as given (the controller of the resolved key). */
  readonly did: DidUri
  readonly fragment: UriFragment
  /** Light DIDs only: the offline document. */
  readonly lightDocument?: DidDocument
}

/** True when `did` is written as a light DID. */
export function isLight(did: string): boolean {
  return did.startsWith(LIGHT_PREFIX)
}

/**
 * Checks `relationship`.
 * @throws MessagingError ERR_ARGUMENT_INVALID
 */
export function checkRelationship(relationship: unknown): VerificationRelationship | undefined {
  if (relationship === undefined) return undefined
  if (typeof relationship === 'string' && (RELATIONSHIPS as readonly string[]).includes(relationship))
    return relationship as VerificationRelationship
  throw new MessagingError(
    'ERR_ARGUMENT_INVALID',
    `"relationship" expected one of ${RELATIONSHIPS.join(', ')} or undefined`,
  )
}

/**
 * Splits and checks a key URI; a light DID is decoded offline.
 * @throws MessagingError ERR_ARGUMENT_INVALID, ERR_DID_INVALID, ERR_DID_ADDRESS_INVALID,
 *   ERR_DID_DETAILS_INVALID, ERR_KEY_TYPE_UNSUPPORTED, ERR_DID_FRAGMENT
 */
export function parseKeyUri(keyUri: unknown, legacy: boolean, remember = true): KeyTarget {
  if (typeof keyUri !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"keyUri" expected a string, got ${typeof keyUri}`)
  const targets = legacy ? legacyTargets : strictTargets
  // Not remembering: the caller caches what it derives and has just missed it; skip the lookup.
  const hit = remember ? targets.get(keyUri) : undefined
  if (hit !== undefined) return hit
  const hash = keyUri.indexOf('#')
  const did = (hash < 0 ? keyUri : keyUri.slice(0, hash)) as DidUri
  const fragment = hash < 0 ? '' : keyUri.slice(hash)
  if (hash >= 0 && (fragment.length < 2 || fragment.indexOf('#', 1) >= 0 || fragment.includes('\n')))
    throw new MessagingError('ERR_DID_INVALID', 'Not a valid KILT DID resource URI')
  // Parse first, fragment second: the SDK reports a malformed DID before a missing fragment.
  // The cached document itself (no copy): it never leaves this module, resolved keys get copies.
  const lightDocument = isLight(did) ? sharedLightDocument(did, false, legacy, remember) : undefined
  if (lightDocument === undefined) parseDid(did)
  if (hash < 0)
    throw new MessagingError('ERR_DID_FRAGMENT', 'The key URI is not a valid DID resource (no fragment)')
  const target = { keyUri: keyUri as DidResourceUri, did, fragment: fragment as UriFragment }
  if (lightDocument === undefined) return target
  const light: KeyTarget = Object.freeze({
    keyUri: keyUri as DidResourceUri,
    did,
    fragment: fragment as UriFragment,
    lightDocument,
  })
  // A light DID decodes to the same document forever: remember the checked target (bounded), so
  // that the per-message key URI costs one map lookup. The document never leaves this module
  // (resolved keys get copies of the key bytes).
  if (remember && keyUri.length <= MAX_CACHED_KEY_URI) targets.set(keyUri, light)
  return light
}

/** Bounds of the cache of checked light-DID key URIs. */
const MAX_CACHED_TARGETS = 1024
const MAX_CACHED_KEY_URI = 4096
const strictTargets = new BoundedCache<KeyTarget>(MAX_CACHED_TARGETS)
const legacyTargets = new BoundedCache<KeyTarget>(MAX_CACHED_TARGETS)

function findKey(document: DidDocument, fragment: string): DidKey | undefined {
  for (const rel of RELATIONSHIPS) {
    const keys: readonly DidKey[] | undefined = document[rel]
    if (keys === undefined) continue
    for (const key of keys) if (key.id === fragment) return key
  }
  return undefined
}

/**
 * The key named by `target` in a resolution result, following the SDK's ladder.
 * @throws MessagingError ERR_DID_INVALID, ERR_DID_NOT_FOUND, ERR_DID_UPGRADED, ERR_DID_DEACTIVATED,
 *   ERR_RESOLVER_FAILED, ERR_KEY_NOT_FOUND, ERR_KEY_RELATIONSHIP
 */
export function keyFromResult(
  target: KeyTarget,
  result: DidResolutionResult,
  relationship: VerificationRelationship | undefined,
): ResolvedKey {
  switch (result.error) {
    case undefined:
      break
    case 'notFound':
      throw new MessagingError('ERR_DID_NOT_FOUND', 'The DID was not found')
    case 'deactivated':
      throw new MessagingError('ERR_DID_DEACTIVATED', 'The DID was deactivated')
    case 'invalidDid':
      throw new MessagingError(
        'ERR_DID_INVALID',
        `The resolver rejected the DID: ${result.errorMessage ?? ''}`,
      )
    default:
      throw new MessagingError('ERR_RESOLVER_FAILED', `DID resolution failed (${result.error})`, {
        cause: result.errorMessage,
      })
  }
  const { canonicalId } = result.metadata
  if (canonicalId !== undefined && canonicalId !== target.did)
    throw new MessagingError('ERR_DID_UPGRADED', 'The light DID was upgraded to a full DID')
  const { document } = result
  if (document === undefined || result.metadata.deactivated === true)
    throw new MessagingError('ERR_DID_DEACTIVATED', 'The DID was deactivated')
  const { fragment } = target
  const key = findKey(document, fragment)
  if (key === undefined) throw new MessagingError('ERR_KEY_NOT_FOUND', 'Key not found in DID')
  if (relationship !== undefined && document[relationship]?.some((k) => k.id === fragment) !== true)
    throw new MessagingError(
      'ERR_KEY_RELATIONSHIP',
      `No key "${target.keyUri}" for the verification method "${relationship}"`,
    )
  return Object.freeze({
    // the key URI itself (= did + fragment): no new string to build, flatten and keep
    id: target.keyUri,
    controller: target.did,
    publicKey: key.publicKey.slice(),
    type: key.type,
  })
}

/** How a resolver answers for a checked key target (synchronously when it can). */
export type TargetLookup = (
  target: KeyTarget,
  options: ResolveOptions | undefined,
) => DidResolutionResult | Promise<DidResolutionResult>

/**
 * `resolveKey` for any resolver: check the arguments, look the DID up, run the ladder.
 * Only awaits when the lookup is really asynchronous.
 * @throws MessagingError (see {@link parseKeyUri} and {@link keyFromResult})
 */
export async function resolveKeyWith(
  lookup: TargetLookup,
  legacy: boolean,
  keyUri: unknown,
  relationship: unknown,
  options: unknown,
): Promise<ResolvedKey> {
  const rel = checkRelationship(relationship)
  const target = parseKeyUri(keyUri, legacy)
  const pending = lookup(target, callOptions(options))
  const result = pending instanceof Promise ? await pending : pending
  return keyFromResult(target, result, rel)
}

/**
 * What the offline light-DID resolver (`defaultResolver()`, no upgrade checks) answers for a light-DID
 * key URI, synchronously: the message layer's path for a peer never seen before.
 * @throws MessagingError as {@link parseKeyUri} and {@link keyFromResult}; ERR_DID_INVALID for a full DID
 */
export function lightKeySync(keyUri: string, relationship: VerificationRelationship): ResolvedKey {
  // A light DID's usual key agreement key (`#encryption`, details without services): its key only,
  // no document (the same bytes and checks, see lightAgreementKeyOnly).
  if (relationship === 'keyAgreement') {
    const hash = keyUri.length - ENCRYPTION_KEY_ID.length
    if (hash > 0 && keyUri.indexOf('#') === hash && keyUri.endsWith(ENCRYPTION_KEY_ID)) {
      const did = keyUri.slice(0, hash) as DidUri
      const publicKey = isLight(did) ? lightAgreementKeyOnly(did) : undefined
      if (publicKey !== undefined)
        return Object.freeze({ id: keyUri as DidResourceUri, controller: did, publicKey, type: 'x25519' })
    }
  }
  // Neither the target nor the document is cached here: the caller caches the key it derives.
  const target = parseKeyUri(keyUri, false, false)
  if (target.lightDocument === undefined)
    throw new MessagingError('ERR_DID_INVALID', 'Not a light DID key URI')
  return keyFromResult(target, found(target.lightDocument), relationship)
}

/** The SS58 address of an already validated DID (string slicing, no re-parse). */
export function addressOf(did: DidUri): string {
  if (!isLight(did)) return did.slice(9)
  const rest = did.slice(LIGHT_PREFIX.length + 2)
  const colon = rest.indexOf(':')
  return colon < 0 ? rest : rest.slice(0, colon)
}

/** The full DID of an already validated DID's address (SDK `getFullDidUri`). */
export function fullDidOf(did: DidUri): DidUri {
  return isLight(did) ? `did:kilt:${addressOf(did)}` : did
}
