/**
 * @module message/lib/body/check
 * Shared helpers of the body validators: the failure helper, plain-object tests and the hex rules
 * of `@polkadot/util` `isHex` (spec §5.2 "Hex rules") next to our stricter 256-bit rule.
 */
import { type ErrorCode, MessagingError } from '../../../errors.js'

/** Validation context shared by the body validators. */
export interface Ctx {
  /** SDK-compatible mode: relax the points where SDK 0.35.2 is lenient (see `VerifyBodyOptions`). */
  readonly compat: boolean
}

/** A JSON object as the validators see it. */
export type Obj = Readonly<Record<string, unknown>>

/** Throws `ERR_BODY_INVALID` naming the field (`path`) and the SDK class the SDK would throw. */
export function fail(path: string, sdkError: string, detail: string, cause?: unknown): never {
  throw new MessagingError('ERR_BODY_INVALID', `${path}: ${detail}`, {
    sdkError,
    ...(cause === undefined ? {} : { cause }),
  })
}

/** Throws a coded error of the given code (for non-body validators). */
export function failWith(
  code: ErrorCode,
  path: string,
  sdkError: string,
  detail: string,
  cause?: unknown,
): never {
  throw new MessagingError(code, `${path}: ${detail}`, {
    sdkError,
    ...(cause === undefined ? {} : { cause }),
  })
}

/** True for a plain (JSON-like) object: not null, not an array, prototype Object.prototype or null. */
export function isPlainObject(value: unknown): value is Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Own-property test (never the prototype chain). */
export function has(o: Obj, key: string): boolean {
  return Object.hasOwn(o, key)
}

/**
 * Requires a plain object. The SDK class reported mirrors what the SDK runs into: reading a field
 * of `null`/`undefined` is a `TypeError`; of a primitive or array, whichever check sees the field
 * missing (`sdkError`, or `arraySdkError` for arrays).
 */
export function expectObject(
  value: unknown,
  path: string,
  sdkError = 'TypeError',
  arraySdkError = sdkError,
): Obj {
  if (!isPlainObject(value)) {
    const cls =
      value === null || value === undefined ? 'TypeError' : Array.isArray(value) ? arraySdkError : sdkError
    fail(path, cls, `expected an object, got ${describe(value)}`)
  }
  return value
}

/** Requires an array. */
export function expectArray(value: unknown, path: string, sdkError = 'TypeError'): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, sdkError, `expected an array, got ${describe(value)}`)
  return value
}

/** A short description of a value's type for error messages (never the value itself). */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

const HEX_PREFIXED = /^0x[0-9a-fA-F]+$/

/**
 * `@polkadot/util` `isHex(value, bitLength)` exactly: `0x` prefix, hex digits (any case), and either
 * an even length (`bitLength` -1) or exactly `2 + ceil(bitLength / 4)` characters. `"0x"` passes.
 */
export function sdkIsHex(value: unknown, bitLength = -1): value is string {
  if (typeof value !== 'string') return false
  if (!(value === '0x' || HEX_PREFIXED.test(value))) return false
  return bitLength === -1 ? value.length % 2 === 0 : value.length === 2 + Math.ceil(bitLength / 4)
}

/** Short form of a hash for messages (first characters only). */
function preview(value: unknown): string {
  if (typeof value !== 'string') return describe(value)
  return value.length > 20 ? `"${value.slice(0, 18)}…" (${value.length} chars)` : `"${value}"`
}

/**
 * Hex check as `DataUtils.verifyIsHex`. `bits` is always enforced (the SDK enforces it too);
 * `strictBits` is enforced only outside SDK-compatible mode, where the SDK checks `isHex` only.
 */
export function checkHex(
  value: unknown,
  path: string,
  ctx: Ctx,
  {
    bits,
    strictBits,
    sdkError = 'HashMalformedError',
  }: { bits?: number; strictBits?: number; sdkError?: string } = {},
): string {
  const required = bits ?? (ctx.compat ? undefined : strictBits)
  if (!sdkIsHex(value, required ?? -1)) {
    const what =
      required === undefined ? '0x-prefixed even-length hex' : `0x-prefixed hex of ${required} bits`
    fail(path, sdkError, `expected ${what}, got ${preview(value)}`)
  }
  return value
}
