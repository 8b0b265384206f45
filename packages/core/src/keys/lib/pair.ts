/**
 * @module keys/lib/pair
 * Key pair objects that keep their secret out of sight: `secretKey` is an own, non-enumerable,
 * read-only property (so `Object.keys`, spread, `structuredClone` and `JSON.stringify` skip it),
 * `toJSON()` gives `{ type, publicKey }` only, and Node's `util.inspect` prints a redacted form.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import * as sr25519 from '@scure/sr25519'
import { MessagingError } from '../../errors.js'
import { assertBytes, toHex } from '../../lib/bytes.js'
import type { SigningKeyPair, SigningKeyType, X25519KeyPair } from '../types.js'

/** Node's `util.inspect` hook, by its registered symbol (no Node import needed). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/** Pairs whose secret was wiped by `zeroize`; they refuse to sign. */
const wiped = new WeakSet<object>()

/** Marks a pair as wiped (its secret bytes are zero from now on). */
export function markWiped(pair: object): void {
  wiped.add(pair)
}

/** True when `zeroize` was called on the pair. */
export function isWiped(pair: object): boolean {
  return wiped.has(pair)
}

function hideSecret(target: object, secretKey: Uint8Array): void {
  Object.defineProperty(target, 'secretKey', {
    value: secretKey,
    enumerable: false,
    writable: false,
    configurable: false,
  })
}

function redacted(name: string, type: string, publicKey: Uint8Array): string {
  return `${name} { type: '${type}', publicKey: '${toHex(publicKey)}', secretKey: <redacted> }`
}

/** A signing pair (sr25519 or ed25519). Build it with the public factory functions. */
export class SigningPair implements SigningKeyPair {
  readonly type: SigningKeyType
  readonly publicKey: Uint8Array
  declare readonly secretKey: Uint8Array

  /**
   * @param type - the key type
   * @param publicKey - 32 bytes, derived from the secret by the caller
   * @param secretKey - sr25519: 64-byte expanded secret (polkadot layout); ed25519: 32-byte seed. Owned by the pair.
   */
  constructor(type: SigningKeyType, publicKey: Uint8Array, secretKey: Uint8Array) {
    this.type = type
    this.publicKey = publicKey
    hideSecret(this, secretKey)
    Object.freeze(this)
  }

  /**
   * Signs `message`: sr25519 with the `substrate` signing context (randomized, as polkadot),
   * ed25519 per RFC 8032 (deterministic).
   * @param message - the bytes to sign (any length)
   * @returns the 64-byte signature
   * @throws MessagingError ERR_ARGUMENT_INVALID when `message` is not a Uint8Array;
   *   ERR_KEY_UNAVAILABLE after `zeroize`
   */
  sign(message: Uint8Array): Uint8Array {
    assertBytes(message, 'message')
    if (wiped.has(this)) throw new MessagingError('ERR_KEY_UNAVAILABLE', 'the key pair was zeroized')
    return this.type === 'sr25519'
      ? sr25519.sign(this.secretKey, message)
      : ed25519.sign(message, this.secretKey)
  }

  /** The public half only: `{ type, publicKey: '0x…' }`. */
  toJSON(): { type: SigningKeyType; publicKey: string } {
    return { type: this.type, publicKey: toHex(this.publicKey) }
  }

  /** Node `util.inspect`: the public half, secret redacted. */
  [INSPECT](): string {
    return redacted('SigningKeyPair', this.type, this.publicKey)
  }
}

/** An x25519 key agreement pair (KILT: the secret is the seed itself). */
export class X25519Pair implements X25519KeyPair {
  readonly type = 'x25519' as const
  readonly publicKey: Uint8Array
  declare readonly secretKey: Uint8Array

  /**
   * @param publicKey - 32 bytes, X25519(secretKey, 9)
   * @param secretKey - 32 bytes, owned by the pair
   */
  constructor(publicKey: Uint8Array, secretKey: Uint8Array) {
    this.publicKey = publicKey
    hideSecret(this, secretKey)
    Object.freeze(this)
  }

  /** The public half only: `{ type: 'x25519', publicKey: '0x…' }`. */
  toJSON(): { type: 'x25519'; publicKey: string } {
    return { type: this.type, publicKey: toHex(this.publicKey) }
  }

  /** Node `util.inspect`: the public half, secret redacted. */
  [INSPECT](): string {
    return redacted('X25519KeyPair', this.type, this.publicKey)
  }
}
