/**
 * @module message/lib/body/validators
 * The per-type content checks of `verifyMessageBody` (spec §5.2) for the 18 built-in body types,
 * done right: `error`, `reject`, `request-payment`, `confirm-payment` are validated instead of
 * rejected (spec §13 item 4), quotes are checked (item 5), hashes are 256-bit (outside
 * SDK-compatible mode). Failures throw `ERR_BODY_INVALID` naming the field and the SDK class.
 */
import type { MessageBodyType } from '../../body-types.js'
import { type Ctx, checkHex, describe, expectArray, expectObject, fail } from './check.js'
import { checkPartialClaim } from './claim.js'
import { checkCredential } from './credential.js'
import { checkCType } from './ctype.js'
import { checkDelegation } from './delegation.js'
import { checkDid } from './did.js'
import { checkQuote } from './quote.js'
import { checkDidSignature } from './signature.js'

/** A built-in content validator. */
export type BuiltInValidator = (content: unknown, ctx: Ctx) => void

const C = 'content'

function optionalString(o: Readonly<Record<string, unknown>>, key: string, path: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'string')
    fail(`${path}.${key}`, 'TypeError', `expected a string, got ${describe(o[key])}`)
}

function errorContent(content: unknown): void {
  const o = expectObject(content, C)
  optionalString(o, 'name', C)
  optionalString(o, 'message', C)
}

function legitimations(value: unknown, path: string, ctx: Ctx): void {
  expectArray(value, path).forEach((l, i) => {
    checkCredential(l, `${path}[${i}]`, ctx)
  })
}

function termsDelegationId(o: Readonly<Record<string, unknown>>, ctx: Ctx): void {
  if (o.delegationId) checkHex(o.delegationId, `${C}.delegationId`, ctx, { strictBits: 256 })
  else if (!ctx.compat && o.delegationId !== undefined)
    fail(`${C}.delegationId`, 'HashMalformedError', `expected hex, got ${describe(o.delegationId)}`)
}

function metaDataIsJsonObject(value: unknown, ctx: Ctx): boolean {
  if (typeof value === 'object' && value !== null) return true
  // @polkadot/util isJsonObject also accepts a string holding a JSON object or array.
  if (ctx.compat && typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value)
      return typeof parsed === 'object' && parsed !== null
    } catch {
      return false
    }
  }
  return false
}

