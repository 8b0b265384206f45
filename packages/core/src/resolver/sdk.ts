/**
 * @module resolver/sdk
 * An adapter around the official SDK's `Did.resolve` (`@kiltprotocol/sdk-js` 0.3x): the caller
 * passes `Kilt.Did.resolve` (connected to a chain); this library never imports the SDK.
 */
import { isSameSubject } from '../did/index.js'
import { checkDidDocument } from '../did/lib/document.js'
import type { DidUri } from '../did/types.js'
import { MessagingError } from '../errors.js'
import { isRecord } from '../lib/guards.js'
import { canonicalResult, checkDid } from './lib/light.js'
import { booleanOption, callOptions, optionsObject } from './lib/options.js'
import { resolveKeyWith, type TargetLookup } from './lib/resolve-key.js'
import { deactivated, failure, found, reason } from './lib/results.js'
import type { DidResolutionResult, DidResolver, SdkResolutionLike } from './types.js'

/** Options of {@link createSdkResolver}. */
export interface SdkResolverOptions {
  /** Accept legacy light DIDs (SDK ≤0.28 encodings) in key URIs. Default: false. */
  readonly legacy?: boolean
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

/** Maps and checks what the SDK returned (never throws). */
function fromSdk(did: DidUri, light: boolean, value: unknown): DidResolutionResult {
  if (value === null || value === undefined) return failure('notFound', 'The DID was not found')
  if (!isRecord(value) || !isRecord(value.metadata))
    return failure('internalError', 'The SDK resolver returned a malformed result')
  const { metadata, document } = value
  if (metadata.deactivated !== undefined && typeof metadata.deactivated !== 'boolean')
    return failure('internalError', 'The SDK resolver returned a malformed "deactivated"')
  if (metadata.deactivated === true) return deactivated()
  const { canonicalId } = metadata
  if (canonicalId !== undefined && canonicalId !== did) return canonicalResult(did, canonicalId)
  // SDK semantics: no document and no canonicalId means deleted (`DidDeactivatedError`).
  if (document === undefined) return deactivated()
  try {
    // The SDK rebuilds a light DID's document, so its `uri` is a re-encoding that may differ from
    // the URI given (e.g. untagged CBOR bytes); it must still name the same subject.
    if (light && isRecord(document) && typeof document.uri === 'string' && document.uri !== did) {
      if (!isSameSubject(document.uri, did)) throw new Error('The document is of another subject')
      return found(checkDidDocument(document))
    }
    return found(checkDidDocument(document, did))
  } catch (e) {
    return failure('internalError', `The SDK resolver returned an invalid document: ${reason(e)}`)
  }
}

/**
 * Wraps the official SDK's `Did.resolve` (0.3x) as a {@link DidResolver}. `null` → `notFound`;
 * SDK documents (keys `{ id, type, publicKey: Uint8Array }`) are checked (key types and lengths,
 * `uri`) and copied; `includedAt` and `web3Name` are dropped; an exception → `internalError`.
 *
 * @param resolve - e.g. `Kilt.Did.resolve` after `Kilt.connect(…)`
 * @param options - `legacy` (default false)
 * @returns a {@link DidResolver}
 * @throws MessagingError ERR_ARGUMENT_INVALID when `resolve` is not a function
 * @example
 * import * as Kilt from '@kiltprotocol/sdk-js'
 * await Kilt.connect('wss://spiritnet.kilt.io')
 * const resolver = composeResolvers({ resolvers: [createSdkResolver(Kilt.Did.resolve)] })
 */
export function createSdkResolver(
  resolve: (did: string) => Promise<SdkResolutionLike | null>,
  options?: SdkResolverOptions,
): DidResolver {
  if (typeof resolve !== 'function')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"resolve" expected a function (Kilt.Did.resolve)')
  const legacy = booleanOption(optionsObject(options).legacy, 'legacy', false)

  async function query(
    did: DidUri,
    light: boolean,
    signal: AbortSignal | undefined,
  ): Promise<DidResolutionResult> {
    if (signal?.aborted === true) return failure('internalError', 'Resolution aborted')
    // The abort listener is removed when the query settles: a long-lived signal shared by many
    // calls must not collect one listener per call.
    let onAbort: (() => void) | undefined
    let value: unknown
    try {
      const pending = resolve(did)
      value = await (signal === undefined
        ? pending
        : Promise.race([
            pending,
            new Promise((_, reject) => {
              onAbort = () => reject(signal.reason)
              // `resolve` itself may have aborted it: an abort already past fires no event.
              if (signal.aborted) onAbort()
              else signal.addEventListener('abort', onAbort, { once: true })
            }),
          ]))
    } catch (e) {
      return failure(
        'internalError',
        aborted(signal) ? 'Resolution aborted' : `The SDK resolver threw: ${reason(e)}`,
      )
    } finally {
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort)
    }
    return fromSdk(did, light, value)
  }

  const lookup: TargetLookup = (target, call) =>
    query(target.did, target.lightDocument !== undefined, call?.signal)

  return Object.freeze({
    async resolve(did: unknown, resolveOptions?: unknown) {
      const call = callOptions(resolveOptions)
      const checked = checkDid(did)
      if (!checked.ok) return checked.result
      return query(checked.did, checked.light, call?.signal)
    },
    resolveKey: (keyUri: unknown, relationship?: unknown, resolveOptions?: unknown) =>
      resolveKeyWith(lookup, legacy, keyUri, relationship, resolveOptions),
  })
}
