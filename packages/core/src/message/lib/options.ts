/**
 * @module message/lib/options
 * Shared option checks of the message functions.
 */
import { MessagingError } from '../../errors.js'
import { defaultResolver } from '../../resolver/index.js'
import type { DidResolver } from '../../resolver/types.js'

/** A resolver, and whether its key answers may be cached (only the shared offline resolver's). */
export interface ResolverChoice {
  readonly resolver: DidResolver
  readonly cacheable: boolean
}

let fallback: ResolverChoice | undefined

/** The caller's resolver, or the shared offline light-DID resolver (`defaultResolver()`). */
export function resolverOption(value: unknown): ResolverChoice {
  fallback ??= { resolver: defaultResolver(), cacheable: true }
  if (value === undefined || value === fallback.resolver) return fallback
  const r = value as Partial<DidResolver> | null
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.resolveKey !== 'function' ||
    typeof r.resolve !== 'function'
  )
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"resolver" expected a DidResolver')
  return { resolver: value as DidResolver, cacheable: false }
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

/**
 * Calls `run(a, b)`; a synchronous throw becomes a rejected promise, so a public async function can
 * return its inner promise directly (no second `async` layer and its adoption ticks) and still never
 * throw synchronously.
 */
export function rejecting<A, B, T>(run: (a: A, b: B) => Promise<T>, a: A, b: B): Promise<T> {
  try {
    return run(a, b)
  } catch (e) {
    return Promise.reject(e)
  }
}
