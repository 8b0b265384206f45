/**
 * @module message/lib/body/scan
 * One iterative pass over untrusted input before any validator runs: only JSON values, bounded
 * depth and size, no `__proto__` keys, no accessors, no holes. Iterative so that a 10k-deep array
 * fails with a coded error instead of a `RangeError` (stack overflow).
 */
import { type ErrorCode, MessagingError } from '../../../errors.js'
import { describe, failWith, isPlainObject } from './check.js'

/** Limits of the input scan. */
export interface ScanLimits {
  /** Maximum nesting depth of objects/arrays. Default {@link DEFAULT_MAX_DEPTH}. */
  readonly maxDepth?: number | undefined
  /** Maximum number of values (nodes) in total. Default {@link DEFAULT_MAX_NODES}. */
  readonly maxNodes?: number | undefined
}

/** Default maximum nesting depth (a KILT body needs about 12). */
export const DEFAULT_MAX_DEPTH = 64
/** Default maximum number of JSON values in one scanned input. */
export const DEFAULT_MAX_NODES = 1_000_000

/**
 * Checks that `root` is plain JSON data within the limits.
 * Object members whose value is `undefined` are allowed (they vanish in `JSON.stringify`).
 * @throws MessagingError `code` with sdkError `DataStructureError` (limits) or `TypeError` (non-JSON)
 */
export function scanJson(root: unknown, rootPath: string, code: ErrorCode, limits: ScanLimits = {}): void {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH
  const maxNodes = limits.maxNodes ?? DEFAULT_MAX_NODES
  let budget = maxNodes
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: root, path: rootPath, depth: 0 }]
  try {
    while (stack.length > 0) {
      const { v, path, depth } = stack.pop() as { v: unknown; path: string; depth: number }
      if (--budget < 0) failWith(code, rootPath, 'DataStructureError', `more than ${maxNodes} values`)
      switch (typeof v) {
        case 'string':
        case 'boolean':
          continue
        case 'number':
          if (!Number.isFinite(v)) failWith(code, path, 'TypeError', 'number is not finite')
          continue
        case 'object':
          break
        default:
          failWith(code, path, 'TypeError', `${typeof v} is not a JSON value`)
      }
      if (v === null) continue
      if (depth >= maxDepth)
        failWith(code, path, 'DataStructureError', `nested deeper than ${maxDepth} levels`)
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype)
          failWith(code, path, 'TypeError', 'not a plain array')
        const n = v.length
        if (n > budget)
          failWith(code, path, 'DataStructureError', `array of ${n} items exceeds the size limit`)
        for (let i = n - 1; i >= 0; i--) {
          const d = Object.getOwnPropertyDescriptor(v, i)
          if (d === undefined) failWith(code, `${path}[${i}]`, 'TypeError', 'hole in array')
          if (!('value' in d)) failWith(code, `${path}[${i}]`, 'TypeError', 'accessor property')
          if (d.value === undefined) failWith(code, `${path}[${i}]`, 'TypeError', 'undefined in array')
          stack.push({ v: d.value, path: `${path}[${i}]`, depth: depth + 1 })
        }
        continue
      }
      if (!isPlainObject(v)) failWith(code, path, 'TypeError', `${describe(v)} is not a plain object`)
      if (Object.getOwnPropertySymbols(v).length > 0) failWith(code, path, 'TypeError', 'symbol keys')
      const keys = Object.keys(v)
      if (keys.length > budget) failWith(code, path, 'DataStructureError', 'object exceeds the size limit')
      for (const key of keys) {
        const p = `${path}.${key.length > 40 ? `${key.slice(0, 40)}…` : key}`
        if (key === '__proto__') failWith(code, p, 'TypeError', '"__proto__" keys are not allowed')
        const d = Object.getOwnPropertyDescriptor(v, key)
        if (d === undefined || !('value' in d)) failWith(code, p, 'TypeError', 'accessor property')
        if (d.value === undefined) continue
        stack.push({ v: d.value, path: p, depth: depth + 1 })
      }
    }
  } catch (e) {
    if (e instanceof MessagingError) throw e
    // Proxies and other exotic objects can throw from any trap.
    failWith(code, rootPath, 'TypeError', 'input could not be read as JSON data', e)
  }
}
