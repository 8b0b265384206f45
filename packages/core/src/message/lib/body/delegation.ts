/**
 * @module message/lib/body/delegation
 * `verifyDelegationStructure` of SDK 0.35.2 (spec §5.2), plus, outside SDK-compatible mode,
 * 256-bit ids, a `parentId` (required by the SDK's type), and permissions restricted to distinct
 * values 1 (attest) and 2 (delegate).
 */
import { type Ctx, checkHex, describe, expectObject, fail, sdkIsHex } from './check.js'
import { checkDid } from './did.js'

/** Checks delegation data (`IDelegationData`), in the SDK's order of checks. */
export function checkDelegation(input: unknown, path: string, ctx: Ctx): void {
  const d = expectObject(input, path, 'DelegationIdMissingError')
  const { permissions, id, parentId, isPCR, account } = d
  if (!id) fail(`${path}.id`, 'DelegationIdMissingError', 'missing')
  if (typeof id !== 'string' || !sdkIsHex(id)) fail(`${path}.id`, 'DelegationIdTypeError', 'expected hex')
  if (!ctx.compat) checkHex(id, `${path}.id`, ctx, { bits: 256, sdkError: 'DelegationIdTypeError' })
  if (!account) fail(`${path}.account`, 'OwnerMissingError', 'missing')
  checkDid(account, `${path}.account`, 'Did')
  if (typeof isPCR !== 'boolean') fail(`${path}.isPCR`, 'TypeError', 'isPCR is expected to be a boolean')
  if (!Array.isArray(permissions))
    fail(
      `${path}.permissions`,
      permissions === null || permissions === undefined ? 'TypeError' : 'UnauthorizedError',
      `expected an array, got ${describe(permissions)}`,
    )
  if (permissions.length === 0 || permissions.length > 3)
    fail(`${path}.permissions`, 'UnauthorizedError', 'Must have at least one permission and no more then two')
  if (!ctx.compat) {
    const seen = new Set<unknown>()
    for (const p of permissions) {
      if ((p !== 1 && p !== 2) || seen.has(p))
        fail(
          `${path}.permissions`,
          'UnauthorizedError',
          'permissions must be distinct values 1 (attest) or 2 (delegate)',
        )
      seen.add(p)
    }
  }
  // `IDelegationData.parentId` is required by the SDK's type, though its check runs only when truthy
  if ((parentId || !ctx.compat) && (typeof parentId !== 'string' || !sdkIsHex(parentId)))
    fail(`${path}.parentId`, 'DelegationIdTypeError', 'expected hex')
  if (!ctx.compat)
    checkHex(parentId, `${path}.parentId`, ctx, { bits: 256, sdkError: 'DelegationIdTypeError' })
}
