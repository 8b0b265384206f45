/**
 * @module crypto/lib/checks
 * Argument checks shared by every backend, and `defineBackend`, which turns a raw X25519 +
 * secretbox implementation into a validating {@link BoxBackend} (spec §3.1: k = HSalsa20(X25519(sk, pk), 0)).
 */
import { MessagingError } from '../../errors.js'
import { typeName } from '../../lib/type-name.js'
import type { BoxBackend, SharedKey } from '../types.js'
import { hsalsaKey } from './hsalsa.js'

/** X25519 key length. */
export const KEY_BYTES = 32
/** XSalsa20 nonce length. */
export const NONCE_BYTES = 24
/** Poly1305 tag length. */
export const MAC_BYTES = 16

/**
 * True when `value` is an object whose `names` are all functions: the structural check of an
 * injected or dynamically loaded implementation (a backend, sodium-native, node:crypto).
 */
export function hasMethods<T>(value: unknown, names: readonly (keyof T & string)[]): value is T {
  if (typeof value !== 'object' || value === null) return false
  const o = value as Record<string, unknown>
  for (const name of names) if (typeof o[name] !== 'function') return false
  return true
}

/** Asserts a 32-byte key (public, secret or shared). @throws MessagingError ERR_KEY_INVALID */
export function checkKey(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new MessagingError('ERR_KEY_INVALID', `"${name}" expected Uint8Array, got ${typeName(value)}`)
  if (value.length !== KEY_BYTES)
    throw new MessagingError(
      'ERR_KEY_INVALID',
      `"${name}" expected Uint8Array of length ${KEY_BYTES}, got length=${value.length}`,
    )
  return value
}

/** Asserts a 24-byte nonce. @throws MessagingError ERR_ARGUMENT_INVALID */
export function checkNonce(value: unknown, name = 'nonce'): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected Uint8Array, got ${typeName(value)}`)
  if (value.length !== NONCE_BYTES)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"${name}" expected Uint8Array of length ${NONCE_BYTES}, got length=${value.length}`,
    )
  return value
}

/** Asserts a Uint8Array of any length. @throws MessagingError ERR_ARGUMENT_INVALID */
export function checkData(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected Uint8Array, got ${typeName(value)}`)
  return value
}

/** True when every byte is zero (time depends on the length only). */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!
  return acc === 0
}

/** The low-order rejection (spec: a peer key whose shared secret is all zero). */
export function lowOrderError(cause?: unknown): MessagingError {
  return new MessagingError(
    'ERR_KEY_INVALID',
    'X25519 rejected the peer public key (low order: the shared secret would be all zero)',
    cause === undefined ? {} : { cause },
  )
}

/** The primitives a backend provides; inputs are already checked when these are called. */
export interface RawBackend {
  readonly name: string
  /** X25519 base multiplication. */
  publicKey(secretKey: Uint8Array): Uint8Array | Promise<Uint8Array>
  /** Raw X25519(secretKey, peerPublicKey); may throw (or return zeros) on a low-order key. */
  sharedSecret(peerPublicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | Promise<Uint8Array>
  /** `crypto_secretbox_easy` (tag16 || ct); may write into `out` (checked: exactly the result length). */
  seal(plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array, out?: Uint8Array): Uint8Array
  /** `crypto_secretbox_open_easy`, or null; `box.length >= 16` is guaranteed; `out` as for `seal`. */
  open(box: Uint8Array, nonce: Uint8Array, key: Uint8Array, out?: Uint8Array): Uint8Array | null
  /** Drops state derived from a secret array. */
  forgetSecret?(secretKey: Uint8Array): void
}

function finishShared(shared: Uint8Array): SharedKey {
  if (!(shared instanceof Uint8Array) || shared.length !== KEY_BYTES)
    throw new MessagingError('ERR_KEY_INVALID', 'the X25519 exchange returned no 32-byte secret')
  if (isAllZero(shared)) throw lowOrderError()
  const key = hsalsaKey(shared)
  shared.fill(0)
  return key
}

function keyError(cause: unknown): never {
  if (cause instanceof MessagingError) throw cause
  // The libraries reject low-order points (all-zero output) with their own errors.
  throw lowOrderError(cause)
}

function checkOut(out: unknown, length: number): Uint8Array {
  if (!(out instanceof Uint8Array) || out.length !== length)
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"out" expected Uint8Array of length ${length}`)
  return out
}

/** The methods every {@link BoxBackend} has (`forgetSecret` is optional). */
export const BOX_METHODS: readonly (keyof BoxBackend & string)[] = [
  'publicKey',
  'beforenm',
  'sealAfternm',
  'openAfternm',
]

/** Wraps raw primitives into a validating, frozen {@link BoxBackend}. */
export function defineBackend(raw: RawBackend): BoxBackend {
  const backend: BoxBackend = {
    name: raw.name,
    publicKey(secretKey) {
      checkKey(secretKey, 'secretKey')
      return raw.publicKey(secretKey)
    },
    beforenm(peerPublicKey, secretKey) {
      checkKey(peerPublicKey, 'peerPublicKey')
      checkKey(secretKey, 'secretKey')
      let shared: Uint8Array | Promise<Uint8Array>
      try {
        shared = raw.sharedSecret(peerPublicKey, secretKey)
      } catch (e) {
        keyError(e)
      }
      if (shared instanceof Promise) return shared.then(finishShared, keyError)
      return finishShared(shared)
    },
    sealAfternm(plaintext, nonce, key, out) {
      checkData(plaintext, 'plaintext')
      checkNonce(nonce)
      checkKey(key, 'key')
      if (out === undefined) return raw.seal(plaintext, nonce, key)
      return raw.seal(plaintext, nonce, key, checkOut(out, plaintext.length + MAC_BYTES))
    },
    openAfternm(box, nonce, key, out) {
      checkData(box, 'box')
      checkNonce(nonce)
      checkKey(key, 'key')
      if (box.length < MAC_BYTES) return null
      if (out === undefined) return raw.open(box, nonce, key)
      return raw.open(box, nonce, key, checkOut(out, box.length - MAC_BYTES))
    },
  }
  const forget = raw.forgetSecret
  if (forget !== undefined)
    backend.forgetSecret = (secretKey) => {
      if (secretKey instanceof Uint8Array) forget(secretKey)
    }
  return Object.freeze(backend)
}
