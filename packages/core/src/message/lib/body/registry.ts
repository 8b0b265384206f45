/**
 * @module message/lib/body/registry
 * Application-defined body types: a registry of throwing validators consulted by
 * `verifyMessageBody` before the built-in table.
 */
import { MessagingError } from '../../../errors.js'
import { isBuiltInType } from './validators.js'

/** A content validator: returns normally when valid, throws otherwise. */
export type BodyContentValidator = (content: unknown) => void

/** Options of {@link BodyValidatorRegistry.register}. */
export interface RegisterOptions {
  /** Replace an existing validator (a built-in type or an earlier registration). Default `false`. */
  readonly override?: boolean
}

/** Validators for application-defined body types (and overrides of built-in ones). */
export interface BodyValidatorRegistry {
  /**
   * Registers `validate` for body type `type`.
   * @throws MessagingError ERR_ARGUMENT_INVALID when `type` is not a non-empty string (≤ 256 chars),
   *   `validate` is not a function, or `type` is already known and `override` is not set
   */
  register(type: string, validate: BodyContentValidator, options?: RegisterOptions): void
  /** True when a validator is registered for `type` (built-in types count only when overridden). */
  has(type: string): boolean
  /** The registered validator of `type`, if any. */
  get(type: string): BodyContentValidator | undefined
  /** The registered type strings. */
  types(): string[]
}

const registries = new WeakSet<object>()

/** Creates an empty registry. */
export function createRegistry(): BodyValidatorRegistry {
  const map = new Map<string, BodyContentValidator>()
  const registry: BodyValidatorRegistry = {
    register(type, validate, options = {}) {
      if (typeof type !== 'string' || type.length === 0 || type.length > 256)
        throw new MessagingError(
          'ERR_ARGUMENT_INVALID',
          'body type must be a non-empty string of at most 256 chars',
        )
      if (typeof validate !== 'function')
        throw new MessagingError('ERR_ARGUMENT_INVALID', `validator of "${type}" must be a function`)
      const override = typeof options === 'object' && options !== null && options.override === true
      if (!override && (isBuiltInType(type) || map.has(type)))
        throw new MessagingError(
          'ERR_ARGUMENT_INVALID',
          `body type "${type}" already has a validator; pass { override: true } to replace it`,
        )
      map.set(type, validate)
    },
    has: (type) => map.has(type),
    get: (type) => map.get(type),
    types: () => [...map.keys()],
  }
  registries.add(registry)
  return Object.freeze(registry)
}

/** True when `value` was made by {@link createRegistry}. */
export function isRegistry(value: unknown): value is BodyValidatorRegistry {
  return typeof value === 'object' && value !== null && registries.has(value)
}
