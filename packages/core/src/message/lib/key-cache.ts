/**
 * @module message/lib/key-cache
 * Key agreement keys resolved through the shared offline resolver. A light DID's keys are a pure
 * function of its URI, so these answers never go stale; the cache is bounded (LRU). Answers of
 * caller-supplied resolvers are never cached here (they may see upgrades and deletions).
 */
import { isMessagingError, MessagingError } from '../../errors.js'
import { BoundedCache } from '../../lib/bounded-cache.js'
import { isLight, lightKeySync } from '../../resolver/lib/resolve-key.js'
import type { DidResolver, ResolvedKey } from '../../resolver/types.js'

/** Most keys remembered. */
export const KEY_CACHE_SIZE = 4096

const cache = new BoundedCache<ResolvedKey>(KEY_CACHE_SIZE)

/** Number of cached keys (for diagnostics and the memory check). */
export function keyCacheSize(): number {
  return cache.size
}

/** Checks the resolved key is an x25519 key of 32 bytes. */
export function checkAgreementKey(key: ResolvedKey, name: string): ResolvedKey {
  if (typeof key !== 'object' || key === null)
    throw new MessagingError('ERR_RESOLVER_FAILED', `The resolver returned no ${name} key`)
  if (key.type !== 'x25519')
    throw new MessagingError('ERR_KEY_TYPE_UNSUPPORTED', `The ${name} key is not an x25519 key`)
  if (!(key.publicKey instanceof Uint8Array) || key.publicKey.length !== 32)
    throw new MessagingError('ERR_KEY_INVALID', `The ${name} key is not 32 bytes`)
  return key
}

/** Runs a resolver call; anything but a MessagingError becomes ERR_RESOLVER_FAILED. */
export async function resolving<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (cause) {
    if (isMessagingError(cause)) throw cause
    throw new MessagingError('ERR_RESOLVER_FAILED', 'The resolver failed', { cause })
  }
}

async function resolveFresh(resolver: DidResolver, keyUri: string, name: string): Promise<ResolvedKey> {
  return checkAgreementKey(await resolving(() => resolver.resolveKey(keyUri, 'keyAgreement')), name)
}

/**
 * The key agreement key named by `keyUri` (relationship `keyAgreement` only), checked to be x25519.
 * @param cacheable - true only for the shared offline resolver
 */
export function agreementKey(
  resolver: DidResolver,
  keyUri: string,
  name: string,
  cacheable: boolean,
): ResolvedKey | Promise<ResolvedKey> {
  if (!cacheable) return resolveFresh(resolver, keyUri, name)
  const hit = cache.get(keyUri)
  if (hit !== undefined) return hit
  if (isLight(keyUri)) {
    // What the shared offline resolver would answer, without its promise: a fresh frozen object
    // whose key bytes are a copy, kept as is (the message layer copies keys before handing them out).
    const key = checkAgreementKey(lightKeySync(keyUri, 'keyAgreement'), name)
    cache.set(keyUri, key)
    return key
  }
  return resolveFresh(resolver, keyUri, name).then((key) => {
    cache.set(keyUri, Object.freeze({ ...key, publicKey: key.publicKey.slice() }))
    return key
  })
}
