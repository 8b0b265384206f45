/**
 * @module resolver/registry
 * An in-memory registry of full-DID documents that resolves like the chain (SDK `Did.resolve`):
 * deleted DIDs resolve as deactivated, and a light DID whose address has a full DID resolves as
 * upgraded (`metadata.canonicalId`, no document).
 */
import { documentFromW3C, parseDid } from '../did/index.js'
import { checkDidDocument } from '../did/lib/document.js'
import type { DidDocument, DidUri } from '../did/types.js'
import { MessagingError } from '../errors.js'
import { checkDid, resolveLight } from './lib/light.js'
import { booleanOption, optionsObject } from './lib/options.js'
import { addressOf, fullDidOf, type KeyTarget, resolveKeyWith } from './lib/resolve-key.js'
import { deactivated, failure, found, ownCopy, upgraded } from './lib/results.js'
import type { DidResolutionResult, RegistryResolver } from './types.js'

/** Options of {@link createRegistryResolver}. */
export interface RegistryResolverOptions {
  /** Accept legacy light DIDs (SDK ≤0.28 encodings). Default: false. */
  readonly legacy?: boolean
}

/** The most documents plus deactivations a registry file may hold. */
export const MAX_REGISTRY_ENTRIES = 100_000

interface Entry {
  readonly document?: DidDocument
  readonly deactivated: boolean
}

const NOT_FOUND = failure('notFound', 'The DID is not in the registry')

