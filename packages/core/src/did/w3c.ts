/**
 * @module did/w3c
 * W3C DID documents (spec §7.5): export in the shape of SDK 0.35.2's `exportToDidDocument`
 * (`kilt-0.3x`) or of SDK 1.0 / the KILT universal-resolver driver (`multikey`), and import of both.
 */
import { base58 } from '@scure/base'
import { MessagingError } from '../errors.js'
import { isRecord } from '../lib/guards.js'
import { assertDidDocument, KEY_LENGTHS, makeDocument } from './lib/document.js'
import { decodeMultikey, encodeMultikey } from './lib/multikey.js'
import { parseDidShared } from './lib/uri.js'
import type {
  DidDocument,
  DidEncryptionKey,
  DidKey,
  DidKeyType,
  DidService,
  DidUri,
  DidVerificationKey,
  UriFragment,
} from './types.js'

/** A verification method of a W3C DID document. */
export interface W3CVerificationMethod {
  id: string
  controller: string
  type: string
  /** `kilt-0.3x`: base58btc of the raw key. */
  publicKeyBase58?: string
  /** `multikey`: `z` + base58btc(multicodec ‖ key). */
  publicKeyMultibase?: string
}

/** A service of a W3C DID document. */
export interface W3CService {
  id: string
  type: string[]
  serviceEndpoint: string[]
}

/** A W3C DID document as exported by KILT SDKs. */
export interface W3CDidDocument {
  '@context'?: string[]
  id: string
  verificationMethod: W3CVerificationMethod[]
  authentication: string[]
  assertionMethod?: string[]
  capabilityDelegation?: string[]
  keyAgreement?: string[]
  service?: W3CService[]
}

/** Options of {@link exportToW3C}. */
export interface ExportToW3COptions {
  /** `kilt-0.3x` (default): SDK 0.35 shape; `multikey`: SDK 1.0 / universal-resolver shape. */
  format?: 'kilt-0.3x' | 'multikey'
  /** `application/ld+json` adds `@context`; default `application/json`. */
  contentType?: 'application/json' | 'application/ld+json'
}

/** W3C DID core context. */
export const W3C_DID_CONTEXT_URL = 'https://www.w3.org/ns/did/v1'
/** KILT context of SDK 0.29–0.36 (`kilt-0.3x`). */
export const KILT_DID_CONTEXT_URL_V0 = 'ipfs://QmU7QkuTCPz7NmD5bD7Z7mQVz2UsSPaEK58B5sYnjnPRNW'
/** KILT context of SDK 1.0 (`multikey`). */
export const KILT_DID_CONTEXT_URL_V1 = 'ipfs://QmPtQ7wbdxbTuGugx4nFAyrhspcqXKrnriuGr7x4NYaZYN'

const TYPE_NAMES_V0: Readonly<Record<DidKeyType, string>> = {
  sr25519: 'Sr25519VerificationKey2020',
  ed25519: 'Ed25519VerificationKey2018',
  ecdsa: 'EcdsaSecp256k1VerificationKey2019',
  x25519: 'X25519KeyAgreementKey2019',
}
const TYPES_FROM_V0: Readonly<Record<string, DidKeyType>> = Object.fromEntries(
  Object.entries(TYPE_NAMES_V0).map(([k, v]) => [v, k as DidKeyType]),
)

/**
 * Exports a DID document as a W3C DID document.
 *
 * `kilt-0.3x` (default) reproduces SDK 0.35.2's `exportToDidDocument` exactly: `publicKeyBase58`,
 * the four 2018–2020 key type names, relative ids (`#…`) in the relationships and only the first
 * key agreement key listed under `keyAgreement` (all are in `verificationMethod`). `multikey`
 * produces SDK 1.0's shape: `Multikey` + `publicKeyMultibase`, absolute ids everywhere, every key
 * agreement key listed.
 *
 * @param doc - a DID document (checked: types, 32-byte keys, 33 for ecdsa)
 * @param options - `format` (default `kilt-0.3x`), `contentType` (default `application/json`;
 *   `application/ld+json` adds the format's `@context`)
 * @returns a fresh plain JSON object
 * @throws MessagingError ERR_DID_DOCUMENT_INVALID when `doc` is malformed, ERR_KEY_INVALID for key bytes of the wrong length
 * @throws MessagingError ERR_ARGUMENT_INVALID for unknown options
 * @example
 * const json = exportToW3C(lightDidToDocument(did), { contentType: 'application/ld+json' })
 * json.authentication // ['#authentication']
 */
