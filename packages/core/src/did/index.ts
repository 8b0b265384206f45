/**
 * @module did
 * KILT DIDs (spec §7): URIs, addresses, light DIDs, full-DID key ids and W3C documents.
 */
export { addressOfKey, decodeAddress, encodeAddress } from './address.js'
export { fullDidKeyId } from './key-id.js'
export {
  type CreateLightDidInput,
  createLightDid,
  type LightDidToDocumentOptions,
  lightDidToDocument,
  MAX_DETAILS_LENGTH,
} from './light-did.js'
export { didOf, didSubject, isSameSubject, parseDid, toFullDid, validateDidUri } from './parse.js'
export {
  documentFromW3C,
  type ExportToW3COptions,
  exportToW3C,
  KILT_DID_CONTEXT_URL_V0,
  KILT_DID_CONTEXT_URL_V1,
  W3C_DID_CONTEXT_URL,
  type W3CDidDocument,
  type W3CService,
  type W3CVerificationMethod,
} from './w3c.js'
