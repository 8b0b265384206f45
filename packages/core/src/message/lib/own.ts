/**
 * @module message/lib/own
 * Messages made by `createMessage`/`replyTo`: validated once and deep-frozen, so `encryptMessage`
 * need not check them again, and their body's JSON (computed while copying it) is reused for the
 * plaintext.
 *
 * Only the most recently made messages are remembered (a small ring, compared by identity): the
 * usual pattern is make-then-encrypt, and any other message is simply checked and serialised again
 * by `encryptMessage`. (A `WeakMap` would remember every live message, at a cost on every creation
 * and in every garbage collection, which must treat its entries as ephemerons.)
 */
import type { Message } from '../types.js'

const RING = 32
const messages: (object | undefined)[] = new Array(RING).fill(undefined)
const bodies: string[] = new Array(RING).fill('')
let next = 0

/** Bodies above this size are not remembered (the ring would keep up to 32 of them alive). */
const MAX_REMEMBERED_JSON = 64 * 1024

/** Records a frozen message made here, with the JSON of its body. */
export function markOwn(message: Message, bodyJson: string): void {
  if (bodyJson.length > MAX_REMEMBERED_JSON) return
  messages[next] = message
  bodies[next] = bodyJson
  next = (next + 1) % RING
}

/** The body JSON of a recently made message, or undefined for any other object. */
export function ownBodyJson(message: object): string | undefined {
  // newest first: the message just made is the usual one
  for (let k = 1; k <= RING; k++) {
    const i = (next - k + RING) % RING
    if (messages[i] === message) return bodies[i]
  }
  return undefined
}
