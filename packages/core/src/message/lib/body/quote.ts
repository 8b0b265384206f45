/**
 * @module message/lib/body/quote
 * The KILT Quote JSON schema (`QuoteSchema`, `kilt:quote:v1`, SDK 0.35.2) checked by hand, plus the
 * signed-quote fields (`attesterSignature`, and for an agreement `rootHash`, `claimerDid`,
 * `claimerSignature`). The SDK computes this result in `verifyMessageBody` and ignores it (spec §13
 * item 5); here a failing quote is rejected unless in SDK-compatible mode.
 */
import { type Ctx, checkHex, describe, fail, isPlainObject } from './check.js'
import { checkDid } from './did.js'
import { checkDidSignature } from './signature.js'

const QUOTE = 'QuoteUnverifiableError'
// The SDK's JSON-schema validator uses its "fast" date-time format (json-schema/format.js).
const FAST_DATE_TIME =
  /^\d\d\d\d-[0-1]\d-[0-3]\d[t\s](?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$/i

function requireType(
  q: Readonly<Record<string, unknown>>,
  key: string,
  type: 'string' | 'number',
  path: string,
): void {
  if (!Object.hasOwn(q, key)) fail(`${path}.${key}`, QUOTE, 'missing (Quote schema)')
  if (typeof q[key] !== type)
    fail(`${path}.${key}`, QUOTE, `expected a ${type}, got ${describe(q[key])} (Quote schema)`)
}

/** `Quote.validateQuoteSchema(QuoteSchema, quote)` as a boolean-free check. */
export function checkQuoteSchema(input: unknown, path: string): void {
  if (!isPlainObject(input)) fail(path, QUOTE, `expected an object, got ${describe(input)} (Quote schema)`)
  requireType(input, 'attesterDid', 'string', path)
  requireType(input, 'cTypeHash', 'string', path)
  if (!Object.hasOwn(input, 'cost')) fail(`${path}.cost`, QUOTE, 'missing (Quote schema)')
  const cost = input.cost
  if (!isPlainObject(cost))
    fail(`${path}.cost`, QUOTE, `expected an object, got ${describe(cost)} (Quote schema)`)
  requireType(cost, 'net', 'number', `${path}.cost`)
  requireType(cost, 'gross', 'number', `${path}.cost`)
  if (!isPlainObject(cost.tax))
    fail(`${path}.cost.tax`, QUOTE, `expected an object, got ${describe(cost.tax)}`)
  requireType(input, 'currency', 'string', path)
  requireType(input, 'termsAndConditions', 'string', path)
  requireType(input, 'timeframe', 'string', path)
  if (!FAST_DATE_TIME.test(input.timeframe as string))
    fail(`${path}.timeframe`, QUOTE, 'expected an RFC 3339 date-time (Quote schema)')
}

/**
 * Checks a quote inside a body. In SDK-compatible mode nothing is checked (the SDK ignores the
 * result). Otherwise: the schema, a valid attester DID, a 256-bit cTypeHash, the attester
 * signature and, for an agreement, root hash, claimer DID and claimer signature.
 */
export function checkQuote(
  input: unknown,
  path: string,
  ctx: Ctx,
  kind: 'attester-signed' | 'agreement',
): void {
  if (ctx.compat) return
  checkQuoteSchema(input, path)
  const q = input as Readonly<Record<string, unknown>>
  checkDid(q.attesterDid, `${path}.attesterDid`, 'Did', 'ERR_BODY_INVALID', QUOTE)
  checkHex(q.cTypeHash, `${path}.cTypeHash`, ctx, { bits: 256, sdkError: QUOTE })
  checkDidSignature(q.attesterSignature, `${path}.attesterSignature`, ctx, QUOTE)
  if (kind === 'agreement') {
    checkHex(q.rootHash, `${path}.rootHash`, ctx, { bits: 256, sdkError: QUOTE })
    checkDid(q.claimerDid, `${path}.claimerDid`, 'Did', 'ERR_BODY_INVALID', QUOTE)
    checkDidSignature(q.claimerSignature, `${path}.claimerSignature`, ctx, QUOTE)
  }
}
