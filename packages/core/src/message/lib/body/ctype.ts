/**
 * @module message/lib/body/ctype
 * `CType.verifyDataStructure` of SDK 0.35.2 by hand: the CType meta schemas (draft-01 and V1,
 * `CType.schemas.js`) as the SDK's JSON-schema validator applies them, then `$id` must equal
 * `kilt:ctype:` + blake2b-256 of the key-sorted schema without `$id` (`CTypeIdMismatchError`).
 */

import { encodeObjectAsStr, hashStr } from './canonical.js'
import { describe, fail, failWith, has, isPlainObject, type Obj } from './check.js'

/** `$id` of the V1 meta schema (the value of `$schema` in V1 CTypes). */
export const CTYPE_V1 = 'ipfs://bafybeiah66wbkhqbqn7idkostj2iqyan2tstc4tpqt65udlhimd7hcxjyq/'
/** `$id` of the draft-01 meta schema. */
export const CTYPE_DRAFT01 = 'http://kilt-protocol.org/draft-01/ctype#'

const ID = /^kilt:ctype:0x[0-9a-f]+$/
// pattern ^kilt:ctype:0x[0-9a-f]+(#/properties/.+)?$ intersected with format "uri" (the fragment
// characters of the SDK's URI regex, case-insensitive).
const REF_V1 =
  /^kilt:ctype:0x[0-9a-f]+(?:#\/properties\/(?:[a-zA-Z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-fA-F]{2})+)?$/
// The SDK's "uri" format (json-schema/format.js, from ajv): needs ':' or '/', then RFC 3986.
const NOT_URI_FRAGMENT = /\/|:/
const URI_PATTERN =
  /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i

function isUri(s: string): boolean {
  return NOT_URI_FRAGMENT.test(s) && URI_PATTERN.test(s)
}

const SCHEMA_ERROR = 'ObjectUnverifiableError'

/** A schema violation (collected as a reason string; `null` = valid). */
type Reason = string | null

function onlyKeys(o: Obj, allowed: readonly string[]): Reason {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) return `unexpected property "${k}"`
  return null
}

function isNumber(v: unknown): boolean {
  return typeof v === 'number'
}

// Definitions of the V1 meta schema. Like JSON schema, they only constrain objects: a non-object
// instance passes all of them, which makes `oneOf` fail (more than one match).
function v1String(p: Obj): Reason {
  if (!has(p, 'type')) return 'missing "type"'
  if (p.type !== 'string') return 'type is not "string"'
  const extra = onlyKeys(p, ['type', 'format', 'enum', 'minLength', 'maxLength'])
  if (extra) return extra
  if (has(p, 'format') && !['date', 'time', 'uri'].includes(p.format as string)) return 'bad format'
  if (has(p, 'enum') && !(Array.isArray(p.enum) && p.enum.every((e) => typeof e === 'string')))
    return 'bad enum'
  if (has(p, 'minLength') && !isNumber(p.minLength)) return 'bad minLength'
  if (has(p, 'maxLength') && !isNumber(p.maxLength)) return 'bad maxLength'
  return null
}
function v1Number(p: Obj): Reason {
  if (!has(p, 'type')) return 'missing "type"'
  if (p.type !== 'integer' && p.type !== 'number') return 'type is not "integer" or "number"'
  const extra = onlyKeys(p, ['type', 'enum', 'minimum', 'maximum'])
  if (extra) return extra
  if (has(p, 'enum') && !(Array.isArray(p.enum) && p.enum.every(isNumber))) return 'bad enum'
  if (has(p, 'minimum') && !isNumber(p.minimum)) return 'bad minimum'
  if (has(p, 'maximum') && !isNumber(p.maximum)) return 'bad maximum'
  return null
}
function v1Boolean(p: Obj): Reason {
  if (!has(p, 'type')) return 'missing "type"'
  if (p.type !== 'boolean') return 'type is not "boolean"'
  return onlyKeys(p, ['type'])
}
function v1Ref(p: Obj): Reason {
  if (!has(p, '$ref')) return 'missing "$ref"'
  const extra = onlyKeys(p, ['$ref'])
  if (extra) return extra
  if (typeof p.$ref !== 'string' || !REF_V1.test(p.$ref)) return 'bad $ref'
  return null
}
function v1Array(p: Obj): Reason {
  if (!has(p, 'type') || !has(p, 'items')) return 'missing "type" or "items"'
  if (p.type !== 'array') return 'type is not "array"'
  const extra = onlyKeys(p, ['type', 'items', 'minItems', 'maxItems'])
  if (extra) return extra
  const items = p.items
  if (!isPlainObject(items)) return 'items must be an object'
  if (exactlyOne(items, [v1String, v1Number, v1Boolean, v1Ref]) !== null) return 'bad items'
  if (has(p, 'minItems') && !isNumber(p.minItems)) return 'bad minItems'
  if (has(p, 'maxItems') && !isNumber(p.maxItems)) return 'bad maxItems'
  return null
}

