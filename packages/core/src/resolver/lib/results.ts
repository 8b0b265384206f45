/**
 * @module resolver/lib/results
 * Frozen resolution results (failures are data, W3C DID Resolution error names).
 */
import { cloneDocument } from '../../did/lib/document.js'
import type { DidDocument, DidUri } from '../../did/types.js'
import type { DidResolutionResult, ResolutionError } from '../types.js'

const LIVE = Object.freeze({ deactivated: false })
const DEACTIVATED = Object.freeze({ deactivated: true })
const EMPTY = Object.freeze({})

const RESOLUTION_ERRORS: readonly unknown[] = [
  'invalidDid',
  'notFound',
  'deactivated',
  'internalError',
  'methodNotSupported',
] satisfies readonly ResolutionError[]

/** True for one of the W3C DID Resolution error names of {@link ResolutionError}. */
export function isResolutionError(value: unknown): value is ResolutionError {
  return RESOLUTION_ERRORS.includes(value)
}

/** A usable document. */
export function found(document: DidDocument): DidResolutionResult {
  return Object.freeze({ document, metadata: LIVE })
}

/**
 * The result as handed to a caller: its document a fresh copy (new key bytes), so that code which
 * wipes or edits what it was given cannot alter a cached document (frozen objects still hold
 * mutable `Uint8Array`s).
 */
export function ownCopy(result: DidResolutionResult): DidResolutionResult {
  return result.document === undefined
    ? result
    : Object.freeze({ ...result, document: cloneDocument(result.document) })
}

/** A deleted DID (no document). */
export function deactivated(): DidResolutionResult {
  return Object.freeze({ metadata: DEACTIVATED })
}

/** A light DID whose address has a full DID: its light keys are no longer valid. */
export function upgraded(canonicalId: DidUri): DidResolutionResult {
  return Object.freeze({ metadata: Object.freeze({ deactivated: false, canonicalId }) })
}

/** A failure. */
export function failure(error: ResolutionError, errorMessage: string): DidResolutionResult {
  return Object.freeze({ metadata: EMPTY, error, errorMessage })
}

/** True when the result may be cached as a negative answer. */
export function isNegative(result: DidResolutionResult): boolean {
  return result.error === 'notFound' || result.metadata.deactivated === true
}

/** True when the result must not be cached at all (a transient failure). */
export function isTransient(result: DidResolutionResult): boolean {
  return result.error !== undefined && result.error !== 'notFound'
}

/** The message of an unknown thrown value, for `errorMessage` (never a stack). */
export function reason(e: unknown): string {
  if (e instanceof Error) return e.message.slice(0, 200)
  return 'unknown error'
}
