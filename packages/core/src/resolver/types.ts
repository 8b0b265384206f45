/**
 * @module resolver/types
 * The small resolver interface injected wherever DIDs are resolved (did-resolver style:
 * resolution failures are data; `resolveKey` turns them into one coded error).
 */
import type {
  DidDocument,
  DidKeyType,
  DidResourceUri,
  DidUri,
  VerificationRelationship,
} from '../did/types.js'

/** Resolution errors, named as in W3C DID Resolution. */
export type ResolutionError =
  | 'invalidDid'
  | 'notFound'
  | 'deactivated'
  | 'internalError'
  | 'methodNotSupported'

/** What a resolver answers; failures are data, never exceptions. */
export interface DidResolutionResult {
  /** The document, when the DID resolved and is usable. */
  readonly document?: DidDocument
  readonly metadata: {
    /** The DID was deleted. */
    readonly deactivated?: boolean
    /** A light DID that was upgraded: its full DID. Its light keys are no longer valid. */
    readonly canonicalId?: DidUri
  }
  /** Set when resolution failed. */
  readonly error?: ResolutionError
  /** A human-readable reason accompanying `error`. */
  readonly errorMessage?: string
}

/** A key resolved from a key URI (SDK `ResolvedDidKey`). */
export interface ResolvedKey {
  /** The full key URI. */
  readonly id: DidResourceUri
  /** The DID part of the key URI as given (SDK semantics: not `document.uri`). */
  readonly controller: DidUri
  readonly publicKey: Uint8Array
  readonly type: DidKeyType
}

/** Options for a single resolution. */
export interface ResolveOptions {
  /** Aborts a network resolution. */
  readonly signal?: AbortSignal
}

/**
 * A DID resolver.
 * - `resolve` never throws for a bad or unknown DID: the failure is in the result.
 * - `resolveKey` throws MessagingError: ERR_DID_INVALID, ERR_DID_FRAGMENT, ERR_DID_NOT_FOUND,
 *   ERR_DID_DEACTIVATED, ERR_DID_UPGRADED, ERR_KEY_NOT_FOUND, ERR_KEY_RELATIONSHIP, ERR_RESOLVER_FAILED.
 */
export interface DidResolver {
  resolve(did: string, options?: ResolveOptions): Promise<DidResolutionResult>
  resolveKey(
    keyUri: string,
    relationship?: VerificationRelationship,
    options?: ResolveOptions,
  ): Promise<ResolvedKey>
}