function checkedDid(did: unknown, name: string): { did: DidUri; address: string } {
  if (typeof did !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected a string, got ${typeof did}`)
  const parsed = parseDid(did)
  if (parsed.fragment !== undefined)
    throw new MessagingError('ERR_DID_FRAGMENT', `"${name}" expected a DID without fragment`)
  return { did: parsed.did, address: parsed.address }
}

/**
 * Creates an in-memory registry of full-DID documents (for tests, private deployments, or a
 * snapshot of the chain). Full DIDs resolve to their registered document, `notFound` otherwise;
 * light DIDs decode offline unless their address is registered (→ upgraded) or deactivated.
 *
 * @param documents - SDK-shaped documents of full DIDs (keys 32 bytes, ecdsa 33)
 * @param options - `legacy` (default false)
 * @returns a {@link RegistryResolver} with `add`, `remove`, `deactivate`
 * @throws MessagingError ERR_ARGUMENT_INVALID, ERR_DID_DOCUMENT_INVALID, ERR_KEY_INVALID
 * @example
 * const registry = createRegistryResolver([fullDocument])
 * registry.deactivate(fullDocument.uri)
 * (await registry.resolve(fullDocument.uri)).metadata.deactivated // true
 */
export function createRegistryResolver(
  documents: Iterable<DidDocument> = [],
  options?: RegistryResolverOptions,
): RegistryResolver {
  const legacy = booleanOption(optionsObject(options).legacy, 'legacy', false)
  if (typeof documents !== 'object' || documents === null || !(Symbol.iterator in documents))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"documents" expected an iterable of DID documents')
  return makeRegistry(documents, legacy, false)
}

/**
 * The registry behind both constructors. `checked`: the documents already went through
 * `checkDidDocument(…, true)` (registryFromJson), so they are stored without a second check and copy.
 */
function makeRegistry(documents: Iterable<DidDocument>, legacy: boolean, checked: boolean): RegistryResolver {
  const entries = new Map<string, Entry>()

  function store(doc: DidDocument): void {
    entries.set(addressOf(doc.uri), { document: doc, deactivated: false })
  }
  function add(document: DidDocument): void {
    store(checkDidDocument(document, undefined, true))
  }
  const put = checked ? store : add
  for (const document of documents) put(document)

  function answer(did: DidUri, light: DidResolutionResult | undefined): DidResolutionResult {
    const entry = entries.get(addressOf(did))
    if (entry?.deactivated === true) return deactivated()
    if (light === undefined) return entry?.document === undefined ? NOT_FOUND : found(entry.document)
    if (light.error !== undefined) return light
    return entry?.document === undefined ? light : upgraded(fullDidOf(did))
  }

  const lookup = (target: KeyTarget): DidResolutionResult =>
    answer(target.did, target.lightDocument === undefined ? undefined : found(target.lightDocument))

  return Object.freeze({
    async resolve(did: unknown) {
      const checked = checkDid(did)
      if (!checked.ok) return checked.result
      return ownCopy(answer(checked.did, checked.light ? resolveLight(checked.did, legacy) : undefined))
    },
    resolveKey: (keyUri: unknown, relationship?: unknown, callOptions?: unknown) =>
      resolveKeyWith(lookup, legacy, keyUri, relationship, callOptions),
    add,
    remove(did: string): boolean {
      return entries.delete(checkedDid(did, 'did').address)
    },
    deactivate(did: string): void {
      entries.set(checkedDid(did, 'did').address, { deactivated: true })
    },
    get size() {
      return entries.size
    },
  })
}

function fileError(message: string, cause?: unknown): MessagingError {
  return new MessagingError(
    'ERR_DID_DOCUMENT_INVALID',
    `Invalid registry file: ${message}`,
    cause === undefined ? {} : { cause },
  )
}

/**
 * Builds a registry from the parsed content of a JSON file: either an array of W3C DID documents
 * (SDK 0.3x `publicKeyBase58` or SDK 1.0 `Multikey`), or `{ "documents": [...], "deactivated":
 * ["did:kilt:…", …] }`. Core has no file system: the caller reads and `JSON.parse`s the file.
 * Validation is strict: unknown top-level keys, light DIDs, duplicate addresses and malformed
 * documents are rejected.
 *
 * @param json - the parsed file content
 * @param options - `legacy` (default false)
 * @returns a {@link RegistryResolver}
 * @throws MessagingError ERR_DID_DOCUMENT_INVALID (with the precise error as `cause`)
 * @example
 * const registry = registryFromJson(JSON.parse(await readFile('dids.json', 'utf8')))
 */
export function registryFromJson(json: unknown, options?: RegistryResolverOptions): RegistryResolver {
  let documents: unknown = json
  let deactivatedDids: unknown = []
  if (!Array.isArray(json)) {
    if (typeof json !== 'object' || json === null) throw fileError('expected an array or an object')
    for (const key of Object.keys(json))
      if (key !== 'documents' && key !== 'deactivated') throw fileError(`unknown key "${key.slice(0, 50)}"`)
    const o = json as { documents?: unknown; deactivated?: unknown }
    documents = o.documents ?? []
    deactivatedDids = o.deactivated ?? []
  }
  if (!Array.isArray(documents)) throw fileError('"documents" expected an array')
  if (!Array.isArray(deactivatedDids)) throw fileError('"deactivated" expected an array of DIDs')
  if (documents.length + deactivatedDids.length > MAX_REGISTRY_ENTRIES)
    throw fileError(`more than ${MAX_REGISTRY_ENTRIES} entries`)

  const seen = new Set<string>()
  const docs: DidDocument[] = []
  documents.forEach((w3c: unknown, i) => {
    let doc: DidDocument
    try {
      doc = checkDidDocument(documentFromW3C(w3c), undefined, true)
    } catch (cause) {
      throw fileError(`documents[${i}]: ${cause instanceof Error ? cause.message : 'invalid'}`, cause)
    }
    const address = addressOf(doc.uri)
    if (seen.has(address)) throw fileError(`documents[${i}]: duplicate DID`)
    seen.add(address)
    docs.push(doc)
  })
  const registry = makeRegistry(docs, booleanOption(optionsObject(options).legacy, 'legacy', false), true)
  deactivatedDids.forEach((did: unknown, i) => {
    let parsed: ReturnType<typeof checkedDid>
    try {
      parsed = checkedDid(did, `deactivated[${i}]`)
    } catch (cause) {
      throw fileError(`deactivated[${i}]: not a DID`, cause)
    }
    if (parsed.did !== fullDidOf(parsed.did)) throw fileError(`deactivated[${i}]: expected a full DID`)
    if (seen.has(parsed.address)) throw fileError(`deactivated[${i}]: duplicate DID`)
    seen.add(parsed.address)
    registry.deactivate(parsed.did)
  })
  return registry
}
