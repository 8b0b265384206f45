/**
 * @module did/lib/document
 * Building, copying and checking SDK-shaped DID documents (spec §7.5).
 */
import { MessagingError } from '../../errors.js'
import { equalBytes } from '../../lib/bytes.js'
import { isRecord } from '../../lib/guards.js'
import type {
  DidDocument,
  DidEncryptionKey,
  DidKey,
  DidKeyType,
  DidService,
  DidUri,
  DidVerificationKey,
  UriFragment,
} from '../types.js'
import { parseDidShared } from './uri.js'

/** Public key length of each key type (ecdsa keys are compressed secp256k1 points). */
export const KEY_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  sr25519: 32,
  ed25519: 32,
  ecdsa: 33,
  x25519: 32,
})

/** The parts of a document before freezing. */
export interface DocumentParts {
  readonly uri: DidUri
  readonly authentication: DidVerificationKey
  readonly assertionMethod?: DidVerificationKey | undefined
  readonly capabilityDelegation?: DidVerificationKey | undefined
  readonly keyAgreement?: readonly DidEncryptionKey[] | undefined
  readonly service?: readonly DidService[] | undefined
}

function copyKey<K extends DidKey>(key: K): K {
  return Object.freeze({ id: key.id, type: key.type, publicKey: key.publicKey.slice() }) as K
}

function copyService(s: DidService): DidService {
  return Object.freeze({
    id: s.id,
    type: Object.freeze([...s.type]),
    serviceEndpoint: Object.freeze([...s.serviceEndpoint]),
  })
}

/** Builds a frozen document with fresh key bytes; empty optional parts are omitted. */
export function makeDocument(p: DocumentParts): DidDocument {
  const doc: {
    uri: DidUri
    authentication: readonly [DidVerificationKey]
    assertionMethod?: readonly [DidVerificationKey]
    capabilityDelegation?: readonly [DidVerificationKey]
    keyAgreement?: readonly DidEncryptionKey[]
    service?: readonly DidService[]
  } = { uri: p.uri, authentication: Object.freeze([copyKey(p.authentication)] as const) }
  if (p.assertionMethod) doc.assertionMethod = Object.freeze([copyKey(p.assertionMethod)] as const)
  if (p.capabilityDelegation)
    doc.capabilityDelegation = Object.freeze([copyKey(p.capabilityDelegation)] as const)
  if (p.keyAgreement && p.keyAgreement.length > 0)
    doc.keyAgreement = Object.freeze(p.keyAgreement.map(copyKey))
  if (p.service && p.service.length > 0) doc.service = Object.freeze(p.service.map(copyService))
  return Object.freeze(doc)
}

/** A frozen deep copy (fresh key bytes), so a cached document cannot be altered through a returned one. */
export function cloneDocument(doc: DidDocument): DidDocument {
  return makeDocument({
    uri: doc.uri,
    authentication: doc.authentication[0],
    assertionMethod: doc.assertionMethod?.[0],
    capabilityDelegation: doc.capabilityDelegation?.[0],
    keyAgreement: doc.keyAgreement,
    service: doc.service,
  })
}

/**
 * Checks that a value is a well-formed {@link DidDocument} (the rules of {@link checkDidDocument}).
 * @throws MessagingError ERR_DID_DOCUMENT_INVALID, ERR_KEY_INVALID (key bytes of the wrong length)
 */
export function assertDidDocument(value: unknown): asserts value is DidDocument {
  checkDidDocument(value)
}

const VERIFICATION_TYPES: readonly string[] = ['sr25519', 'ed25519', 'ecdsa']
/** Sanity bounds; the chain allows far fewer (spec §7.5). */
const MAX_KEY_AGREEMENT = 64
const MAX_SERVICES = 64
const MAX_SERVICE_ITEMS = 64
const MAX_STRING = 4096

function invalid(message: string, cause?: unknown): MessagingError {
  return new MessagingError('ERR_DID_DOCUMENT_INVALID', message, cause === undefined ? {} : { cause })
}

function checkFragment(id: unknown, where: string): UriFragment {
  if (
    typeof id !== 'string' ||
    id.length < 2 ||
    id.length > MAX_STRING ||
    id[0] !== '#' ||
    id.indexOf('#', 1) >= 0 ||
    id.includes('\n')
  )
    throw invalid(`${where}: "id" expected a fragment "#…"`)
  return id as UriFragment
}

function checkKey(value: unknown, types: readonly string[], where: string): DidKey {
  if (!isRecord(value)) throw invalid(`${where}: expected a key object`)
  const id = checkFragment(value.id, where)
  const { type, publicKey } = value
  if (typeof type !== 'string' || !types.includes(type))
    throw invalid(`${where}: key type expected one of ${types.join(', ')}`)
  if (!(publicKey instanceof Uint8Array)) throw invalid(`${where}: "publicKey" expected a Uint8Array`)
  const length = type === 'ecdsa' ? 33 : 32
  if (publicKey.length !== length)
    throw new MessagingError(
      'ERR_KEY_INVALID',
      `${where}: "publicKey" expected Uint8Array of length ${length}, got length=${publicKey.length}`,
    )
  return Object.freeze({ id, type: type as DidKeyType, publicKey: new Uint8Array(publicKey) })
}

