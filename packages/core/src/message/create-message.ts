/**
 * @module message/create-message
 * Creates a message (SDK `Message.fromBody`, validated).
 */
import type { DidUri } from '../did/types.js'
import { buildMessage, type MessageBuildOptions, readBuildOptions } from './lib/create.js'
import { optionsObject } from './lib/options.js'
import type { Message, MessageBody } from './types.js'

/** Options of {@link createMessage}. */
export interface CreateMessageOptions extends MessageBuildOptions {
  /** The sending DID, without fragment. */
  readonly sender: DidUri
  /** The receiving DID, without fragment. */
  readonly receiver: DidUri
  /** The `messageId` this message answers. */
  readonly inReplyTo?: string
  /** Ids of earlier messages of the thread. */
  readonly references?: readonly string[]
}

/**
 * Creates a frozen message: `createdAt` = now in ms, `messageId` = `0x` + blake2b-256 of a random
 * uuid v4 string (exactly as SDK `UUID.generate()`). The body is copied as JSON (the message owns
 * a frozen copy) and validated.
 *
 * @param body - `{ type, content }`; checked by `verifyMessageBody`
 * @param options - parties and threading, see {@link CreateMessageOptions}
 * @returns a frozen {@link Message}
 * @throws MessagingError ERR_ARGUMENT_INVALID (options), ERR_DID_INVALID / ERR_DID_FRAGMENT /
 *   ERR_DID_ADDRESS_INVALID (parties), ERR_MESSAGE_INVALID (threading fields, non-JSON body),
 *   ERR_BODY_TYPE_UNKNOWN / ERR_BODY_INVALID (body)
 * @example
 * const message = createMessage(
 *   { type: 'request-credential', content: { cTypes: [{ cTypeHash }] } },
 *   { sender: verifierDid, receiver: holderDid },
 * )
 */
export function createMessage<B extends MessageBody = MessageBody>(
  body: B,
  options: CreateMessageOptions,
): Message<B> {
  const o = optionsObject(options)
  const { now, random, registry } = readBuildOptions(o)
  return buildMessage(body, {
    sender: o.sender,
    receiver: o.receiver,
    inReplyTo: o.inReplyTo,
    references: o.references,
    now,
    random,
    registry,
  }) as Message<B>
}
