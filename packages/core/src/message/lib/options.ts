/**
 * @module message/lib/options
 * Shared option checks of the message functions.
 */
import { MessagingError } from '../../errors.js'
import { defaultResolver } from '../../resolver/index.js'
import type { DidResolver } from '../../resolver/types.js'

let fallbackResolver: DidResolver | undefined

/** The caller's resolver, or one shared offline light-DID resolver (its caches survive calls). */
export function resolverOption(value: unknown): DidResolver {
  if (value === undefined) {
    fallbackResolver ??= defaultResolver()
    return fallbackResolver
  }
  const r = value as Partial<DidResolver> | null
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.resolveKey !== 'function' ||
    typeof r.resolve !== 'function'
  )
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"resolver" expected a DidResolver')
  return value as DidResolver
}

/** @throws MessagingError ERR_ARGUMENT_INVALID unless an object (or undefined → {}) */
export function optionsObject<T extends object>(value: T | undefined, name = 'options'): T {
  if (value === undefined) return {} as T
  if (typeof value !== 'object' || value === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected an object`)
  return value
}

/** @throws MessagingError ERR_ARGUMENT_INVALID unless a function or undefined */
export function functionOption<F>(value: unknown, name: string, fallback: F): F {
  if (value === undefined) return fallback
  if (typeof value !== 'function')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected a function`)
  return value as F
}

/** @throws MessagingError ERR_ARGUMENT_INVALID unless a safe integer >= min */
export function integerOption(value: unknown, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) < min)
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected an integer >= ${min}`)
  return value as number
}
