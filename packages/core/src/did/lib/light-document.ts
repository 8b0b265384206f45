/**
 * @module did/lib/light-document
 * Turning decoded light-DID details into a document (uncached; `lightDidToDocument` caches).
 */
import { MessagingError } from '../../errors.js'
import { assertBytes } from '../../lib/bytes.js'
import type { DidDocument, DidEncryptionKey, DidService, DidUri, DidVerificationKey } from '../types.js'
import { makeDocument } from './document.js'
import { decodeLightDetails } from './light-details.js'
import { checkService } from './service.js'

/** The id (fragment) of a light DID's key agreement key. */
export const ENCRYPTION_KEY_ID = '#encryption'

/** Checks a key agreement key (x25519, 32 bytes; `"X25519"` too when `legacy`), reading only `type`/`publicKey`. */
export function checkEncryptionKey(value: unknown, legacy: boolean): DidEncryptionKey {
  if (typeof value !== 'object' || value === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"keyAgreement[0]" expected an object')
  const { type, publicKey } = value as Record<string, unknown>
  if (type !== 'x25519' && !(legacy && type === 'X25519'))
    throw new MessagingError(
      'ERR_KEY_TYPE_UNSUPPORTED',
      `Encryption key type "${String(type).slice(0, 40)}" is not supported`,
      { sdkError: 'DidError' },
    )
  assertBytes(publicKey, 'keyAgreement[0].publicKey', 32, 'ERR_KEY_INVALID')
  return { id: ENCRYPTION_KEY_ID, type: 'x25519', publicKey: publicKey as Uint8Array }
}

/**
 * Decodes a light DID's details and builds its frozen document; `did` becomes the document's `uri`.
 * @throws MessagingError ERR_DID_DETAILS_INVALID, ERR_KEY_TYPE_UNSUPPORTED, ERR_KEY_INVALID, ERR_SERVICE_INVALID
 */
export function decodeLightDid(
  did: DidUri,
  authType: 'sr25519' | 'ed25519',
  address: Uint8Array,
  details: string | undefined,
  legacy: boolean,
): DidDocument {
  const authentication: DidVerificationKey = { id: '#authentication', type: authType, publicKey: address }
  if (details === undefined) return makeDocument({ uri: did, authentication })
  const map = decodeLightDetails(details)
  let keyAgreement: DidEncryptionKey[] | undefined
  if (map.e !== undefined) {
    if (typeof map.e !== 'object' || map.e === null || Array.isArray(map.e))
      throw new MessagingError('ERR_DID_DETAILS_INVALID', 'The key agreement entry "e" must be a map')
    // Only publicKey and type are read: a leaked "secretKey" (SDK pitfall, §7.3) is never copied.
    keyAgreement = [checkEncryptionKey(map.e, legacy)]
  }
  let service: DidService[] | undefined
  if (map.s !== undefined) {
    if (!Array.isArray(map.s))
      throw new MessagingError('ERR_DID_DETAILS_INVALID', 'The services entry "s" must be an array')
    service = map.s.map((s: unknown) => {
      if (typeof s !== 'object' || s === null || Array.isArray(s) || s instanceof Uint8Array)
        throw new MessagingError('ERR_DID_DETAILS_INVALID', 'A service entry must be a map')
      const { id, type, serviceEndpoint, types, urls } = s as Record<string, unknown>
      if (typeof id !== 'string')
        throw new MessagingError('ERR_SERVICE_INVALID', 'Service "id" must be a string')
      // The SDK prefixes '#' to the stored id and maps the ≤0.28 names `types`/`urls` (PR #725).
      return checkService(`#${id}`, type ?? types, serviceEndpoint ?? urls, { legacy })
    })
  }
  return makeDocument({ uri: did, authentication, keyAgreement, service })
}
