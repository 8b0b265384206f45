/**
 * @module did/lib/service
 * Service endpoint rules of SDK 0.35.2 (`Did.chain.ts` `validateService`, `LightDidDetails.ts`; spec §7.3).
 */
import { MessagingError } from '../../errors.js'
import type { DidService, UriFragment } from '../types.js'

const URI_FRAGMENT_REGEX = /^[a-zA-Z0-9._~%+,;=*()'&$!@:/?-]+$/

/** The SDK's `isUriFragment`: the RFC 3986 fragment characters, and `decodeURIComponent` must succeed. */
export function isUriFragment(str: string): boolean {
  try {
    return URI_FRAGMENT_REGEX.test(str) && decodeURIComponent(str) !== ''
  } catch {
    return false
  }
}

/** The SDK's `isUri`: WHATWG `URL` parses it and it is not silently rewritten. */
export function isUri(str: string): boolean {
  try {
    const url = new URL(str)
    return url.href === str || encodeURI(decodeURI(str)) === str
  } catch {
    return false
  }
}

function bad(message: string): MessagingError {
  return new MessagingError('ERR_SERVICE_INVALID', message)
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s
}

function stringArray(value: unknown, what: string, id: string): readonly string[] {
  if (!Array.isArray(value)) throw bad(`Service "${shorten(id)}": "${what}" must be an array of strings`)
  for (const v of value)
    if (typeof v !== 'string') throw bad(`Service "${shorten(id)}": "${what}" must be an array of strings`)
  return Object.freeze([...(value as string[])])
}

/** Options of {@link checkService}. */
export interface CheckServiceOptions {
  /** Accept endpoints that are not URIs (SDK ≤0.28 light DIDs). */
  readonly legacy?: boolean
}

/**
 * Validates one service as `createLightDidDocument` does and returns a normalised, frozen copy
 * (`id` with one leading `#`, only `id`/`type`/`serviceEndpoint`).
 * @throws MessagingError ERR_SERVICE_INVALID
 */
export function checkService(
  rawId: unknown,
  rawType: unknown,
  rawEndpoints: unknown,
  { legacy = false }: CheckServiceOptions = {},
): DidService {
  if (typeof rawId !== 'string') throw bad('Service "id" must be a string')
  if (rawId.startsWith('did:kilt'))
    throw bad(
      `This function requires only the URI fragment part (following '#') of the service ID, not the full DID URI, which is violated by id "${shorten(rawId)}"`,
    )
  const bare = rawId.startsWith('#') ? rawId.slice(1) : rawId
  if (bare === 'authentication' || bare === 'encryption')
    throw bad(`Cannot specify a service ID with the name "#${bare}" as it is a reserved keyword`)
  if (!isUriFragment(bare))
    throw bad(
      `The service ID must be valid as a URI fragment according to RFC#3986, which "${shorten(rawId)}" is not.`,
    )
  const type = stringArray(rawType, 'type', bare)
  const serviceEndpoint = stringArray(rawEndpoints, 'serviceEndpoint', bare)
  if (!legacy)
    for (const uri of serviceEndpoint)
      if (!isUri(uri))
        throw bad(
          `A service URI must be a URI according to RFC#3986, which "${shorten(uri)}" (service id "${shorten(rawId)}") is not.`,
        )
  return Object.freeze({ id: `#${bare}` as UriFragment, type, serviceEndpoint })
}