export function exportToW3C(doc: DidDocument, options: ExportToW3COptions = {}): W3CDidDocument {
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  const { format = 'kilt-0.3x', contentType = 'application/json' } = options
  if (format !== 'kilt-0.3x' && format !== 'multikey')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"format" must be "kilt-0.3x" or "multikey"')
  if (contentType !== 'application/json' && contentType !== 'application/ld+json')
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      '"contentType" must be "application/json" or "application/ld+json"',
    )
  assertDidDocument(doc)
  const controller = doc.uri
  const multikey = format === 'multikey'
  const keys: DidKey[] = [
    ...doc.authentication,
    ...(doc.assertionMethod ?? []),
    ...(doc.capabilityDelegation ?? []),
    ...(doc.keyAgreement ?? []),
  ]
  const seen = new Set<string>()
  const verificationMethod: W3CVerificationMethod[] = []
  for (const key of keys) {
    const id = `${controller}${key.id}`
    if (seen.has(id)) continue
    seen.add(id)
    verificationMethod.push(
      multikey
        ? { id, controller, type: 'Multikey', publicKeyMultibase: encodeMultikey(key.type, key.publicKey) }
        : { id, controller, type: TYPE_NAMES_V0[key.type], publicKeyBase58: base58.encode(key.publicKey) },
    )
  }
  const ref = (key: DidKey): string => (multikey ? `${controller}${key.id}` : key.id)
  const out: W3CDidDocument = {
    id: controller,
    verificationMethod,
    authentication: [ref(doc.authentication[0])],
  }
  if (doc.assertionMethod?.[0]) out.assertionMethod = [ref(doc.assertionMethod[0])]
  if (doc.capabilityDelegation?.[0]) out.capabilityDelegation = [ref(doc.capabilityDelegation[0])]
  const ka = doc.keyAgreement ?? []
  // SDK 0.35 lists only the first key agreement key (spec §7.5); SDK 1.0 lists all.
  if (ka.length > 0) out.keyAgreement = multikey ? ka.map(ref) : [ref(ka[0] as DidKey)]
  if (doc.service && doc.service.length > 0)
    out.service = doc.service.map((s) => ({
      id: `${controller}${s.id}`,
      type: [...s.type],
      serviceEndpoint: [...s.serviceEndpoint],
    }))
  if (contentType === 'application/ld+json')
    out['@context'] = [W3C_DID_CONTEXT_URL, multikey ? KILT_DID_CONTEXT_URL_V1 : KILT_DID_CONTEXT_URL_V0]
  return out
}

const MAX_ENTRIES = 256

function invalid(message: string, cause?: unknown): MessagingError {
  return new MessagingError('ERR_DID_DOCUMENT_INVALID', message, { cause })
}

function list(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v)) throw invalid(`"${name}" must be an array`)
  if (v.length > MAX_ENTRIES) throw invalid(`"${name}" has more than ${MAX_ENTRIES} entries`)
  return v
}

function stringList(v: unknown, name: string): string[] {
  const arr = typeof v === 'string' ? [v] : list(v, name)
  for (const s of arr) if (typeof s !== 'string') throw invalid(`"${name}" must hold strings`)
  return arr as string[]
}

