/**
 * @module message/lib/body/canonical
 * The SDK's object hashing (`Crypto.encodeObjectAsStr` + `Crypto.hashStr`, spec §2.4): recursively
 * key-sorted JSON exactly as `jsonabc.sortObj` sorts it, NFC-normalised, blake2b-256 as `0x` hex.
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { toHex, utf8 } from '../../../lib/bytes.js'

function isArrayValue(v: unknown): v is unknown[] {
  return Object.prototype.toString.call(v) === '[object Array]'
}
function isPlainObjectValue(v: unknown): v is Record<string, unknown> {
  return Object.prototype.toString.call(v) === '[object Object]'
}

function byLowerCase(a: string, b: string): number {
  const la = a.toLowerCase()
  const lb = b.toLowerCase()
  return la < lb ? -1 : la > lb ? 1 : 0
}

/**
 * `jsonabc.sortObj(value)` without mutating its input: object keys sorted case-insensitively
 * (stable), arrays sorted by the JSON text of their sorted items. Keys are defined, not assigned,
 * so a `__proto__` key cannot change a prototype.
 */
export function sortObj(value: unknown): unknown {
  if (isArrayValue(value)) {
    const items = value.map(sortObj)
    const keyed = items.map((item) => ({ item, json: JSON.stringify(item) as string | undefined }))
    keyed.sort((a, b) => {
      const x = a.json
      const y = b.json
      if (x === undefined || y === undefined) return 0
      return x < y ? -1 : x > y ? 1 : 0
    })
    return keyed.map((k) => k.item)
  }
  if (isPlainObjectValue(value)) {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort(byLowerCase)) {
      Object.defineProperty(out, key, {
        value: sortObj(value[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return out
  }
  return value
}

/** `Crypto.encodeObjectAsStr`: sorted JSON of an object, NFC-normalised. */
export function encodeObjectAsStr(value: object): string {
  return (JSON.stringify(sortObj(value)) ?? '').normalize('NFC')
}

/** `Crypto.hashStr`: blake2b-256 of the UTF-8 string as lowercase `0x` hex. */
export function hashStr(text: string): string {
  return toHex(blake2b(utf8(text), { dkLen: 32 }))
}
