/**
 * @module crypto/lib/secret-memo
 * Remembers an imported private key object per secret-key *array* (object identity, never the
 * secret bytes as a map key). A hit is only used when the array still holds the same bytes, so a
 * caller that rewrites its buffer never gets a stale key.
 */
import { equalBytes } from '../../lib/bytes.js'

interface Slot<T> {
  readonly copy: Uint8Array
  readonly value: T
}

/** A WeakMap from secret arrays to values derived from their bytes. */
export class SecretMemo<T> {
  readonly #slots = new WeakMap<Uint8Array, Slot<T>>()

  /** The value for `secret`, created with `make` on a miss or when the bytes changed. */
  get(secret: Uint8Array, make: (secret: Uint8Array) => T): T {
    const slot = this.#slots.get(secret)
    if (slot !== undefined && equalBytes(slot.copy, secret)) return slot.value
    if (slot !== undefined) slot.copy.fill(0)
    const value = make(secret)
    this.#slots.set(secret, { copy: secret.slice(), value })
    return value
  }

  /** Forgets `secret` (e.g. when it is wiped). */
  delete(secret: Uint8Array): void {
    const slot = this.#slots.get(secret)
    if (slot !== undefined) slot.copy.fill(0)
    this.#slots.delete(secret)
  }
}
