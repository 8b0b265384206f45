/**
 * @module message/lib/body/credential
 * `Credential.verifyDataStructure` of SDK 0.35.2 (spec §5.2 request-attestation), plus, outside
 * SDK-compatible mode, the fields the SDK leaves unchecked: claim hashes, root hash, delegation id
 * length, claim contents, and the legitimations themselves.
 */
import { type Ctx, checkHex, describe, expectObject, fail, has, isPlainObject, type Obj } from './check.js'
import { checkPartialClaim } from './claim.js'

/** Checks a credential (`ICredential`), in the SDK's order of checks. */
export function checkCredential(input: unknown, path: string, ctx: Ctx): Obj {
  const c = expectObject(input, path, 'TypeError', 'ClaimMissingError')
  if (!has(c, 'claim')) fail(`${path}.claim`, 'ClaimMissingError', 'missing')
  const claim = checkPartialClaim(c.claim, `${path}.claim`, ctx)
  if (!claim.owner) fail(`${path}.claim.owner`, 'OwnerMissingError', 'missing')
  if (!Array.isArray(c.legitimations))
    fail(
      `${path}.legitimations`,
      'LegitimationsMissingError',
      `expected an array, got ${describe(c.legitimations)}`,
    )
  if (!has(c, 'claimNonceMap')) fail(`${path}.claimNonceMap`, 'ClaimNonceMapMissingError', 'missing')
  const nonceMap = c.claimNonceMap
  // An array passes the SDK's typeof check; its keys ("0", …) then fail the hex check.
  if (!isPlainObject(nonceMap) && !(Array.isArray(nonceMap) && (nonceMap.length > 0 || ctx.compat)))
    fail(
      `${path}.claimNonceMap`,
      nonceMap === null ? 'TypeError' : 'ClaimNonceMapMalformedError',
      `expected an object, got ${describe(nonceMap)}`,
    )
  for (const [digest, nonce] of Object.entries(nonceMap as object)) {
    checkHex(digest, `${path}.claimNonceMap key`, ctx, { bits: 256 })
    if (typeof nonce !== 'string' || !nonce)
      fail(
        `${path}.claimNonceMap["${digest}"]`,
        'ClaimNonceMapMalformedError',
        'nonce must be a non-empty string',
      )
  }
  if (!has(c, 'claimHashes')) fail(`${path}.claimHashes`, 'DataStructureError', 'claim hashes not provided')
  if (typeof c.delegationId !== 'string' && c.delegationId !== null)
    fail(
      `${path}.delegationId`,
      'DelegationIdTypeError',
      `expected a string or null, got ${describe(c.delegationId)}`,
    )
  if (!ctx.compat) {
    if (!isPlainObject(claim.contents))
      fail(`${path}.claim.contents`, 'ClaimContentsMalformedError', 'a credential claim needs contents')
    if (!Array.isArray(c.claimHashes)) fail(`${path}.claimHashes`, 'DataStructureError', 'expected an array')
    c.claimHashes.forEach((h, i) => {
      checkHex(h, `${path}.claimHashes[${i}]`, ctx, { bits: 256 })
    })
    checkHex(c.rootHash, `${path}.rootHash`, ctx, { bits: 256 })
    if (typeof c.delegationId === 'string')
      checkHex(c.delegationId, `${path}.delegationId`, ctx, { bits: 256, sdkError: 'DelegationIdTypeError' })
    c.legitimations.forEach((l, i) => {
      checkCredential(l, `${path}.legitimations[${i}]`, ctx)
    })
  }
  return c
}
