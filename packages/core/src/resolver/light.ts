/**
 * @module resolver/light
 * The offline resolver of light DIDs.
 */
import { checkDid, resolveLight } from './lib/light.js'
import { booleanOption, optionsObject } from './lib/options.js'
import { resolveKeyWith, type TargetLookup } from './lib/resolve-key.js'
import { failure, found } from './lib/results.js'
import type { DidResolver } from './types.js'

/** Options of {@link createLightResolver}. */
export interface LightResolverOptions {
  /** Accept legacy light DIDs (SDK ≤0.28 `"X25519"`, `types`/`urls` services). Default: false. */
  readonly legacy?: boolean
}

const NOT_FOUND_FULL = failure('notFound', 'A full DID cannot be resolved offline')

/**
 * A resolver that decodes light DIDs offline (no network, no chain). It cannot know whether a light
 * DID was upgraded or deleted, and answers `notFound` for every full DID.
 *
 * @param options - `legacy` (default false)
 * @returns a {@link DidResolver}; `resolveKey` throws ERR_ARGUMENT_INVALID, ERR_DID_INVALID,
 *   ERR_DID_ADDRESS_INVALID, ERR_DID_DETAILS_INVALID, ERR_DID_FRAGMENT, ERR_DID_NOT_FOUND,
 *   ERR_KEY_NOT_FOUND, ERR_KEY_RELATIONSHIP
 * @throws MessagingError ERR_ARGUMENT_INVALID when `options` is malformed
 * @example
 * const resolver = createLightResolver()
 * const key = await resolver.resolveKey(`${lightDid}#encryption`, 'keyAgreement')
 * key.publicKey // 32-byte x25519 public key
 */
export function createLightResolver(options?: LightResolverOptions): DidResolver {
  const legacy = booleanOption(optionsObject(options).legacy, 'legacy', false)
  const lookup: TargetLookup = (target) =>
    target.lightDocument === undefined ? NOT_FOUND_FULL : found(target.lightDocument)
  return Object.freeze({
    async resolve(did: unknown) {
      const checked = checkDid(did)
      if (!checked.ok) return checked.result
      return checked.light ? resolveLight(checked.did, legacy) : NOT_FOUND_FULL
    },
    resolveKey: (keyUri: unknown, relationship?: unknown, callOptions?: unknown) =>
      resolveKeyWith(lookup, legacy, keyUri, relationship, callOptions),
  })
}
