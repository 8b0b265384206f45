/**
 * @module message/lib/body/scan
 * One iterative pass over untrusted input before any validator runs: only JSON values, bounded
 * depth and size, no `__proto__` keys, no accessors, no holes. Iterative so that a 10k-deep array
 * fails with a coded error instead of a `RangeError` (stack overflow). Paths for error messages are
 * built only once a problem is known to exist.
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
 * A first pass checks without building any path; only when it finds a problem does the reporting
 * pass (same order, same checks) run again to name the first offending path.
 * @param parsed - `root` is the untouched output of `JSON.parse` (then only object keys, depth and
 *   size can be wrong: its objects and arrays are plain, dense, accessor-free and finite)
 * @throws MessagingError `code` with sdkError `DataStructureError` (limits) or `TypeError` (non-JSON)
 */
export function scanJson(
  root: unknown,
  rootPath: string,
  code: ErrorCode,
  limits: ScanLimits = {},
  parsed = false,
): void {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH
  const maxNodes = limits.maxNodes ?? DEFAULT_MAX_NODES
  let ok = false
  try {
    ok = parsed ? quickScanParsed(root, maxDepth, maxNodes) : quickScan(root, maxDepth, maxNodes)
  } catch {
    // An exotic object threw from a trap: the reporting pass reads it again and reports.
  }
  if (ok) return
  reportingScan(root, rootPath, code, maxDepth, maxNodes)
  // Only an input that answers differently when read twice (a Proxy) gets here.
  failWith(code, rootPath, 'TypeError', 'input could not be read as JSON data')
}

/** The checks of {@link reportingScan}, in the same order, without paths: true when all pass. */
function quickScan(root: unknown, maxDepth: number, maxNodes: number): boolean {
  let budget = maxNodes
  const values: unknown[] = [root]
  const depths: number[] = [0]
  while (values.length > 0) {
    const v = values.pop()
    const depth = depths.pop() as number
    if (--budget < 0) return false
    switch (typeof v) {
      case 'string':
      case 'boolean':
        continue
      case 'number':
        if (!Number.isFinite(v)) return false
        continue
      case 'object':
        break
      default:
        return false
    }
    if (v === null) continue
    if (depth >= maxDepth) return false
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) return false
      const n = v.length
      if (n > budget) return false
      for (let i = n - 1; i >= 0; i--) {
        const d = Object.getOwnPropertyDescriptor(v, i)
        if (d === undefined || !('value' in d) || d.value === undefined) return false
        values.push(d.value)
        depths.push(depth + 1)
      }
      continue
    }
    if (!isPlainObject(v)) return false
    if (Object.getOwnPropertySymbols(v).length > 0) return false
    const keys = Object.keys(v)
    if (keys.length > budget) return false
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!
      if (key === '__proto__') return false
      const d = Object.getOwnPropertyDescriptor(v, key)
      if (d === undefined || !('value' in d)) return false
      if (d.value === undefined) continue
      values.push(d.value)
      depths.push(depth + 1)
    }
  }
  return true
}

/**
 * {@link quickScan} for `JSON.parse` output: the same node count, depth and `__proto__` checks (the
 * only ones such a value can fail), read with plain property access.
 */
function quickScanParsed(root: unknown, maxDepth: number, maxNodes: number): boolean {
  let budget = maxNodes
  const values: unknown[] = [root]
  const depths: number[] = [0]
  while (values.length > 0) {
    const v = values.pop()
    const depth = depths.pop() as number
    if (--budget < 0) return false
    if (typeof v !== 'object' || v === null) continue
    if (depth >= maxDepth) return false
    if (Array.isArray(v)) {
      const n = v.length
      if (n > budget) return false
      for (let i = n - 1; i >= 0; i--) {
        values.push(v[i])
        depths.push(depth + 1)
      }
      continue
    }
    const o = v as Record<string, unknown>
    const keys = Object.keys(o)
    if (keys.length > budget) return false
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!
      if (key === '__proto__') return false
      values.push(o[key])
      depths.push(depth + 1)
    }
  }
  return true
}

/** The full scan with paths; throws the first problem found. */
function reportingScan(
  root: unknown,
  rootPath: string,
  code: ErrorCode,
  maxDepth: number,
  maxNodes: number,
): void {
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
