/**
 * @module did/lib/document
 * Building, copying and checking SDK-shaped DID documents (spec §7.5).
 */
import { MessagingError } from '../../errors.js'
import type {
  DidDocument,
  DidEncryptionKey,
  DidKey,
  DidService,
  DidUri,
  DidVerificationKey,
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

function invalidDoc(message: string, cause?: unknown): MessagingError {
  return new MessagingError('ERR_DID_DOCUMENT_INVALID', message, { cause })
}

const FRAGMENT = /^#[^#\s]+$/

function checkKey(value: unknown, where: string, types: readonly string[]): void {
  if (typeof value !== 'object' || value === null) throw invalidDoc(`${where} must be a key object`)
  const { id, type, publicKey } = value as Record<string, unknown>
  if (typeof id !== 'string' || !FRAGMENT.test(id)) throw invalidDoc(`${where}.id must be a "#fragment"`)
  if (typeof type !== 'string' || !types.includes(type))
    throw invalidDoc(`${where}.type must be one of ${types.join(', ')}`)
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== KEY_LENGTHS[type])
    throw invalidDoc(`${where}.publicKey must be a Uint8Array of length ${KEY_LENGTHS[type]}`)
}

const VERIFICATION_TYPES = ['sr25519', 'ed25519', 'ecdsa'] as const

function checkSingle(doc: Record<string, unknown>, name: string, required: boolean): void {
  const v = doc[name]
  if (v === undefined && !required) return
  if (!Array.isArray(v) || v.length !== 1) throw invalidDoc(`"${name}" must be an array of exactly one key`)
  checkKey(v[0], `${name}[0]`, VERIFICATION_TYPES)
}

/**
 * Checks that a value has the shape of a {@link DidDocument} (types, key lengths, fragment ids).
 * @throws MessagingError ERR_DID_DOCUMENT_INVALID
 */
export function assertDidDocument(value: unknown): asserts value is DidDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidDoc('A DID document must be an object')
  const doc = value as Record<string, unknown>
  try {
    const parsed = parseDidShared(doc.uri)
    if (parsed.fragment !== undefined) throw invalidDoc('"uri" must not have a fragment')
  } catch (cause) {
    if (cause instanceof MessagingError && cause.code === 'ERR_DID_DOCUMENT_INVALID') throw cause
    throw invalidDoc('"uri" is not a valid KILT DID', cause)
  }
  checkSingle(doc, 'authentication', true)
  checkSingle(doc, 'assertionMethod', false)
  checkSingle(doc, 'capabilityDelegation', false)
  if (doc.keyAgreement !== undefined) {
    if (!Array.isArray(doc.keyAgreement)) throw invalidDoc('"keyAgreement" must be an array')
    doc.keyAgreement.forEach((k, i) => {
      checkKey(k, `keyAgreement[${i}]`, ['x25519'])
    })
  }
  if (doc.service !== undefined) {
    if (!Array.isArray(doc.service)) throw invalidDoc('"service" must be an array')
    doc.service.forEach((s: unknown, i) => {
      if (typeof s !== 'object' || s === null) throw invalidDoc(`service[${i}] must be an object`)
      const { id, type, serviceEndpoint } = s as Record<string, unknown>
      if (typeof id !== 'string' || !FRAGMENT.test(id))
        throw invalidDoc(`service[${i}].id must be a "#fragment"`)
      for (const [name, arr] of [
        ['type', type],
        ['serviceEndpoint', serviceEndpoint],
      ] as const)
        if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'string'))
          throw invalidDoc(`service[${i}].${name} must be an array of strings`)
    })
  }
}