/** The 18 built-in validators. */
export const BUILT_IN_VALIDATORS: Readonly<Record<MessageBodyType, BuiltInValidator>> = Object.freeze({
  error: errorContent,
  reject: errorContent,
  'request-terms': (content, ctx) => {
    checkPartialClaim(content, C, ctx)
  },
  'submit-terms': (content, ctx) => {
    const o = expectObject(content, C)
    checkPartialClaim(o.claim, `${C}.claim`, ctx)
    legitimations(o.legitimations, `${C}.legitimations`, ctx)
    termsDelegationId(o, ctx)
    if (o.quote || (!ctx.compat && o.quote !== undefined))
      checkQuote(o.quote, `${C}.quote`, ctx, 'attester-signed')
    // an optional field is checked whenever present (the SDK: only when truthy)
    if (o.cTypes || (!ctx.compat && o.cTypes !== undefined))
      expectArray(o.cTypes, `${C}.cTypes`).forEach((t, i) => {
        checkCType(t, `${C}.cTypes[${i}]`)
      })
  },
  'reject-terms': (content, ctx) => {
    const o = expectObject(content, C)
    checkPartialClaim(o.claim, `${C}.claim`, ctx)
    termsDelegationId(o, ctx)
    legitimations(o.legitimations, `${C}.legitimations`, ctx)
  },
  'request-attestation': (content, ctx) => {
    const o = expectObject(content, C)
    checkCredential(o.credential, `${C}.credential`, ctx)
    if (o.quote || (!ctx.compat && o.quote !== undefined)) checkQuote(o.quote, `${C}.quote`, ctx, 'agreement')
  },
  'submit-attestation': (content, ctx) => {
    const a = expectObject(expectObject(content, C).attestation, `${C}.attestation`, 'CTypeHashMissingError')
    const p = `${C}.attestation`
    if (!a.cTypeHash) fail(`${p}.cTypeHash`, 'CTypeHashMissingError', 'missing')
    checkHex(a.cTypeHash, `${p}.cTypeHash`, ctx, { bits: 256 })
    if (!a.claimHash) fail(`${p}.claimHash`, 'ClaimHashMissingError', 'missing')
    checkHex(a.claimHash, `${p}.claimHash`, ctx, { bits: 256 })
    if (typeof a.delegationId !== 'string' && a.delegationId !== null)
      fail(
        `${p}.delegationId`,
        'DelegationIdTypeError',
        `expected a string or null, got ${describe(a.delegationId)}`,
      )
    if (typeof a.delegationId === 'string' && !ctx.compat)
      checkHex(a.delegationId, `${p}.delegationId`, ctx, { bits: 256, sdkError: 'DelegationIdTypeError' })
    if (!a.owner) fail(`${p}.owner`, 'OwnerMissingError', 'missing')
    checkDid(a.owner, `${p}.owner`, 'Did')
    if (typeof a.revoked !== 'boolean') fail(`${p}.revoked`, 'RevokedTypeError', 'expected a boolean')
  },
  'reject-attestation': (content, ctx) => {
    checkHex(content, C, ctx, { strictBits: 256 })
  },
  'request-payment': (content, ctx) => {
    const o = expectObject(content, C)
    checkHex(o.claimHash, `${C}.claimHash`, ctx, { bits: 256 })
  },
  'confirm-payment': (content, ctx) => {
    const o = expectObject(content, C)
    checkHex(o.claimHash, `${C}.claimHash`, ctx, { bits: 256 })
    checkHex(o.txHash, `${C}.txHash`, ctx, { bits: 256 })
    checkHex(o.blockHash, `${C}.blockHash`, ctx, { bits: 256 })
  },
  'request-credential': (content, ctx) => {
    const o = expectObject(content, C)
    expectArray(o.cTypes, `${C}.cTypes`).forEach((item, i) => {
      const p = `${C}.cTypes[${i}]`
      const t = expectObject(item, p, 'HashMalformedError')
      checkHex(t.cTypeHash, `${p}.cTypeHash`, ctx, { strictBits: 256 })
      const { trustedAttesters, requiredProperties } = t
      if (trustedAttesters !== undefined && (trustedAttesters !== null || !ctx.compat))
        expectArray(trustedAttesters, `${p}.trustedAttesters`).forEach((did, j) => {
          checkDid(did, `${p}.trustedAttesters[${j}]`, 'Did')
        })
      if (requiredProperties !== undefined && (requiredProperties !== null || !ctx.compat))
        expectArray(requiredProperties, `${p}.requiredProperties`).forEach((prop, j) => {
          if (typeof prop !== 'string')
            fail(
              `${p}.requiredProperties[${j}]`,
              'TypeError',
              'Required properties is expected to be a string',
            )
        })
    })
    if (!ctx.compat) {
      optionalString(o, 'challenge', C)
      if (o.owner !== undefined) checkDid(o.owner, `${C}.owner`, 'Did')
    }
  },
  'submit-credential': (content, ctx) => {
    expectArray(content, C).forEach((presentation, i) => {
      const p = `${C}[${i}]`
      const o = checkCredential(presentation, p, ctx)
      checkDidSignature(o.claimerSignature, `${p}.claimerSignature`, ctx)
    })
  },
  'accept-credential': (content, ctx) => {
    expectArray(content, C).forEach((h, i) => {
      checkHex(h, `${C}[${i}]`, ctx, { strictBits: 256 })
    })
  },
  'reject-credential': (content, ctx) => {
    expectArray(content, C).forEach((h, i) => {
      checkHex(h, `${C}[${i}]`, ctx, { strictBits: 256 })
    })
  },
  'request-accept-delegation': (content, ctx) => {
    const o = expectObject(content, C)
    checkDelegation(o.delegationData, `${C}.delegationData`, ctx)
    const sigs = expectObject(o.signatures, `${C}.signatures`, 'SignatureMalformedError')
    checkDidSignature(sigs.inviter, `${C}.signatures.inviter`, ctx)
    if (!metaDataIsJsonObject(o.metaData, ctx))
      fail(`${C}.metaData`, 'ObjectUnverifiableError', `expected a JSON object, got ${describe(o.metaData)}`)
  },
  'submit-accept-delegation': (content, ctx) => {
    const o = expectObject(content, C)
    checkDelegation(o.delegationData, `${C}.delegationData`, ctx)
    const sigs = expectObject(o.signatures, `${C}.signatures`, 'SignatureMalformedError')
    checkDidSignature(sigs.inviter, `${C}.signatures.inviter`, ctx)
    checkDidSignature(sigs.invitee, `${C}.signatures.invitee`, ctx)
  },
  'reject-accept-delegation': (content, ctx) => {
    checkDelegation(content, C, ctx)
  },
  'inform-create-delegation': (content, ctx) => {
    const o = expectObject(content, C, 'HashMalformedError')
    checkHex(o.delegationId, `${C}.delegationId`, ctx, { strictBits: 256 })
    if (!ctx.compat && typeof o.isPCR !== 'boolean')
      fail(`${C}.isPCR`, 'TypeError', 'isPCR is expected to be a boolean')
  },
})

/** True when `type` is one of the 18 built-in body types. */
export function isBuiltInType(type: string): type is MessageBodyType {
  return Object.hasOwn(BUILT_IN_VALIDATORS, type)
}
