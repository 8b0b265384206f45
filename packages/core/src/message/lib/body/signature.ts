/**
 * @module message/lib/body/signature
 * `Did.isDidSignature` of SDK 0.35.2: `signature` hex, `keyUri` (legacy `keyId`) a DID resource URI.
 */
import { type Ctx, describe, fail, has, isPlainObject, sdkIsHex } from './check.js'
import { checkDid } from './did.js'

/**
 * Checks a `DidSignature`; every failure is `SignatureMalformedError` (or `sdkError`).
 * Outside SDK-compatible mode the signature must not be empty and a `challenge` must be a string.
 */
export function checkDidSignature(
  input: unknown,
  path: string,
  ctx: Ctx,
  sdkError = 'SignatureMalformedError',
): void {
  if (!isPlainObject(input)) fail(path, sdkError, `expected an object, got ${describe(input)}`)
  const keyUri = has(input, 'keyUri') ? input.keyUri : input.keyId
  if (!sdkIsHex(input.signature)) fail(`${path}.signature`, sdkError, 'expected 0x-prefixed even-length hex')
  checkDid(keyUri, `${path}.keyUri`, 'ResourceUri', 'ERR_BODY_INVALID', sdkError)
  if (!ctx.compat) {
    if (input.signature === '0x') fail(`${path}.signature`, sdkError, 'empty signature')
    if (input.challenge !== undefined && typeof input.challenge !== 'string')
      fail(`${path}.challenge`, sdkError, `expected a string, got ${describe(input.challenge)}`)
  }
}
