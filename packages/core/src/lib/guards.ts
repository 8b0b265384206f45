/**
 * @module lib/guards
 * Type guards shared by the input checks of several areas.
 */

/**
 * True for a plain object-like value: not `null`, not an array.
 * @example if (!isRecord(value)) throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
