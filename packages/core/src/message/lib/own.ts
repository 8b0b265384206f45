/**
 * @module message/lib/own
 * Messages made by `createMessage`/`replyTo`: validated once and deep-frozen, so `encryptMessage`
 * need not check them again, and their body's JSON (computed while copying it) is reused for the
 * plaintext. Held weakly: nothing is kept alive by this registry.
 */
import type { Message } from '../types.js'

const bodies = new WeakMap<object, string>()

/** Records a frozen message made here, with the JSON of its body. */
export function markOwn(message: Message, bodyJson: string): void {
  bodies.set(message, bodyJson)
}

/** The body JSON of a message made here, or undefined for any other object. */
export function ownBodyJson(message: object): string | undefined {
  return bodies.get(message)
}
