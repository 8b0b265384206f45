/**
 * @module message/lib/create
 * Building messages (SDK `Message.fromBody`, plus validation and threading).
 */
import type { DidUri } from '../../did/types.js'
import { MessagingError } from '../../errors.js'
import { readClock } from '../../replay/lib/freshness.js'
import type { Message, MessageBody } from '../types.js'
import type { BodyValidatorRegistry } from '../verify.js'
import { verifyBody } from './body/body.js'
import { plainDid } from './did-checks.js'
import { checkBodyShape, checkThreadFields } from './fields.js'
import { deepFreeze } from './json.js'
import { newMessageId, type RandomSource } from './message-id.js'
import { functionOption } from './options.js'
import { markOwn } from './own.js'

export type BodyRegistry = BodyValidatorRegistry

export interface BuildInput {
  readonly sender: unknown
  readonly receiver: unknown
  readonly inReplyTo?: unknown
  readonly references?: unknown
  readonly now: () => number
  readonly random: RandomSource | undefined
  readonly registry: BodyRegistry | undefined
}

/** Options shared by every function that builds a message (`createMessage`, `replyTo`). */
export interface MessageBuildOptions {
  /** Clock for `createdAt`, ms since the epoch (default `Date.now`). */
  readonly now?: () => number
  /** Random source for the message id (default: `crypto.randomUUID`, else `crypto.getRandomValues`). */
  readonly random?: RandomSource
  /** Body validators (default: the built-in registry of `message/verify`). */
  readonly registry?: BodyRegistry
}

/**
 * Reads the shared build options of an options object already checked by `optionsObject`.
 * @throws MessagingError ERR_ARGUMENT_INVALID when `now` or `random` is not a function
 */
export function readBuildOptions(o: MessageBuildOptions): Pick<BuildInput, 'now' | 'random' | 'registry'> {
  return {
    now: functionOption(o.now, 'now', Date.now),
    random: functionOption<RandomSource | undefined>(o.random, 'random', undefined),
    registry: o.registry,
  }
}

/** A private JSON copy of the body (plain data only, owned and frozen by the message), and its JSON. */
function copyBody(body: unknown): { body: MessageBody; json: string } {
  checkBodyShape(body)
  let json: string
  let copy: unknown
  try {
    json = JSON.stringify(body)
    copy = JSON.parse(json)
  } catch (cause) {
    throw new MessagingError('ERR_MESSAGE_INVALID', 'The body is not JSON-serialisable', { cause })
  }
  checkBodyShape(copy)
  return { body: deepFreeze(copy as MessageBody), json }
}

export function buildMessage(body: unknown, input: BuildInput): Message {
  plainDid(input.sender)
  plainDid(input.receiver)
  checkThreadFields(input.inReplyTo, input.references)
  const { body: ownBody, json } = copyBody(body)
  const opts: { registry?: BodyRegistry } = {}
  if (input.registry !== undefined) opts.registry = input.registry
  // The copy is fresh JSON.parse output, frozen: the scan needs only the checks such data can fail.
  verifyBody(ownBody, opts, true)
  const createdAt = readClock(input.now)
  const message: {
    body: MessageBody
    createdAt: number
    sender: DidUri
    receiver: DidUri
    messageId: string
    inReplyTo?: string
    references?: readonly string[]
  } = {
    body: ownBody,
    createdAt,
    sender: input.sender as DidUri,
    receiver: input.receiver as DidUri,
    messageId: newMessageId(input.random),
  }
  if (input.inReplyTo !== undefined) message.inReplyTo = input.inReplyTo as string
  if (input.references !== undefined)
    message.references = Object.freeze([...(input.references as readonly string[])])
  Object.freeze(message)
  markOwn(message, json)
  return message
}

/**
 * The threading of a reply (Credential API spec 3.x, spec §2.1): `inReplyTo` is the parent's
 * `messageId`, `references` are the parent's references followed by the parent's `inReplyTo`.
 */
export function threadOf(parent: unknown): { inReplyTo: string; references?: string[] } {
  if (typeof parent !== 'object' || parent === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"message" expected a Message')
  const { messageId, inReplyTo, references } = parent as Partial<Message>
  if (typeof messageId !== 'string' || messageId.length === 0)
    throw new MessagingError('ERR_ARGUMENT_INVALID', 'The message replied to has no messageId')
  checkThreadFields(inReplyTo, references)
  const refs = [...(references ?? [])]
  if (inReplyTo !== undefined) refs.push(inReplyTo)
  return refs.length > 0 ? { inReplyTo: messageId, references: refs } : { inReplyTo: messageId }
}
