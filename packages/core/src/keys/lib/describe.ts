/**
 * @module keys/lib/describe
 * Describes an unexpected argument for an error message without echoing much of it.
 */

/** `"abc"` (first 32 characters) for strings, `null`, else the `typeof`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 32))
  return value === null ? 'null' : typeof value
}
