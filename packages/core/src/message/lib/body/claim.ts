/**
 * @module message/lib/body/claim
 * `Claim.verifyDataStructure` of SDK 0.35.2 (spec §5.2 request-terms), plus the nested contents
 * rules of `IClaimContents` outside SDK-compatible mode.
 */
import { type Ctx, checkHex, describe, expectObject, fail, has, isPlainObject, type Obj } from './check.js'
import { checkDid } from './did.js'

const CONTENTS = 'ClaimContentsMalformedError'

/**
 * Checks a (partial) claim: `cTypeHash` present (`CTypeHashMissingError`), `owner` a DID when
 * present, contents well-formed (`ClaimContentsMalformedError`), `cTypeHash` 256-bit hex
 * (`HashMalformedError`) — in the SDK's order.
 */
export function checkPartialClaim(input: unknown, path: string, ctx: Ctx): Obj {
  const claim = expectObject(input, path, 'CTypeHashMissingError')
  if (!claim.cTypeHash) fail(`${path}.cTypeHash`, 'CTypeHashMissingError', 'missing')
  if (has(claim, 'owner')) checkDid(claim.owner, `${path}.owner`, 'Did')
  if (claim.contents !== undefined) checkContents(claim.contents, `${path}.contents`, ctx)
  checkHex(claim.cTypeHash, `${path}.cTypeHash`, ctx, { bits: 256 })
  return claim
}

function checkContents(contents: unknown, path: string, ctx: Ctx): void {
  // The SDK runs Object.entries on anything (a string passes); contents must be an object here.
  if (!isPlainObject(contents))
    fail(path, contents === null ? 'TypeError' : CONTENTS, `expected an object, got ${describe(contents)}`)
  for (const [key, value] of Object.entries(contents)) {
    if (!key) fail(path, CONTENTS, 'empty property name')
    const t = typeof value
    if (t !== 'string' && t !== 'number' && t !== 'boolean' && t !== 'object')
      fail(`${path}.${key}`, CONTENTS, `unexpected ${t}`)
    if (!ctx.compat) checkValue(value, `${path}.${key}`, true)
  }
}

// IClaimContents: string | number | boolean | IClaimContents | Array<string|number|boolean|IClaimContents>.
// Depth is bounded by the input scan, so plain recursion is safe here.
function checkValue(value: unknown, path: string, arrayAllowed: boolean): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) fail(path, CONTENTS, 'number is not finite')
      return
    default:
  }
  if (Array.isArray(value)) {
    if (!arrayAllowed) fail(path, CONTENTS, 'nested arrays are not claim contents')
    value.forEach((item, i) => {
      checkValue(item, `${path}[${i}]`, false)
    })
    return
  }
  if (!isPlainObject(value)) fail(path, CONTENTS, `unexpected ${describe(value)}`)
  for (const [key, inner] of Object.entries(value)) {
    if (!key) fail(path, CONTENTS, 'empty property name')
    checkValue(inner, `${path}.${key}`, true)
  }
}
