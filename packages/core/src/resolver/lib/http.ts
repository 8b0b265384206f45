/**
 * @module resolver/lib/http
 * W3C DID Resolution HTTP(S) binding (Universal Resolver, KILT driver; spec §7.6 "HTTP resolver"):
 * bounded body reading and interpretation of the response as a resolution result.
 */
import { documentFromW3C } from '../../did/index.js'
import { checkDidDocument } from '../../did/lib/document.js'
import type { DidUri } from '../../did/types.js'
import { concatChunks, utf8Decode } from '../../lib/bytes.js'
import { isRecord } from '../../lib/guards.js'
import type { DidResolutionResult, ResolutionError } from '../types.js'
import { canonicalResult } from './light.js'
import { deactivated, failure, found, isResolutionError, reason } from './results.js'

/** The `Accept` header: the resolution-result profile first, then bare documents. */
export const ACCEPT =
  'application/ld+json;profile="https://w3id.org/did-resolution", application/did+ld+json, application/did+json'

/** Thrown inside the reader when the body exceeds the limit. */
export class BodyTooLarge extends Error {}

/**
 * Reads a response body up to `maxBytes`, streaming, and cancels the stream beyond it.
 * @throws BodyTooLarge, or whatever the stream throws (abort)
 */
export async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  const length = response.headers.get('content-length')
  if (length !== null && /^\d+$/.test(length) && Number(length) > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw new BodyTooLarge()
  }
  const body = response.body
  if (body === null) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!(value instanceof Uint8Array)) throw new TypeError('The response body is not a byte stream')
      total += value.length
      if (total > maxBytes) throw new BodyTooLarge()
      chunks.push(value)
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined)
    throw e
  } finally {
    reader.releaseLock()
  }
  return concatChunks(chunks)
}

/** The result for a non-200 status (the body is not read). */
export function statusResult(status: number): DidResolutionResult {
  switch (status) {
    case 400:
      return failure('invalidDid', 'The resolver rejected the DID (HTTP 400)')
    case 404:
      return failure('notFound', 'The DID was not found (HTTP 404)')
    case 410:
      return deactivated()
    default:
      return failure('internalError', `The resolver answered HTTP ${status}`)
  }
}

/** Parses a body as UTF-8 JSON (fatal decoding); `undefined` when it is not. */
export function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8Decode(bytes))
  } catch {
    return undefined
  }
}

function documentResult(did: DidUri, w3c: unknown): DidResolutionResult {
  if (!isRecord(w3c)) return failure('internalError', 'The resolver returned no DID document')
  if (w3c.id !== did) return failure('internalError', 'The resolver returned the document of another DID')
  try {
    return found(checkDidDocument(documentFromW3C(w3c), did))
  } catch (e) {
    return failure('internalError', `The resolver returned an invalid DID document: ${reason(e)}`)
  }
}

/**
 * Interprets a 200 response body: a resolution result (`didDocument`, `didDocumentMetadata`,
 * `didResolutionMetadata`) or a bare DID document. Never throws.
 */
export function interpretBody(did: DidUri, json: unknown): DidResolutionResult {
  if (!isRecord(json)) return failure('internalError', 'The resolver returned no JSON object')
  const isWrapper = 'didDocument' in json || 'didResolutionMetadata' in json || 'didDocumentMetadata' in json
  if (!isWrapper) return documentResult(did, json)

  const resolution = json.didResolutionMetadata ?? {}
  const metadata = json.didDocumentMetadata ?? {}
  if (!isRecord(resolution) || !isRecord(metadata))
    return failure('internalError', 'The resolver returned malformed metadata')
  const { error } = resolution
  if (error !== undefined && error !== null) {
    if (typeof error !== 'string') return failure('internalError', 'The resolver returned a malformed error')
    if (error === 'deactivated') return deactivated()
    const code: ResolutionError = isResolutionError(error) ? error : 'internalError'
    return failure(code, `The resolver answered "${error.slice(0, 50)}"`)
  }
  if (metadata.deactivated !== undefined && typeof metadata.deactivated !== 'boolean')
    return failure('internalError', 'The resolver returned a malformed "deactivated"')
  if (metadata.deactivated === true) return deactivated()
  const { canonicalId } = metadata
  if (canonicalId !== undefined && canonicalId !== null && canonicalId !== did)
    return canonicalResult(did, canonicalId)
  return documentResult(did, json.didDocument)
}
