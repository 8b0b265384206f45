/**
 * @module did/light-did
 * Light DIDs (spec §7.3, §7.6): creating them byte-identically to SDK 0.35.2's
 * `createLightDidDocument`, and decoding them offline like `parseDocumentFromLightDid`,
 * with the secret-key leak of the SDK (§7.3 pitfall) closed on both sides.
 */
import { MessagingError } from '../errors.js'
import { BoundedCache } from '../lib/bounded-cache.js'
import { assertBytes } from '../lib/bytes.js'
import { cloneDocument, makeDocument } from './lib/document.js'
import { decodeLightDetails, encodeLightDetails, MAX_DETAILS_LENGTH } from './lib/light-details.js'
import { checkEncryptionKey, decodeLightDid } from './lib/light-document.js'
import { checkService } from './lib/service.js'
import { ss58Encode } from './lib/ss58.js'
import { authKeyTypeOf, parseDidShared } from './lib/uri.js'
import type { DidDocument, DidEncryptionKey, DidService, DidUri, DidVerificationKey } from './types.js'

export { MAX_DETAILS_LENGTH }

/** Input of {@link createLightDid}; extra properties on the objects (e.g. `secretKey`) are ignored. */
export interface CreateLightDidInput {
  /** Exactly one sr25519 or ed25519 key (32 bytes); its public key becomes the DID's address. */
  authentication: [{ publicKey: Uint8Array; type: 'sr25519' | 'ed25519' }]
  /** At most one x25519 key (32 bytes), published as `#encryption`. */
  keyAgreement?: [{ publicKey: Uint8Array; type: 'x25519' }]
  /** Services; `id` with or without the leading `#`. */
  service?: Array<{ id: string; type: string[]; serviceEndpoint: string[] }>
}

/** Options of {@link lightDidToDocument}. */
export interface LightDidToDocumentOptions {
  /** Accept a `#fragment` on the URI (it is ignored). Default false, as the SDK. */
  allowFragment?: boolean
  /**
   * Also accept what SDK ≤0.28 wrote and 0.35 rejects: key type `"X25519"` and service endpoints
   * that are not URIs. Default false.
   */
  legacy?: boolean
}

const AUTH_CODES = { sr25519: '00', ed25519: '01' } as const

function unsupportedKey(type: unknown): MessagingError {
  return new MessagingError(
    'ERR_KEY_TYPE_UNSUPPORTED',
    `The provided key type "${String(type).slice(0, 40)}" is currently not supported`,
    { sdkError: 'UnsupportedKeyError' },
  )
}

