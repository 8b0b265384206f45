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

/** Bounds of a resolver's TTL cache (count-bounded two-generation LRU + TTL). */
export interface ResolverCacheOptions {
  /** How long a positive answer (a document, an upgrade) is reused, in milliseconds. */
  readonly ttlMs: number
  /**
   * How many DIDs are remembered at most. The least recently used go first, a generation at a
   * time: the ⌈maxEntries/2⌉ most recently used (looked up or stored) are always kept.
   */
  readonly maxEntries: number
  /** How long `notFound` and `deactivated` answers are reused. Default: `min(ttlMs, 30000)`. */
  readonly negativeTtlMs?: number
}

/**
 * An in-memory registry of full-DID documents, resolving like the chain would
 * (SDK `Did.resolve` semantics for full DIDs, light DIDs, upgrades and deletions).
 */
export interface RegistryResolver extends DidResolver {
  /** Adds or replaces the document of a full DID (and clears a deactivation of its address). */
  add(document: DidDocument): void
  /** Forgets a DID (document and deactivation). Returns whether anything was removed. */
  remove(did: string): boolean
  /** Marks a DID as deleted: it and the light DIDs of its address resolve as deactivated. */
  deactivate(did: string): void
  /** The number of registered addresses (documents and deactivations). */
  readonly size: number
}

/** A key of a document as the official SDK returns it (`DidKey`, possibly with `includedAt`). */
export interface SdkKeyLike {
  readonly id: string
  readonly type: string
  readonly publicKey: Uint8Array
}

/** A DID document as the official SDK 0.3x returns it. */
export interface SdkDocumentLike {
  readonly uri: string
  readonly authentication: readonly SdkKeyLike[]
  readonly assertionMethod?: readonly SdkKeyLike[] | undefined
  readonly capabilityDelegation?: readonly SdkKeyLike[] | undefined
  readonly keyAgreement?: readonly SdkKeyLike[] | undefined
  readonly service?:
    | readonly {
        readonly id: string
        readonly type: readonly string[]
        readonly serviceEndpoint: readonly string[]
      }[]
    | undefined
}

/** What the official SDK's `Did.resolve` returns (`DidResolutionResult` of 0.3x). */
export interface SdkResolutionLike {
  readonly document?: SdkDocumentLike | undefined
  readonly metadata: { readonly canonicalId?: string | undefined; readonly deactivated: boolean }
  readonly web3Name?: string | undefined
}
