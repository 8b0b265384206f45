/**
 * @module message/lib/body/did
 * DID checks used by the validators, delegated to the DID layer (`did/index`) and re-coded:
 * the DID layer's `sdkError` (TypeError, InvalidDidFormatError, DidError, AddressInvalidError…)
 * is kept, the code becomes the caller's (`ERR_BODY_INVALID`, `ERR_MESSAGE_INVALID`).
 */
import { validateDidUri } from '../../../did/index.js'
import { type ErrorCode, MessagingError } from '../../../errors.js'
import { failWith } from './check.js'

/**
 * Validates a DID (`'Did'`: no fragment) or DID resource URI (`'ResourceUri'`: fragment required)
 * with the SDK's `Did.validateUri` semantics.
 * @throws MessagingError `code`, sdkError from the DID layer (or `sdkError` when given)
 */
export function checkDid(
  value: unknown,
  path: string,
  expect: 'Did' | 'ResourceUri',
  code: ErrorCode = 'ERR_BODY_INVALID',
  sdkError?: string,
): string {
  try {
    validateDidUri(value, expect)
  } catch (e) {
    const inner = e instanceof MessagingError ? e.sdkError : 'TypeError'
    const detail = e instanceof Error ? e.message : 'invalid DID'
    failWith(code, path, sdkError ?? inner, detail, e)
  }
  return value as string
}
