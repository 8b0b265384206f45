/**
 * @module resolver/compose
 * Composition of resolvers: light DIDs offline first, then the cache, then the configured
 * resolvers in order (spec §7.6; improves on §13 item 7: light DIDs need no chain unless upgrade
 * checks are wanted).
 */

import { checkDidDocument } from '../did/lib/document.js'
import type { DidUri } from '../did/types.js'
import { MessagingError } from '../errors.js'
import { isRecord } from '../lib/guards.js'
import { clockOption, DEFAULT_CACHE, makeCache } from './lib/cache.js'
import { checkDid, resolveLight } from './lib/light.js'
import { booleanOption, callOptions, optionsObject } from './lib/options.js'
import { fullDidOf, resolveKeyWith, type TargetLookup } from './lib/resolve-key.js'
import { deactivated, failure, found, isResolutionError, ownCopy, reason, upgraded } from './lib/results.js'
import type { DidResolutionResult, DidResolver, ResolveOptions, ResolverCacheOptions } from './types.js'

/** Options of {@link composeResolvers}. */
export interface ComposeResolversOptions {
  /** Resolvers of full DIDs, asked in order; `notFound` (or a failure) falls through to the next. Default: none. */
  readonly resolvers?: readonly DidResolver[]
  /** Cache of the resolvers' answers, or `false`. Default: `{ ttlMs: 60000, maxEntries: 1000 }` when resolvers are configured. */
  readonly cache?: ResolverCacheOptions | false
  /**
   * Ask the resolvers whether a light DID's address has a full DID (→ upgraded, SDK
   * `DidResolveUpgradedDidError`) or was deleted. Default: true when any resolver is configured.
   */
  readonly checkUpgrades?: boolean
  /** Accept legacy light DIDs (SDK ≤0.28 encodings). Default: false. */
  readonly legacy?: boolean
  /** The clock of the cache, in ms. Default: `Date.now`. */
  readonly now?: () => number
}

const NOT_FOUND = failure('notFound', 'No resolver knows the DID')

/**
 * Checks a result from a resolver we may not own (never throws): known error names, boolean
 * `deactivated`, a string `canonicalId`, and a well-formed document of exactly this DID (copied).
 */
function sane(did: DidUri, value: unknown): DidResolutionResult {
  if (!isRecord(value) || !isRecord(value.metadata))
    return failure('internalError', 'A resolver returned a malformed result')
  const { error, errorMessage, metadata, document } = value
  if (error !== undefined) {
    if (!isResolutionError(error)) return failure('internalError', 'A resolver returned an unknown error')
    if (error === 'deactivated') return deactivated()
    return failure(error, typeof errorMessage === 'string' ? errorMessage.slice(0, 200) : '')
  }
  if (metadata.deactivated !== undefined && typeof metadata.deactivated !== 'boolean')
    return failure('internalError', 'A resolver returned a malformed "deactivated"')
  if (metadata.deactivated === true) return deactivated()
  if (metadata.canonicalId !== undefined && metadata.canonicalId !== did)
    return failure('internalError', 'A resolver returned an unexpected "canonicalId" for a full DID')
  if (document === undefined) return deactivated()
  try {
    return found(checkDidDocument(document, did))
  } catch (e) {
    return failure('internalError', `A resolver returned an invalid document: ${reason(e)}`)
  }
}

/** A light DID's answer, given what the resolvers say about the full DID of its address. */
function combine(
  light: DidResolutionResult,
  full: DidResolutionResult,
  fullDid: DidUri,
): DidResolutionResult {
  if (full.error === 'notFound') return light
  if (full.error === 'deactivated' || full.metadata.deactivated === true) return deactivated()
  if (full.error === undefined && full.document !== undefined) return upgraded(fullDid)
  return failure(
    'internalError',
    `Could not check whether the light DID was upgraded: ${full.error ?? 'no document'}${full.errorMessage === undefined ? '' : ` (${full.errorMessage})`}`,
  )
}

/**
 * Composes resolvers. Light DIDs are decoded offline first; with `checkUpgrades` the full DID of
 * their address is then looked up (a document → `{ metadata: { canonicalId } }` without document,
 * SDK semantics; deleted → deactivated; a resolver failure → `internalError`, fail closed). Full
 * DIDs go to the cache, then to each resolver in order: the first definitive answer (a document or
 * a deactivation) wins; `notFound` and failures fall through; when nobody answers, the last failure
 * (or `notFound`) is returned. A resolver that throws counts as `internalError`.
 *
 * `resolveKey(keyUri, relationship?)` follows the SDK ladder (§7.6): ERR_DID_INVALID (and the DID
 * layer's precise codes), ERR_DID_FRAGMENT, ERR_DID_UPGRADED, ERR_DID_DEACTIVATED,
 * ERR_DID_NOT_FOUND, ERR_RESOLVER_FAILED, ERR_KEY_NOT_FOUND, ERR_KEY_RELATIONSHIP. It returns
 * `{ id: keyUri, controller: <the DID part of keyUri as given>, publicKey, type }` (`publicKey`: 32 bytes, 33 for ecdsa).
 * For a light DID without upgrade checks it needs no network and resolves in one microtask.
 *
 * @param options - see {@link ComposeResolversOptions}
 * @returns a {@link DidResolver}
 * @throws MessagingError ERR_ARGUMENT_INVALID when an option is malformed
 * @example
 * const resolver = composeResolvers({ resolvers: [createHttpResolver({ baseUrl: 'https://uniresolver.example' })] })
 * const key = await resolver.resolveKey(envelope.senderKeyUri, 'keyAgreement')
 */
