/**
 * @module message/lib/create
 * Building messages (SDK `Message.fromBody`, plus validation and threading).
 */
import type { DidUri } from '../../did/types.js'
import { isMessagingError, MessagingError } from '../../errors.js'
import { lastPair } from '../../lib/last-pair.js'
import { readClock } from '../../replay/lib/freshness.js'
import type { Message, MessageBody } from '../types.js'
import type { BodyValidatorRegistry } from '../verify.js'
import { verifyBody } from './body/body.js'
import { DEFAULT_MAX_NODES } from './body/scan.js'
import { plainDid } from './did-checks.js'
import { checkBodyShape, checkThreadFields } from './fields.js'
import { deepFreeze, MAX_JSON_DEPTH } from './json.js'
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
  /** Random source for the message id (default: `crypto.getRandomValues`, drawn through a pool). */
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

const NOT_PLAIN: unique symbol = Symbol('not plain JSON data')

/**
 * A deep-frozen copy of `value` when it is plain JSON data — equal to what
 * `JSON.parse(JSON.stringify(value))` returns, at a fraction of the cost — else {@link NOT_PLAIN}:
 * whatever `JSON.stringify` would transform or drop (a `toJSON`, `undefined`, a function, a
 * symbol, a bigint, a non-finite number, a hole, a class instance, an own `__proto__` key, nesting
 * deeper than {@link MAX_JSON_DEPTH}) is left to the JSON round trip. Every property is read once,
 * and the body's JSON is then made from the copy, so the two always agree.
 */
function copyPlain(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      // JSON has no -0: the round trip turns it into 0
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : NOT_PLAIN
    case 'object': {
      if (value === null) return null
      if (depth > MAX_JSON_DEPTH || (value as { toJSON?: unknown }).toJSON !== undefined) return NOT_PLAIN
      const proto: unknown = Object.getPrototypeOf(value)
      if (proto === Array.prototype) {
        const items = value as readonly unknown[]
        const out: unknown[] = []
        for (let i = 0; i < items.length; i++) {
          const v = copyPlain(items[i], depth + 1)
          if (v === NOT_PLAIN) return NOT_PLAIN
          out.push(v)
        }
        return Object.freeze(out)
      }
      if (proto !== Object.prototype && proto !== null) return NOT_PLAIN
      const record = value as Record<string, unknown>
      const keys = Object.keys(record)
      const out: Record<string, unknown> = {}
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!
        if (key === '__proto__') return NOT_PLAIN
        const v = copyPlain(record[key], depth + 1)
        if (v === NOT_PLAIN) return NOT_PLAIN
        out[key] = v
      }
      return Object.freeze(out)
    }
    default:
      return NOT_PLAIN
  }
}

/**
 * A private JSON copy of the body (plain data only, owned and frozen by the message), and its JSON:
 * a direct copy of plain data, else the JSON round trip. `scanned` when the copy already passes the
 * body scan with the default limits: a direct copy has no `__proto__` key and bounded depth, and no
 * more values than its JSON has characters.
 */
function copyBody(body: unknown): { body: MessageBody; json: string; scanned: boolean } {
  checkBodyShape(body)
  let json: string
  let copy: unknown
  let direct = false
  try {
    copy = copyPlain(body, 1)
    if (copy === NOT_PLAIN) {
      json = JSON.stringify(body)
      copy = deepFreeze(JSON.parse(json))
    } else {
      json = JSON.stringify(copy)
      direct = true
    }
  } catch (cause) {
    if (isMessagingError(cause)) throw cause
    throw new MessagingError('ERR_MESSAGE_INVALID', 'The body is not JSON-serialisable', { cause })
  }
  checkBodyShape(copy)
  return { body: copy as MessageBody, json, scanned: direct && json.length <= DEFAULT_MAX_NODES }
}

/** Both parties are KILT DIDs without fragment; remembered for the last pair (a conversation repeats it). */
const checkParties = lastPair((sender: unknown, receiver: unknown): true => {
  plainDid(sender)
  plainDid(receiver)
  return true
})

export function buildMessage(body: unknown, input: BuildInput): Message {
  checkParties(input.sender, input.receiver)
  checkThreadFields(input.inReplyTo, input.references)
  const { body: ownBody, json, scanned } = copyBody(body)
  const opts: { registry?: BodyRegistry } = {}
  if (input.registry !== undefined) opts.registry = input.registry
  // The copy is plain data, frozen (a direct copy, or JSON.parse output): the scan needs only the
  // checks such data can fail, or none when copyBody established them.
  verifyBody(ownBody, opts, scanned ? 'scanned' : true)
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
