/**
 * @module message/lib/serialize
 * The plaintext bytes exactly as SDK 0.35.2 `Message.encrypt` produces them (spec §2.2).
 */
import { MessagingError } from '../../errors.js'
import { utf8Scratch } from '../../lib/bytes.js'
import { lastPair } from '../../lib/last-pair.js'
import type { Message } from '../types.js'
import { ownBodyJson } from './own.js'

const encoder = new TextEncoder()

/** `JSON.stringify` of the SDK's key order; `undefined` members vanish and `receivedAt` is never included. */
export function serializePlaintext(message: Message): string {
  try {
    return JSON.stringify({
      body: message.body,
      createdAt: message.createdAt,
      sender: message.sender,
      receiver: message.receiver,
      messageId: message.messageId,
      inReplyTo: message.inReplyTo,
      references: message.references,
    })
  } catch (cause) {
    throw new MessagingError('ERR_MESSAGE_INVALID', 'The message cannot be serialised as JSON', { cause })
  }
}

/** `,"sender":…,"receiver":…`, kept for the last pair of parties (a conversation repeats it). */
const partiesJson = lastPair(
  (sender: string, receiver: string) =>
    `,"sender":${JSON.stringify(sender)},"receiver":${JSON.stringify(receiver)}`,
)

/**
 * The same string for a message made by `createMessage`, composed around the body JSON computed at
 * creation (`JSON.stringify` is compositional, so the result is identical).
 */
function composeOwn(message: Message, bodyJson: string): string {
  // `createdAt` is a finite number (readClock) and `messageId` lowercase `0x` hex (newMessageId):
  // `String` and plain quotes spell them exactly as `JSON.stringify` does.
  let s = `{"body":${bodyJson},"createdAt":${String(message.createdAt)}${partiesJson(message.sender, message.receiver)}`
  if (message.messageId !== undefined) s += `,"messageId":"${message.messageId}"`
  if (message.inReplyTo !== undefined) s += `,"inReplyTo":${JSON.stringify(message.inReplyTo)}`
  if (message.references !== undefined) s += `,"references":${JSON.stringify(message.references)}`
  return `${s}}`
}

/**
 * UTF-8 bytes of {@link serializePlaintext}.
 * @param scratch - write them into an internal temporary (`lib/bytes` `scratchBytes` rules)
 */
export function plaintextBytes(message: Message, scratch = false): Uint8Array {
  const bodyJson = ownBodyJson(message)
  const text = bodyJson === undefined ? serializePlaintext(message) : composeOwn(message, bodyJson)
  return scratch ? utf8Scratch(text) : encoder.encode(text)
}