function exactlyOne(p: Obj, defs: readonly ((p: Obj) => Reason)[]): Reason {
  const ok = defs.filter((d) => d(p) === null).length
  return ok === 1
    ? null
    : ok === 0
      ? 'matches no property definition'
      : 'matches several property definitions'
}

function checkV1(c: Obj): Reason {
  const extra = onlyKeys(c, ['$id', '$schema', 'title', 'type', 'properties', 'additionalProperties'])
  if (extra) return extra
  for (const k of ['$id', '$schema', 'additionalProperties', 'properties', 'title', 'type'])
    if (!has(c, k)) return `missing "${k}"`
  if (typeof c.$id !== 'string' || !ID.test(c.$id)) return '$id must match ^kilt:ctype:0x[0-9a-f]+$'
  if (typeof c.title !== 'string') return 'title must be a string'
  if (c.type !== 'object') return 'type must be "object"'
  if (c.additionalProperties !== false) return 'additionalProperties must be false'
  if (!isPlainObject(c.properties)) return 'properties must be an object'
  for (const [name, p] of Object.entries(c.properties)) {
    if (name === '') continue // not matched by the pattern ^.+$, so unconstrained
    if (!isPlainObject(p)) return `property "${name}" must be an object`
    const r = exactlyOne(p, [v1String, v1Number, v1Boolean, v1Ref, v1Array])
    if (r) return `property "${name}" ${r}`
  }
  return null
}

function checkDraft01(c: Obj): Reason {
  const extra = onlyKeys(c, ['$id', '$schema', 'title', 'type', 'properties'])
  if (extra) return extra
  for (const k of ['$id', 'title', '$schema', 'properties', 'type']) if (!has(c, k)) return `missing "${k}"`
  if (typeof c.$id !== 'string' || !isUri(c.$id) || !ID.test(c.$id))
    return '$id must match ^kilt:ctype:0x[0-9a-f]+$'
  if (typeof c.title !== 'string') return 'title must be a string'
  if (c.type !== 'object') return 'type must be "object"'
  if (!isPlainObject(c.properties)) return 'properties must be an object'
  for (const [name, p] of Object.entries(c.properties)) {
    if (!isPlainObject(p)) return `property "${name}" must be an object`
    const extraP = onlyKeys(p, ['type', '$ref', 'format'])
    if (extraP) return `property "${name}": ${extraP}`
    if (has(p, 'type') === has(p, '$ref')) return `property "${name}" needs exactly one of "type" and "$ref"`
    if (has(p, 'type') && !['string', 'integer', 'number', 'boolean'].includes(p.type as string))
      return `property "${name}": bad type`
    if (has(p, '$ref') && !(typeof p.$ref === 'string' && isUri(p.$ref)))
      return `property "${name}": bad $ref`
    if (has(p, 'format') && !['date', 'time', 'uri'].includes(p.format as string))
      return `property "${name}": bad format`
  }
  return null
}

/** `CType.getIdForSchema`: `kilt:ctype:` + hash of the schema without `$id`. */
export function cTypeIdForSchema(schema: Obj): string {
  const rest: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(schema)) {
    if (k !== '$id')
      Object.defineProperty(rest, k, { value: v, enumerable: true, writable: true, configurable: true })
  }
  return `kilt:ctype:${hashStr(encodeObjectAsStr(rest))}`
}

/**
 * Checks a CType against its meta schema (`ObjectUnverifiableError`) and its `$id` against the
 * hash of its schema (`CTypeIdMismatchError`). Input must already be scanned.
 */
export function checkCType(input: unknown, path: string): void {
  if (!isPlainObject(input)) fail(path, SCHEMA_ERROR, `expected an object, got ${describe(input)}`)
  let reason: Reason
  if (input.$schema === CTYPE_V1) reason = checkV1(input)
  else if (input.$schema === CTYPE_DRAFT01) reason = checkDraft01(input)
  else reason = `$schema must be "${CTYPE_V1}" or "${CTYPE_DRAFT01}"`
  if (reason) fail(path, SCHEMA_ERROR, `JSON schema verification failed: ${reason}`)
  const fromSchema = cTypeIdForSchema(input)
  if (fromSchema !== input.$id)
    failWith(
      'ERR_BODY_INVALID',
      `${path}.$id`,
      'CTypeIdMismatchError',
      `does not match the schema's id "${fromSchema}"`,
    )
}
