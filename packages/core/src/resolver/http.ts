/**
 * @module resolver/http
 * A resolver over the W3C DID Resolution HTTP(S) binding: the DIF Universal Resolver or KILT's
 * driver `kilt-did-driver` (spec §7.6 "HTTP resolver"). Only `fetch`; runs in browsers and Node.
 */
import type { DidUri } from '../did/types.js'
import { MessagingError } from '../errors.js'
import { clockOption, DEFAULT_CACHE, makeCache } from './lib/cache.js'
import { ACCEPT, BodyTooLarge, interpretBody, parseJson, readBounded, statusResult } from './lib/http.js'
import { checkDid, resolveLight } from './lib/light.js'
import { booleanOption, callOptions, optionsObject } from './lib/options.js'
import { resolveKeyWith, type TargetLookup } from './lib/resolve-key.js'
import { deactivated, failure, ownCopy } from './lib/results.js'
import type { DidResolutionResult, DidResolver, ResolveOptions, ResolverCacheOptions } from './types.js'

/** Options of {@link createHttpResolver}. */
export interface HttpResolverOptions {
  /** The resolver's base URL (`http:` or `https:`), e.g. `https://dev.uniresolver.io`. */
  readonly baseUrl: string
  /** The `fetch` to use. Default: `globalThis.fetch`. */
  readonly fetch?: typeof fetch
  /** Deadline of one resolution, headers and body included, in ms. Default: 5000. */
  readonly timeoutMs?: number
  /** The largest response body accepted, in bytes. Default: 262144 (256 KiB). */
  readonly maxResponseBytes?: number
  /** Result cache, or `false` for none. Default: `{ ttlMs: 60000, maxEntries: 1000 }`. */
  readonly cache?: ResolverCacheOptions | false
  /** Extra request headers (they may override `Accept`). */
  readonly headers?: Record<string, string>
  /** Accept legacy light DIDs (SDK ≤0.28 encodings). Default: false. */
  readonly legacy?: boolean
  /** The clock of the cache, in ms. Default: `Date.now`. */
  readonly now?: () => number
}

const MAX_TIMEOUT = 2_147_483_647
const MAX_BODY = 64 * 1024 * 1024

