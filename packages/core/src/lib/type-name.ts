/**
 * @module lib/type-name
 * The kind of an unexpected argument, for an error message (never the value itself).
 */

/** `null`, `array`, or the `typeof`. */
export function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}
