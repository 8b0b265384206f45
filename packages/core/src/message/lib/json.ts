/**
 * @module message/lib/json
 * Parsing decrypted plaintext: fatal UTF-8, `JSON.parse`, then one walk that bounds nesting depth
 * and freezes the result (the checked snapshot every later step reads).
 */
import { MessagingError } from '../../errors.js'

/** Deepest nesting accepted in a plaintext (SDK bodies need about 12 levels). */
export const MAX_JSON_DEPTH = 64

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function freezeBounded(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null) return
  if (depth > MAX_JSON_DEPTH)
    throw new MessagingError(
      'ERR_MESSAGE_INVALID',
      `The plaintext nests deeper than ${MAX_JSON_DEPTH} levels`,
    )
  Object.freeze(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeBounded(value[i], depth + 1)
  } else {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record)
    for (let i = 0; i < keys.length; i++) freezeBounded(record[keys[i]!], depth + 1)
  }
}

/**
 * Decodes and parses the plaintext into a frozen plain object.
 * @throws MessagingError ERR_MESSAGE_INVALID
 */
export function parsePlaintext(bytes: Uint8Array): Record<string, unknown> {
  let text: string
  try {
    text = fatal.decode(bytes)
  } catch (cause) {
    throw new MessagingError('ERR_MESSAGE_INVALID', 'The plaintext is not valid UTF-8', { cause })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new MessagingError('ERR_MESSAGE_INVALID', 'The plaintext is not JSON', {
      cause,
      sdkError: 'SyntaxError',
    })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MessagingError('ERR_MESSAGE_INVALID', 'The plaintext is not a JSON object', {
      sdkError: 'TypeError',
    })
  freezeBounded(value, 1)
  return value as Record<string, unknown>
}

/** Deep-freezes a caller-given value (bounded depth). @throws MessagingError ERR_MESSAGE_INVALID */
export function deepFreeze<T>(value: T): T {
  freezeBounded(value, 1)
  return value
}
