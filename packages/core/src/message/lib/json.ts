/**
 * @module message/lib/json
 * Parsing decrypted plaintext: fatal UTF-8, `JSON.parse`, then one walk that bounds nesting depth
 * and freezes the result (the checked snapshot every later step reads).
 */
import { MessagingError } from '../../errors.js'
import { DEFAULT_MAX_NODES } from './body/scan.js'

/** Deepest nesting accepted in a plaintext (SDK bodies need about 12 levels). */
export const MAX_JSON_DEPTH = 64

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Freezes `value` deeply (bounded depth); false when some object below has an own `__proto__` key. */
function freezeBounded(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true
  if (depth > MAX_JSON_DEPTH)
    throw new MessagingError(
      'ERR_MESSAGE_INVALID',
      `The plaintext nests deeper than ${MAX_JSON_DEPTH} levels`,
    )
  Object.freeze(value)
  let clean = true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!freezeBounded(value[i], depth + 1)) clean = false
  } else {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!
      if (key === '__proto__') clean = false
      if (!freezeBounded(record[key], depth + 1)) clean = false
    }
  }
  return clean
}

/** A parsed plaintext. */
export interface ParsedPlaintext {
  /** The frozen plain object. */
  readonly value: Record<string, unknown>
  /**
   * True when every part of it, the body included, already passes the body scan of
   * `verifyMessageBody` with the default limits: no own `__proto__` key anywhere, nesting within
   * {@link MAX_JSON_DEPTH} (checked here), and at most as many values as the plaintext has bytes,
   * which is within the default node limit.
   */
  readonly scanned: boolean
}

/**
 * Decodes and parses the plaintext into a frozen plain object.
 * @throws MessagingError ERR_MESSAGE_INVALID
 */
export function parsePlaintext(bytes: Uint8Array): ParsedPlaintext {
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
  const clean = freezeBounded(value, 1)
  return { value: value as Record<string, unknown>, scanned: clean && bytes.length <= DEFAULT_MAX_NODES }
}

/** Deep-freezes a caller-given value (bounded depth). @throws MessagingError ERR_MESSAGE_INVALID */
export function deepFreeze<T>(value: T): T {
  freezeBounded(value, 1)
  return value
}
