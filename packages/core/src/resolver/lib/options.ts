/**
 * @module resolver/lib/options
 * Checks of resolver options (programmer mistakes → ERR_ARGUMENT_INVALID).
 */
import { MessagingError } from '../../errors.js'
import type { ResolveOptions } from '../types.js'

/**
 * Checks an options object and returns it as a record.
 * @throws MessagingError ERR_ARGUMENT_INVALID
 */
export function optionsObject(options: unknown, name = 'options'): Record<string, unknown> {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected an object`)
  return options as Record<string, unknown>
}

/**
 * Checks a boolean option.
 * @throws MessagingError ERR_ARGUMENT_INVALID
 */
export function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected a boolean`)
  return value
}

/**
 * Checks the per-call options of `resolve`/`resolveKey`.
 * @throws MessagingError ERR_ARGUMENT_INVALID
 */
export function callOptions(options: unknown): ResolveOptions | undefined {
  if (options === undefined) return undefined
  const o = optionsObject(options)
  if (o.signal !== undefined && !isAbortSignal(o.signal))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"signal" expected an AbortSignal')
  return o as ResolveOptions
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  )
}