/** Turns a relative or absolute id of this DID into its fragment. */
function fragmentOf(id: unknown, did: DidUri, name: string): UriFragment {
  if (typeof id !== 'string') throw invalid(`${name} must be a string`)
  const fragment = id.startsWith('#') ? id : id.startsWith(`${did}#`) ? id.slice(did.length) : undefined
  if (
    fragment === undefined ||
    fragment.length < 2 ||
    fragment.length > 1024 ||
    /[#\s]/.test(fragment.slice(1))
  )
    throw invalid(`${name} "${id.slice(0, 200)}" is not a fragment of ${did}`)
  return fragment as UriFragment
}

function readMethod(m: unknown, did: DidUri, name: string): DidKey {
  if (!isRecord(m)) throw invalid(`${name} must be an object`)
  const id = fragmentOf(m.id, did, `${name}.id`)
  if (m.controller !== undefined && m.controller !== did) throw invalid(`${name}.controller must be ${did}`)
  let type: DidKeyType | undefined
  let publicKey: Uint8Array | undefined
  if (m.type === 'Multikey') {
    if (typeof m.publicKeyMultibase !== 'string' || m.publicKeyBase58 !== undefined)
      throw invalid(`${name}: a Multikey needs "publicKeyMultibase" (only)`)
    const decoded = decodeMultikey(m.publicKeyMultibase)
    if (!decoded)
      throw invalid(`${name}.publicKeyMultibase is not a known multicodec key of the right length`)
    ;({ type, publicKey } = decoded)
  } else {
    type =
      typeof m.type === 'string' && Object.hasOwn(TYPES_FROM_V0, m.type) ? TYPES_FROM_V0[m.type] : undefined
    if (type === undefined) throw invalid(`${name}.type "${String(m.type).slice(0, 60)}" is not supported`)
    if (
      typeof m.publicKeyBase58 !== 'string' ||
      m.publicKeyMultibase !== undefined ||
      m.publicKeyBase58.length > 100
    )
      throw invalid(`${name}: a ${m.type} needs "publicKeyBase58" (only)`)
    try {
      publicKey = base58.decode(m.publicKeyBase58)
    } catch (cause) {
      throw invalid(`${name}.publicKeyBase58 is not base58`, cause)
    }
    if (publicKey.length !== KEY_LENGTHS[type])
      throw invalid(`${name}.publicKeyBase58 must hold ${KEY_LENGTHS[type]} bytes for ${type}`)
  }
  return { id, type, publicKey }
}

function sameKey(a: DidKey, b: DidKey): boolean {
  if (a.type !== b.type || a.publicKey.length !== b.publicKey.length) return false
  return a.publicKey.every((x, i) => x === b.publicKey[i])
}

/**
 * Reads a W3C DID document of either generation into a {@link DidDocument}: verification methods
 * with `publicKeyBase58` and the four SDK 0.3x type names, or `Multikey` + `publicKeyMultibase`;
 * relationship entries as relative `#x`, absolute `did…#x` or embedded method objects; services
 * (`type`/`serviceEndpoint` as string or string array). A bare document only — not a DID
 * resolution result. x25519 methods listed only in `verificationMethod` are added to
 * `keyAgreement` (SDK 0.35 exports list just the first); other unreferenced methods are dropped.
 * Unknown top-level properties (e.g. `alsoKnownAs`) are ignored.
 *
 * @param json - the parsed JSON document
 * @returns a frozen document with relative ids
 * @throws MessagingError ERR_DID_DOCUMENT_INVALID for anything malformed (also wrong key lengths,
 *   unknown key types, ids of another DID, duplicate ids, a light DID whose authentication key does
 *   not match its address); no other error escapes
 * @example
 * const doc = documentFromW3C(exportToW3C(lightDidToDocument(did), { format: 'multikey' }))
 */
export function documentFromW3C(json: unknown): DidDocument {
  try {
    return readDocument(json)
  } catch (cause) {
    if (cause instanceof MessagingError && cause.code === 'ERR_DID_DOCUMENT_INVALID') throw cause
    throw invalid('Malformed DID document', cause)
  }
}

function readDocument(json: unknown): DidDocument {
  if (!isRecord(json)) throw invalid('A DID document must be a JSON object')
  if ('didDocument' in json && !('id' in json))
    throw invalid('Expected a bare DID document, got a DID resolution result (pass its "didDocument")')
  if (json['@context'] !== undefined) stringList(json['@context'], '@context')
  let parsed: ReturnType<typeof parseDidShared>
  try {
    parsed = parseDidShared(json.id)
  } catch (cause) {
    throw invalid('"id" is not a valid KILT DID', cause)
  }
  if (parsed.fragment !== undefined) throw invalid('"id" must not have a fragment')
  const did = parsed.did

  const methods = new Map<string, DidKey>()
  const addMethod = (key: DidKey): void => {
    const existing = methods.get(key.id)
    if (existing && !sameKey(existing, key)) throw invalid(`Two different keys have the id "${key.id}"`)
    methods.set(key.id, key)
  }
  const vm = json.verificationMethod === undefined ? [] : list(json.verificationMethod, 'verificationMethod')
  const declared = new Set<string>()
  vm.forEach((m, i) => {
    const key = readMethod(m, did, `verificationMethod[${i}]`)
    if (declared.has(key.id)) throw invalid(`verificationMethod[${i}]: duplicate id "${key.id}"`)
    declared.add(key.id)
    addMethod(key)
  })

  const referenced = new Set<string>()
  const relation = (name: string, types: readonly DidKeyType[]): DidKey[] => {
    const v = json[name]
    if (v === undefined) return []
    return list(v, name).map((entry, i) => {
      let key: DidKey | undefined
      if (isRecord(entry)) {
        key = readMethod(entry, did, `${name}[${i}]`)
        addMethod(key)
      } else {
        key = methods.get(fragmentOf(entry, did, `${name}[${i}]`))
        if (!key) throw invalid(`${name}[${i}] names a key that is not in "verificationMethod"`)
      }
      if (!types.includes(key.type)) throw invalid(`${name}[${i}] is a ${key.type} key, not allowed here`)
      if (referenced.has(`${name}${key.id}`)) throw invalid(`${name}[${i}]: listed twice`)
      referenced.add(`${name}${key.id}`)
      referenced.add(key.id)
      return key
    })
  }
  const verification: DidKeyType[] = ['sr25519', 'ed25519', 'ecdsa']
  const authentication = relation('authentication', verification)
  const assertionMethod = relation('assertionMethod', verification)
  const capabilityDelegation = relation('capabilityDelegation', verification)
  const keyAgreement = relation('keyAgreement', ['x25519'])
  if (authentication.length !== 1) throw invalid('"authentication" must list exactly one key')
  if (assertionMethod.length > 1) throw invalid('"assertionMethod" must list at most one key')
  if (capabilityDelegation.length > 1) throw invalid('"capabilityDelegation" must list at most one key')
  for (const key of methods.values())
    if (key.type === 'x25519' && !referenced.has(key.id)) keyAgreement.push(key)

  const auth = authentication[0] as DidVerificationKey
  if (parsed.type === 'light') {
    const addressKey = parsed.addressPublicKey
    if (
      auth.type !== parsed.authKeyType ||
      !sameKey(auth, { id: auth.id, type: auth.type, publicKey: addressKey })
    )
      throw invalid('The authentication key of a light DID must be the key its address and code name')
  }

  let service: DidService[] | undefined
  if (json.service !== undefined) {
    const ids = new Set<string>()
    service = list(json.service, 'service').map((s, i) => {
      if (!isRecord(s)) throw invalid(`service[${i}] must be an object`)
      const id = fragmentOf(s.id, did, `service[${i}].id`)
      if (ids.has(id)) throw invalid(`service[${i}]: duplicate id "${id}"`)
      ids.add(id)
      return {
        id,
        type: stringList(s.type, `service[${i}].type`),
        serviceEndpoint: stringList(s.serviceEndpoint, `service[${i}].serviceEndpoint`),
      }
    })
  }
  return makeDocument({
    uri: did,
    authentication: auth,
    assertionMethod: assertionMethod[0] as DidVerificationKey | undefined,
    capabilityDelegation: capabilityDelegation[0] as DidVerificationKey | undefined,
    keyAgreement: keyAgreement as DidEncryptionKey[],
    service,
  })
}