export function composeResolvers(options?: ComposeResolversOptions): DidResolver {
  const o = optionsObject(options)
  const list = o.resolvers ?? []
  if (!Array.isArray(list)) throw new MessagingError('ERR_ARGUMENT_INVALID', '"resolvers" expected an array')
  list.forEach((r: unknown, i) => {
    if (!isRecord(r) || typeof r.resolve !== 'function')
      throw new MessagingError('ERR_ARGUMENT_INVALID', `"resolvers[${i}]" expected a DidResolver`)
  })
  const resolvers = Object.freeze([...(list as DidResolver[])])
  const legacy = booleanOption(o.legacy, 'legacy', false)
  const checkUpgrades = booleanOption(o.checkUpgrades, 'checkUpgrades', resolvers.length > 0)
  const cache =
    resolvers.length === 0
      ? undefined
      : makeCache(o.cache as ResolverCacheOptions | false | undefined, DEFAULT_CACHE, clockOption(o.now))

  const inflight = new Map<string, Promise<DidResolutionResult>>()

  async function ask(did: DidUri, call: ResolveOptions | undefined): Promise<DidResolutionResult> {
    let last = NOT_FOUND
    for (const resolver of resolvers) {
      let result: DidResolutionResult
      try {
        result = sane(did, await resolver.resolve(did, call))
      } catch (e) {
        result = failure('internalError', `A resolver threw: ${reason(e)}`)
      }
      if (result.error === undefined || result.error === 'deactivated') {
        cache?.set(did, result)
        return result
      }
      if (result.error !== 'notFound') last = result
    }
    cache?.set(did, last)
    return last
  }

  /** A full DID's answer: synchronous on a cache hit or without resolvers. */
  function resolveFull(
    did: DidUri,
    call: ResolveOptions | undefined,
  ): DidResolutionResult | Promise<DidResolutionResult> {
    if (resolvers.length === 0) return NOT_FOUND
    const hit = cache?.get(did)
    if (hit !== undefined) return hit
    // Concurrent look-ups of one DID share a request (not those with their own abort signal).
    if (call?.signal !== undefined) return ask(did, call)
    const pending = inflight.get(did)
    if (pending !== undefined) return pending
    const started = ask(did, call).finally(() => inflight.delete(did))
    inflight.set(did, started)
    return started
  }

  function resolveLightChecked(
    did: DidUri,
    light: DidResolutionResult,
    call: ResolveOptions | undefined,
  ): DidResolutionResult | Promise<DidResolutionResult> {
    if (!checkUpgrades || light.error !== undefined) return light
    const fullDid = fullDidOf(did)
    const full = resolveFull(fullDid, call)
    return full instanceof Promise
      ? full.then((r) => combine(light, r, fullDid))
      : combine(light, full, fullDid)
  }

  const lookup: TargetLookup = (target, call) =>
    target.lightDocument === undefined
      ? resolveFull(target.did, call)
      : resolveLightChecked(target.did, found(target.lightDocument), call)

  return Object.freeze({
    async resolve(did: unknown, resolveOptions?: unknown) {
      const call = callOptions(resolveOptions)
      const checked = checkDid(did)
      if (!checked.ok) return checked.result
      return ownCopy(
        await (checked.light
          ? resolveLightChecked(checked.did, resolveLight(checked.did, legacy), call)
          : resolveFull(checked.did, call)),
      )
    },
    resolveKey: (keyUri: unknown, relationship?: unknown, resolveOptions?: unknown) =>
      resolveKeyWith(lookup, legacy, keyUri, relationship, resolveOptions),
  })
}

let shared: DidResolver | undefined

/**
 * The offline default resolver, `composeResolvers({})`: light DIDs only, no network (a full DID
 * → `notFound`). Unlike the SDK's default (§13 item 7) it works without a chain connection, and
 * so cannot detect upgraded or deleted light DIDs.
 *
 * @returns a shared, stateless {@link DidResolver}
 * @example
 * const key = await defaultResolver().resolveKey(senderKeyUri, 'keyAgreement')
 */
export function defaultResolver(): DidResolver {
  shared ??= composeResolvers({})
  return shared
}