function checkAuthKey(value: unknown): DidVerificationKey {
  if (typeof value !== 'object' || value === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"authentication[0]" expected an object')
  const { type, publicKey } = value as Record<string, unknown>
  if (type !== 'sr25519' && type !== 'ed25519') throw unsupportedKey(type)
  assertBytes(publicKey, 'authentication[0].publicKey', 32, 'ERR_KEY_INVALID')
  return { id: '#authentication', type, publicKey: publicKey as Uint8Array }
}

// Decoding is costly (base58 is quadratic) and light DIDs recur in every message of a conversation.
const documents = new BoundedCache<DidDocument>(1_000)
const LEGACY_KEY = '\u0000legacy:'

/**
 * Creates a light DID document, with a URI byte-identical to SDK 0.35.2's `createLightDidDocument`
 * for the same keys and services: `did:kilt:light:<00|01><address>[:z<base58(0x00 ‖ CBOR)>]`.
 * Unlike the SDK, only `publicKey`/`type` of the key agreement key and `id`/`type`/`serviceEndpoint`
 * of services are encoded, always in that order, so passing a whole key pair never publishes its
 * secret key. (The SDK serialises the caller's objects as they are, so its URI for
 * `{ type, publicKey }` differs from the one for `{ publicKey, type }`; ours equals the latter, which is
 * what the SDK's own code, tests and vectors produce.)
 *
 * @param input - `authentication`: one sr25519/ed25519 key (32 bytes); `keyAgreement`: optionally
 *   one x25519 key (32 bytes); `service`: optional services (ids without `did:kilt`, not
 *   `authentication`/`encryption`, RFC 3986 fragment characters; every endpoint a URI)
 * @returns a frozen document: `#authentication`, optional `#encryption`, optional services
 * @throws MessagingError ERR_ARGUMENT_INVALID when the input shape is wrong
 * @throws MessagingError ERR_KEY_TYPE_UNSUPPORTED for an auth type other than sr25519/ed25519 (sdkError
 *   `UnsupportedKeyError`) or an encryption type other than x25519 (sdkError `DidError`)
 * @throws MessagingError ERR_KEY_INVALID when a public key is not 32 bytes
 * @throws MessagingError ERR_SERVICE_INVALID when a service breaks the SDK's rules, or the encoded
 *   details would exceed 2048 bytes (≈2800 characters; decoding accepts up to {@link MAX_DETAILS_LENGTH})
 * @example
 * const doc = createLightDid({
 *   authentication: [{ type: 'ed25519', publicKey: new Uint8Array(32) }],
 *   keyAgreement: [{ type: 'x25519', publicKey: new Uint8Array(32) }],
 * })
 * doc.uri // 'did:kilt:light:014nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS:z1Ac9CMtYCTRWjetJfJqJoV7FcNAAtB4sjQtE1aByEzECZsWC1ssdrfFsU4oa1StsZ1ENgJPdx2AnomuDMZGLtg'
 */
export function createLightDid(input: CreateLightDidInput): DidDocument {
  if (typeof input !== 'object' || input === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"input" expected an object')
  const { authentication, keyAgreement, service } = input as unknown as Record<string, unknown>
  if (!Array.isArray(authentication) || authentication.length !== 1)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"authentication" expected an array of exactly one key')
  const auth = checkAuthKey(authentication[0])
  let enc: DidEncryptionKey | undefined
  if (keyAgreement !== undefined) {
    if (!Array.isArray(keyAgreement) || keyAgreement.length !== 1)
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"keyAgreement" expected an array of exactly one key')
    enc = checkEncryptionKey(keyAgreement[0], false)
  }
  let services: DidService[] = []
  if (service !== undefined) {
    if (!Array.isArray(service))
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"service" expected an array')
    services = service.map((s: unknown) => {
      if (typeof s !== 'object' || s === null)
        throw new MessagingError('ERR_SERVICE_INVALID', 'A service must be an object')
      const { id, type, serviceEndpoint } = s as Record<string, unknown>
      return checkService(id, type, serviceEndpoint)
    })
  }
  const details = encodeLightDetails({ keyAgreement: enc, service: services })
  const uri: DidUri = `did:kilt:light:${AUTH_CODES[auth.type as 'sr25519' | 'ed25519']}${ss58Encode(auth.publicKey)}${details === undefined ? '' : `:${details}`}`
  const doc = makeDocument({
    uri,
    authentication: auth,
    keyAgreement: enc ? [enc] : undefined,
    service: services,
  })
  documents.set(uri, doc)
  return cloneDocument(doc)
}

/**
 * Decodes a light DID into its document, offline (SDK `parseDocumentFromLightDid`). Tagged and
 * untagged CBOR byte strings, legacy `types`/`urls` service keys and extra keys (such as a leaked
 * `secretKey`, which is ignored and never copied) are accepted. `uri` of the result is the DID as
 * given (without fragment). Results are cached per DID string.
 *
 * @param uri - a light DID (`did:kilt:light:…`)
 * @param options - `allowFragment` (default false): accept and ignore a `#fragment`; `legacy`
 *   (default false): also accept `"X25519"` and non-URI endpoints written by SDK ≤0.28
 * @returns a frozen document (fresh key bytes on every call)
 * @throws MessagingError ERR_DID_INVALID for anything but a light DID, ERR_DID_ADDRESS_INVALID for a bad address
 * @throws MessagingError ERR_DID_FRAGMENT when a fragment is present and not allowed
 * @throws MessagingError ERR_KEY_TYPE_UNSUPPORTED for an unknown auth key code or encryption key type
 * @throws MessagingError ERR_DID_DETAILS_INVALID when the details are longer than
 *   {@link MAX_DETAILS_LENGTH} characters, not `z`-base58, not version 0 or not valid CBOR
 * @throws MessagingError ERR_KEY_INVALID, ERR_SERVICE_INVALID as {@link createLightDid}
 * @example
 * const doc = lightDidToDocument('did:kilt:light:014nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS')
 * doc.authentication[0].type // 'ed25519'
 */
export function lightDidToDocument(uri: string, options: LightDidToDocumentOptions = {}): DidDocument {
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  return cloneDocument(sharedLightDocument(uri, options.allowFragment === true, options.legacy === true))
}

/**
 * {@link lightDidToDocument} without the defensive copy: the cached, frozen document itself (its key
 * arrays are shared, so callers inside the library must copy any key bytes they hand out).
 * `remember: false` decodes without caching (for callers that cache what they derive instead).
 * @internal
 */
export function sharedLightDocument(
  uri: string,
  allowFragment: boolean,
  legacy: boolean,
  remember = true,
): DidDocument {
  const parsed = parseDidShared(uri)
  if (parsed.type !== 'light')
    throw new MessagingError(
      'ERR_DID_INVALID',
      'Cannot build a light DID from a URI that does not refer to a light DID',
      {
        sdkError: 'DidError',
      },
    )
  if (parsed.fragment !== undefined && !allowFragment)
    throw new MessagingError('ERR_DID_FRAGMENT', 'Cannot build a light DID from a URI that has a fragment')
  const cacheKey = legacy ? LEGACY_KEY + parsed.did : parsed.did
  // `remember: false` callers (the message layer's key cache) have just missed their own cache for
  // a peer: a new DID, almost never in this one either, so decoding beats two failed lookups.
  if (remember) {
    const hit = documents.get(cacheKey) ?? (legacy ? documents.get(parsed.did) : undefined)
    if (hit !== undefined) return hit
  }
  const authType = authKeyTypeOf(parsed.authKeyTypeEncoding)
  if (authType === undefined)
    throw new MessagingError(
      'ERR_KEY_TYPE_UNSUPPORTED',
      `Authentication key encoding "${parsed.authKeyTypeEncoding}" does not match any supported key type`,
      { sdkError: 'DidError' },
    )
  const doc = decodeLightDid(parsed.did, authType, parsed.addressPublicKey, parsed.encodedDetails, legacy)
  if (remember) documents.set(cacheKey, doc)
  return doc
}

/**
 * The key agreement key of a light DID (without fragment) whose details hold that key and no
 * services — nearly every light DID — without building its document: the bytes
 * `sharedLightDocument(did, false, false).keyAgreement[0]` holds, checked the same way (a fresh
 * array). Undefined for any other DID, which the caller then decodes in full: every refusal of an
 * earlier step (grammar, address, type, fragment, key type code) is left to that path, so it raises
 * them in the same order; what this throws (details, key) is what that path throws at the same step.
 * @internal
 */
export function lightAgreementKeyOnly(did: string): Uint8Array | undefined {
  const parsed = parseDidShared(did)
  if (parsed.type !== 'light' || parsed.fragment !== undefined || parsed.encodedDetails === undefined)
    return undefined
  if (authKeyTypeOf(parsed.authKeyTypeEncoding) === undefined) return undefined
  const map = decodeLightDetails(parsed.encodedDetails)
  const e = map.e
  if (map.s !== undefined || typeof e !== 'object' || e === null || Array.isArray(e)) return undefined
  return checkEncryptionKey(e, false).publicKey.slice()
}
