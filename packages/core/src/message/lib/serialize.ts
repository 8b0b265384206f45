/**
 * @module message/lib/serialize
 * The plaintext bytes exactly as SDK 0.35.2 `Message.encrypt` produces them (spec §2.2).
 */
import { MessagingError } from '../../errors.js'
import type { Message } from '../types.js'

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

/** UTF-8 bytes of {@link serializePlaintext}. */
export function plaintextBytes(message: Message): Uint8Array {
  return encoder.encode(serializePlaintext(message))
}
