/**
 * @module crypto/backend
 * Choosing a NaCl box backend: sodium-native, then node:crypto, then WebCrypto, then noble (pure
 * JS, always available). Each candidate must pass a known-answer self-test (§11.3
 * `sharedKeyNaclBoxBefore`) before it is used; the choice is made once and memoized.
 */
import { MessagingError } from '../errors.js'
import { BOX_METHODS, hasMethods } from './lib/checks.js'
import { nobleImpl } from './lib/noble.js'
import { loadNodeImpl } from './lib/node.js'
import { selfTest } from './lib/self-test.js'
import { loadSodiumImpl } from './lib/sodium.js'
import { loadWebCryptoImpl } from './lib/webcrypto.js'
import type { BoxBackend, BoxBackendName } from './types.js'

/**
 * The pure-JS backend (`@noble/curves` X25519, `@noble/ciphers` XSalsa20-Poly1305): synchronous,
 * available everywhere, the tested fallback. Keys are 32 bytes, nonces 24 bytes.
 *
 * @example
 * const key = nobleBackend.beforenm(peerPublicKey, secretKey) as Uint8Array
 * const box = nobleBackend.sealAfternm(plaintext, nonce, key)
 */
export const nobleBackend: BoxBackend = nobleImpl

/** Every backend name, fastest first. */
export const BOX_BACKEND_NAMES: readonly BoxBackendName[] = Object.freeze([
  'sodium',
  'node',
  'webcrypto',
  'noble',
])

const loaders: Record<BoxBackendName, () => Promise<BoxBackend | undefined>> = {
  sodium: loadSodiumImpl,
  node: loadNodeImpl,
  webcrypto: loadWebCryptoImpl,
  noble: async () => nobleImpl,
}

const loaded = new Map<BoxBackendName, Promise<BoxBackend | undefined>>()
const chosen = new Map<string, Promise<BoxBackend>>()
let override: BoxBackend | undefined
// What getBoxBackend() (default order) has resolved to, once it has.
let defaultChosen: BoxBackend | undefined

/**
 * What {@link getBoxBackend} without `prefer` answers, when that is known synchronously (a backend set
 * with {@link setBoxBackend}, or the default choice once made); else undefined. Internal: lets new
 * keyrings start with their backend instead of waiting for a promise each.
 */
export function currentBoxBackend(): BoxBackend | undefined {
  return override ?? defaultChosen
}

function checkName(name: unknown): BoxBackendName {
  if (typeof name !== 'string' || !(BOX_BACKEND_NAMES as readonly string[]).includes(name))
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"backend" expected one of ${BOX_BACKEND_NAMES.join(', ')}, got ${typeof name === 'string' ? JSON.stringify(name.slice(0, 40)) : typeof name}`,
    )
  return name as BoxBackendName
}

/**
 * Loads one backend by name and runs its self-test (memoized per name).
 *
 * @param name - `'sodium' | 'node' | 'webcrypto' | 'noble'`
 * @returns the backend, or `undefined` when it is not available here or fails its self-test
 * @throws MessagingError ERR_ARGUMENT_INVALID for an unknown name
 * @example
 * const sodium = await loadBoxBackend('sodium') // undefined in browsers
 */
export function loadBoxBackend(name: BoxBackendName): Promise<BoxBackend | undefined> {
  const n = checkName(name)
  let p = loaded.get(n)
  if (p === undefined) {
    p = loaders[n]().then(
      async (b) => (b !== undefined && (await selfTest(b)) ? b : undefined),
      () => undefined,
    )
    loaded.set(n, p)
  }
  return p
}

/**
 * Every backend available in this runtime that passes its self-test, fastest first.
 *
 * @example
 * for (const b of await availableBoxBackends()) console.log(b.name)
 */
export async function availableBoxBackends(): Promise<BoxBackend[]> {
  const all = await Promise.all(BOX_BACKEND_NAMES.map((n) => loadBoxBackend(n)))
  return all.filter((b): b is BoxBackend => b !== undefined)
}

/** Options of {@link getBoxBackend}. */
export interface GetBoxBackendOptions {
  /** Backends to try, in order; noble is always the last resort. Default: sodium, node, webcrypto, noble. */
  prefer?: readonly BoxBackendName[]
}

/**
 * The fastest available backend that passes the known-answer self-test, chosen once and memoized
 * (per `prefer` order). Falls back to {@link nobleBackend}. A backend set with
 * {@link setBoxBackend} wins when `prefer` is not given.
 *
 * @throws MessagingError ERR_ARGUMENT_INVALID when `prefer` is not an array of backend names
 * @example
 * const backend = await getBoxBackend()
 * const browserLike = await getBoxBackend({ prefer: ['webcrypto'] })
 */
export function getBoxBackend(options: GetBoxBackendOptions = {}): Promise<BoxBackend> {
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  const { prefer } = options
  if (prefer === undefined && override !== undefined) return Promise.resolve(override)
  if (prefer !== undefined && !Array.isArray(prefer))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"prefer" expected an array of backend names')
  const order = prefer === undefined ? BOX_BACKEND_NAMES : prefer.map(checkName)
  const memoKey = order.join(',')
  let p = chosen.get(memoKey)
  if (p === undefined) {
    p = (async () => {
      for (const name of order) {
        const b = await loadBoxBackend(name)
        if (b !== undefined) return b
      }
      return nobleImpl
    })()
    if (prefer === undefined)
      p.then(
        (b) => {
          defaultChosen = b
        },
        () => undefined, // the caller of getBoxBackend sees the failure; this branch must not add one
      )
    chosen.set(memoKey, p)
  }
  return p
}

/** A BoxBackend: its methods and a `name` (structural: a wrapper of ours is one too). */
export function isBoxBackend(b: unknown): b is BoxBackend {
  return hasMethods<BoxBackend>(b, BOX_METHODS) && typeof b.name === 'string'
}

/**
 * Forces the backend that {@link getBoxBackend} returns (without `prefer`); `undefined` restores
 * automatic selection. Meant for tests and for applications that bring their own implementation.
 *
 * @throws MessagingError ERR_ARGUMENT_INVALID when `backend` is not a BoxBackend
 * @example
 * setBoxBackend(nobleBackend)
 * setBoxBackend(undefined)
 */
export function setBoxBackend(backend: BoxBackend | undefined): void {
  if (backend !== undefined && !isBoxBackend(backend))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"backend" expected a BoxBackend')
  override = backend
}
