/**
 * @module resolver/lib/light
 * Offline light-DID resolution as data (spec §7.6 "Light DIDs, offline").
 */
import { lightDidToDocument, parseDid } from '../../did/index.js'
import type { DidUri } from '../../did/types.js'
import { isMessagingError } from '../../errors.js'
import type { DidResolutionResult } from '../types.js'
import { addressOf, isLight } from './resolve-key.js'
import { failure, found, reason, upgraded } from './results.js'

/** A DID string checked for resolution: fragment stripped, light or full. */
export type CheckedDid =
  | { readonly ok: true; readonly did: DidUri; readonly light: boolean }
  | { readonly ok: false; readonly result: DidResolutionResult }

/**
 * Checks the argument of `resolve` (never throws). Like the SDK, a fragment is ignored.
 * Light DIDs are only checked syntactically here; {@link resolveLight} decodes them.
 */
export function checkDid(did: unknown): CheckedDid {
  if (typeof did !== 'string') return { ok: false, result: failure('invalidDid', 'A DID must be a string') }
  const hash = did.indexOf('#')
  const bare = hash < 0 ? did : did.slice(0, hash)
  if (!bare.startsWith('did:kilt:')) {
    if (/^did:[a-z0-9]+:/.test(bare))
      return { ok: false, result: failure('methodNotSupported', 'Only did:kilt is supported') }
    return { ok: false, result: failure('invalidDid', 'Not a valid KILT DID') }
  }
  if (isLight(bare)) return { ok: true, did: bare as DidUri, light: true }
  try {
    parseDid(bare)
  } catch (e) {
    return {
      ok: false,
      result: failure('invalidDid', isMessagingError(e) ? e.message : 'Not a valid KILT DID'),
    }
  }
  return { ok: true, did: bare as DidUri, light: false }
}

/** Decodes a light DID offline into a result (never throws). */
export function resolveLight(did: DidUri, legacy: boolean): DidResolutionResult {
  try {
    return found(lightDidToDocument(did, { legacy }))
  } catch (e) {
    return failure(isMessagingError(e) ? 'invalidDid' : 'internalError', reason(e))
  }
}

/**
 * The result for a `canonicalId` that differs from the requested DID: only a light DID can have
 * one, and it must be the full DID of the same address (spec §7.6 step 6). Never throws.
 */
export function canonicalResult(did: DidUri, canonicalId: unknown): DidResolutionResult {
  if (typeof canonicalId !== 'string' || !isLight(did))
    return failure('internalError', 'The resolver returned an unexpected "canonicalId"')
  let parsed: ReturnType<typeof parseDid>
  try {
    parsed = parseDid(canonicalId)
  } catch {
    return failure('internalError', 'The resolver returned a malformed "canonicalId"')
  }
  if (parsed.type !== 'full' || parsed.fragment !== undefined || parsed.address !== addressOf(did))
    return failure('internalError', 'The resolver returned a "canonicalId" of another subject')
  return upgraded(parsed.did)
}
