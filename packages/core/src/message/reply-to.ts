/**
 * @module message/reply-to
 * Creates the answer to a message.
 */
import { buildMessage, type MessageBuildOptions, readBuildOptions, threadOf } from './lib/create.js'
import { optionsObject } from './lib/options.js'
import type { Message, MessageBody } from './types.js'

/** Options of {@link replyTo}: clock, random source and body validators. */
export type ReplyToOptions = MessageBuildOptions

/**
 * Creates a reply: sender and receiver swapped, `inReplyTo` = the parent's `messageId`, and
 * `references` = the parent's `references` followed by the parent's `inReplyTo` (when set) — the
 * rule of the Credential API spec 3.x (`B.references = [...A.references, A.inReplyTo]`, spec §2.1).
 * The parent's own id is not repeated in `references` because it is `inReplyTo`; `references` is
 * omitted when empty. (The SDK's doc comment describes a variant ending with the parent id; the SDK
 * never sets or checks the field, so both are wire-compatible.)
 *
 * @param message - the message answered; needs a `messageId`
 * @param body - the body of the reply
 * @returns a frozen {@link Message}
 * @throws MessagingError ERR_ARGUMENT_INVALID (no parent messageId, bad options), ERR_MESSAGE_INVALID,
 *   and every error of `createMessage`
 * @example
 * const answer = replyTo(request, { type: 'accept-credential', content: [cTypeHash] })
 */
export function replyTo<B extends MessageBody = MessageBody>(
  message: Message,
  body: B,
  options?: ReplyToOptions,
): Message<B> {
  const o = optionsObject(options)
  const thread = threadOf(message)
  const { now, random, registry } = readBuildOptions(o)
  return buildMessage(body, {
    sender: message.receiver,
    receiver: message.sender,
    inReplyTo: thread.inReplyTo,
    references: thread.references,
    now,
    random,
    registry,
  }) as Message<B>
}
