/**
 * @module message/lib/body/body
 * `verifyMessageBody` internals: scan the untrusted body once, then dispatch on `type` to a
 * registered validator or the built-in table (spec §5.2).
 */
import { MessagingError } from '../../../errors.js'
import type { Ctx } from './check.js'
import { describe, isPlainObject } from './check.js'
import { type BodyValidatorRegistry, isRegistry } from './registry.js'
import { type ScanLimits, scanJson } from './scan.js'
import { BUILT_IN_VALIDATORS, isBuiltInType } from './validators.js'

/** Options of `verifyMessageBody`. */
export interface VerifyBodyOptions extends ScanLimits {
  /** Validators for application body types, consulted before the built-in ones. */
  readonly registry?: BodyValidatorRegistry | undefined
  /**
   * Accept what SDK 0.35.2 accepts where it is lenient: hashes checked with `isHex` only (e.g.
   * 16-bit `cTypeHash` in credential bodies), quotes not checked, and the fields the SDK never
   * reads left unchecked. Default `false`. Not SDK-identical in two ways: claim `contents` must
   * still be an object and delegation `permissions` an array (the SDK iterates whatever it gets: a
   * string passes), and `error`/`reject`/`request-payment`/`confirm-payment` bodies are still
   * accepted (the SDK has no validator for them). Never laxer than the SDK.
   */
  readonly sdkCompatible?: boolean | undefined
}

/** Validates the options object of the verify functions. */
export function readOptions(options: unknown): VerifyBodyOptions {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', 'options must be an object')
  const o = options as VerifyBodyOptions
  if (o.registry !== undefined && !isRegistry(o.registry))
    throw new MessagingError('ERR_ARGUMENT_INVALID', 'options.registry must come from createBodyRegistry()')
  for (const k of ['maxDepth', 'maxNodes'] as const) {
    const v = o[k]
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0))
      throw new MessagingError('ERR_ARGUMENT_INVALID', `options.${k} must be a positive integer`)
  }
  return o
}

/**
 * Runs the body checks; see `verifyMessageBody` in `message/verify`.
 * @param parsed - internal callers only: `true` when `body` is untouched `JSON.parse` output (see
 *   `scanJson`); `'scanned'` when it is and has passed the scan's checks already (`parsePlaintext`),
 *   which is only valid with the default scan limits
 */
export function verifyBody(body: unknown, options?: unknown, parsed: boolean | 'scanned' = false): void {
  const opts = readOptions(options)
  if (parsed !== 'scanned' || opts.maxDepth !== undefined || opts.maxNodes !== undefined)
    scanJson(body, 'body', 'ERR_BODY_INVALID', opts, parsed !== false)
  if (!isPlainObject(body))
    throw new MessagingError('ERR_BODY_INVALID', `body: expected an object, got ${describe(body)}`, {
      sdkError: 'TypeError',
    })
  const { type, content } = body
  if (typeof type !== 'string')
    throw new MessagingError('ERR_BODY_TYPE_UNKNOWN', `body.type: expected a string, got ${describe(type)}`)
  const custom = opts.registry?.get(type)
  const ctx: Ctx = { compat: opts.sdkCompatible === true }
  try {
    if (custom !== undefined) custom(content)
    else if (isBuiltInType(type)) BUILT_IN_VALIDATORS[type](content, ctx)
    else
      throw new MessagingError(
        'ERR_BODY_TYPE_UNKNOWN',
        `body.type: no validator for "${type.length > 64 ? `${type.slice(0, 64)}…` : type}"`,
      )
  } catch (e) {
    if (e instanceof MessagingError) throw e
    const name = e instanceof Error ? e.name : 'Error'
    const msg = e instanceof Error ? e.message : 'validator threw'
    throw new MessagingError('ERR_BODY_INVALID', `body.content (${type}): ${msg}`, {
      sdkError: name,
      cause: e,
    })
  }
}