function positiveInteger(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max)
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected an integer in [1, ${max}]`)
  return value as number
}

function baseUrlOption(value: unknown): string {
  if (typeof value !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"baseUrl" expected an http(s) URL string')
  let url: URL
  try {
    url = new URL(value)
  } catch (cause) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"baseUrl" is not a URL', { cause })
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '')
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      '"baseUrl" expected an http(s) URL without query or fragment',
    )
  return url.href.replace(/\/+$/, '')
}

function headersOption(value: unknown): Headers {
  const headers = new Headers({ accept: ACCEPT })
  if (value === undefined) return headers
  const record = optionsObject(value, 'headers')
  for (const [name, v] of Object.entries(record)) {
    if (typeof v !== 'string')
      throw new MessagingError('ERR_ARGUMENT_INVALID', `"headers.${name}" expected a string`)
    try {
      headers.set(name, v)
    } catch (cause) {
      throw new MessagingError('ERR_ARGUMENT_INVALID', `"headers.${name}" is not a valid header`, { cause })
    }
  }
  return headers
}

/** Rejects when `signal` aborts, so that a `fetch` or a stream that ignores the signal cannot hang us. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
}

/**
 * A light DID's answer: its keys and services are those the DID itself encodes (`offline`); the
 * endpoint only tells whether it was upgraded to a full DID or deleted. A document the endpoint sends
 * for it is never used: a lying or intercepted resolver could otherwise swap its keys.
 */
function lightAnswer(offline: DidResolutionResult, remote: DidResolutionResult): DidResolutionResult {
  if (remote.metadata.canonicalId !== undefined) return remote
  if (remote.error === 'deactivated' || remote.metadata.deactivated === true) return deactivated()
  // not known to the endpoint (never upgraded), or known: the DID's own document
  if (remote.error === 'notFound' || (remote.error === undefined && remote.document !== undefined))
    return offline
  // the endpoint failed: whether the DID was upgraded or deleted cannot be told
  return remote
}

/**
 * Creates a resolver that asks a DID Resolution HTTP endpoint:
 * `GET <baseUrl>/1.0/identifiers/<did>` with `Accept: application/ld+json;profile="https://w3id.org/did-resolution",
 * application/did+ld+json, application/did+json`. Both a resolution result (`didDocument`,
 * `didDocumentMetadata.deactivated/canonicalId`, `didResolutionMetadata.error`) and a bare document
 * (W3C export of SDK 0.3x or SDK 1.0 `Multikey`) are accepted. HTTP 400 → `invalidDid`, 404 →
 * `notFound`, 410 → `deactivated`; any other status, a timeout, an oversized body, bad JSON or a
 * document of another DID → `internalError` (`resolveKey`: ERR_RESOLVER_FAILED). Light DIDs are
 * checked offline before the request.
 *
 * @param options - see {@link HttpResolverOptions}
 * @returns a {@link DidResolver}
 * @throws MessagingError ERR_ARGUMENT_INVALID when an option is malformed or no `fetch` exists
 * @example
 * const resolver = createHttpResolver({ baseUrl: 'https://dev.uniresolver.io', timeoutMs: 3000 })
 * const { document, error } = await resolver.resolve('did:kilt:4rNTX3ihuxyWkB7wG3oLgUWSBLa2gva1NBKJsBFm7jJZUYfc')
 */
export function createHttpResolver(options: HttpResolverOptions): DidResolver {
  const o = optionsObject(options)
  const base = baseUrlOption(o.baseUrl)
  const fetchFn = (o.fetch ?? globalThis.fetch) as typeof fetch
  if (typeof fetchFn !== 'function')
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      '"fetch" expected a function (no global fetch available)',
    )
  const timeoutMs = positiveInteger(o.timeoutMs, 'timeoutMs', 5_000, MAX_TIMEOUT)
  const maxBytes = positiveInteger(o.maxResponseBytes, 'maxResponseBytes', 256 * 1024, MAX_BODY)
  const headers = headersOption(o.headers)
  const legacy = booleanOption(o.legacy, 'legacy', false)
  const cache = makeCache(
    o.cache as ResolverCacheOptions | false | undefined,
    DEFAULT_CACHE,
    clockOption(o.now),
  )

  async function fetchResult(did: DidUri, signal: AbortSignal | undefined): Promise<DidResolutionResult> {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs)
    const forward = () => controller.abort(signal?.reason)
    if (signal?.aborted === true) forward()
    else signal?.addEventListener('abort', forward, { once: true })
    const url = `${base}/1.0/identifiers/${encodeURIComponent(did).replaceAll('%3A', ':')}`
    try {
      const work = (async () => {
        const response = await fetchFn(url, { method: 'GET', headers, signal: controller.signal })
        if (response.status !== 200) {
          await response.body?.cancel().catch(() => undefined)
          return statusResult(response.status)
        }
        const json = parseJson(await readBounded(response, maxBytes))
        if (json === undefined) return failure('internalError', 'The resolver returned no valid JSON')
        return interpretBody(did, json)
      })()
      return await Promise.race([work, abortion(controller.signal)])
    } catch (e) {
      if (e instanceof BodyTooLarge)
        return failure('internalError', `The resolver response exceeds ${maxBytes} bytes`)
      if (controller.signal.aborted)
        return failure(
          'internalError',
          signal?.aborted === true ? 'Resolution aborted' : 'The resolver timed out',
        )
      return failure('internalError', 'The resolver could not be reached')
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', forward)
      if (!controller.signal.aborted) controller.abort()
    }
  }

  async function resolveChecked(did: DidUri, light: boolean, call: ResolveOptions | undefined) {
    let offline: DidResolutionResult | undefined
    if (light) {
      offline = resolveLight(did, legacy)
      if (offline.error !== undefined) return offline
    }
    let result = cache?.get(did)
    if (result === undefined) {
      result = await fetchResult(did, call?.signal)
      cache?.set(did, result)
    }
    return offline === undefined ? result : lightAnswer(offline, result)
  }

  const lookup: TargetLookup = (target, call) =>
    resolveChecked(target.did, target.lightDocument !== undefined, call)

  return Object.freeze({
    async resolve(did: unknown, resolveOptions?: unknown) {
      const checked = checkDid(did)
      if (!checked.ok) return checked.result
      return ownCopy(await resolveChecked(checked.did, checked.light, callOptions(resolveOptions)))
    },
    resolveKey: (keyUri: unknown, relationship?: unknown, resolveOptions?: unknown) =>
      resolveKeyWith(lookup, legacy, keyUri, relationship, resolveOptions),
  })
}