function checkSingle(
  value: unknown,
  where: string,
  required: boolean,
): readonly [DidVerificationKey] | undefined {
  if (value === undefined && !required) return undefined
  if (!Array.isArray(value) || value.length > 1 || (required && value.length !== 1))
    throw invalid(`${where}: expected an array of ${required ? 'exactly one key' : 'at most one key'}`)
  if (value.length === 0) return undefined
  return Object.freeze([checkKey(value[0], VERIFICATION_TYPES, `${where}[0]`) as DidVerificationKey])
}

function checkStrings(value: unknown, where: string): readonly string[] {
  if (!Array.isArray(value) || value.length > MAX_SERVICE_ITEMS)
    throw invalid(`${where}: expected an array of strings`)
  for (const item of value)
    if (typeof item !== 'string' || item.length > MAX_STRING)
      throw invalid(`${where}: expected an array of strings`)
  return Object.freeze([...(value as string[])])
}

function checkService(value: unknown, where: string): DidService {
  if (!isRecord(value)) throw invalid(`${where}: expected a service object`)
  return Object.freeze({
    id: checkFragment(value.id, where),
    type: checkStrings(value.type, `${where}.type`),
    serviceEndpoint: checkStrings(value.serviceEndpoint, `${where}.serviceEndpoint`),
  })
}

/**
 * Checks an SDK-shaped document that came from outside (a caller, an SDK resolver, a registry) and
 * returns a frozen copy of our `DidDocument`: unknown key properties (`includedAt`) are dropped, key
 * bytes are copied, sizes are bounded, and a key id listed twice must name the same key.
 * @param value - the untrusted document
 * @param expected - when given, `uri` must be exactly this DID
 * @param fullOnly - reject light DIDs
 * @throws MessagingError ERR_DID_DOCUMENT_INVALID, ERR_KEY_INVALID
 */
export function checkDidDocument(value: unknown, expected?: string, fullOnly = false): DidDocument {
  if (!isRecord(value)) throw invalid('A DID document must be an object')
  const { uri } = value
  if (typeof uri !== 'string') throw invalid('"uri" expected a string')
  if (expected !== undefined && uri !== expected)
    throw invalid('The document "uri" differs from the requested DID')
  let parsed: ReturnType<typeof parseDidShared>
  try {
    parsed = parseDidShared(uri)
  } catch (cause) {
    throw invalid('"uri" is not a KILT DID', cause)
  }
  if (parsed.fragment !== undefined) throw invalid('"uri" must not have a fragment')
  if (fullOnly && parsed.type !== 'full') throw invalid('Expected the document of a full DID')

  const authentication = checkSingle(value.authentication, 'authentication', true)!
  const assertionMethod = checkSingle(value.assertionMethod, 'assertionMethod', false)
  const capabilityDelegation = checkSingle(value.capabilityDelegation, 'capabilityDelegation', false)
  let keyAgreement: readonly DidEncryptionKey[] | undefined
  if (value.keyAgreement !== undefined) {
    const list = value.keyAgreement
    if (!Array.isArray(list) || list.length > MAX_KEY_AGREEMENT)
      throw invalid(`keyAgreement: expected an array of at most ${MAX_KEY_AGREEMENT} keys`)
    if (list.length > 0)
      keyAgreement = Object.freeze(
        list.map((k, i) => checkKey(k, ['x25519'], `keyAgreement[${i}]`) as DidEncryptionKey),
      )
  }
  let service: readonly DidService[] | undefined
  if (value.service !== undefined) {
    const list = value.service
    if (!Array.isArray(list) || list.length > MAX_SERVICES)
      throw invalid(`service: expected an array of at most ${MAX_SERVICES} services`)
    if (list.length > 0) service = Object.freeze(list.map((s, i) => checkService(s, `service[${i}]`)))
  }

  // One id, one key: a key id listed twice must name the same key, or key lookup would be ambiguous.
  const seen = new Map<string, DidKey>()
  for (const key of [
    ...authentication,
    ...(assertionMethod ?? []),
    ...(capabilityDelegation ?? []),
    ...(keyAgreement ?? []),
  ]) {
    const other = seen.get(key.id)
    if (other === undefined) seen.set(key.id, key)
    else if (other.type !== key.type || !equalBytes(other.publicKey, key.publicKey))
      throw invalid(`Key id "${key.id}" names two different keys`)
  }

  return Object.freeze({
    uri: uri as DidUri,
    authentication,
    ...(assertionMethod && { assertionMethod }),
    ...(capabilityDelegation && { capabilityDelegation }),
    ...(keyAgreement && { keyAgreement }),
    ...(service && { service }),
  })
}
