/**
 * @module message/lib/decrypt
 * Receiver side (spec §4), with the checks the SDK leaves to applications, in this order:
 * envelope → sender key (keyAgreement only) → decryption (one error for every failure) →
 * UTF-8/JSON → field types → sender owns senderKeyUri → receiver owns receiverKeyUri → body →
 * freshness → replay (last, so a rejected message never burns its id).
 */
import type { DidResourceUri } from '../../did/types.js'
import { isMessagingError, MessagingError } from '../../errors.js'
import { scratchBytes } from '../../lib/bytes.js'
import { createMemoryReplayStore } from '../../replay/create-memory-replay-store.js'
import { assertFresh, readClock } from '../../replay/lib/freshness.js'
import { guard, inlineCheckOf } from '../../replay/lib/guard.js'
import { newRetentionState } from '../../replay/lib/shared-retention.js'
import type { ReplayGuard } from '../../replay/types.js'
import type { DidResolver, ResolvedKey } from '../../resolver/types.js'
import type { Message, MessageBody } from '../types.js'
import { verifyBody } from './body/body.js'
import { ensureOwner } from './body/owner.js'
import type { BodyRegistry } from './create.js'
import { readEnvelope } from './envelope.js'
import { checkMessageFields, PLAINTEXT_KEYS } from './fields.js'
import { parsePlaintext } from './json.js'
import { agreementKey } from './key-cache.js'
import type { SourceKind } from './key-source.js'
import type { ResolverChoice } from './options.js'
import { ownsAgreementKey } from './party.js'

/** Relaxations of single checks, for peers running old SDKs. Every one defaults to strict. */
export interface DecryptRelax {
  readonly receiverCheck?: boolean
  readonly freshness?: boolean
  readonly bodyValidation?: boolean | 'sdk'
  readonly hex?: boolean
  readonly sameSubjectSender?: boolean
  readonly unknownKeys?: boolean
}

export interface DecryptInput {
  readonly source: SourceKind
  readonly resolver: ResolverChoice
  readonly now: () => number
  readonly maxAgeMs: number
  readonly maxFutureSkewMs: number
  /** A guard, `false`, or `undefined` for the default guard of this key source. */
  readonly replay: ReplayGuard | false | undefined
  readonly maxEnvelopeBytes: number
  readonly registry: BodyRegistry | undefined
  readonly relax: DecryptRelax
}

/** The result of a successful decryption. */
export interface DecryptedMessage<B extends MessageBody = MessageBody> {
  /** What the sender said: every field came out of the authenticated ciphertext. Frozen. */
  readonly message: Message<B>
  /** The envelope's `receivedAt`: set by a relay, NOT authenticated. */
  readonly receivedAt?: number
  /** The resolved sender key agreement key. */
  readonly senderKey: ResolvedKey
  /** The receiver key the message was encrypted to. */
  readonly receiverKeyUri: DidResourceUri
}

const DECRYPTION_FAILED = 'Decryption failed'
const OWNER_TYPES: ReadonlySet<string> = new Set([
  'request-attestation',
  'submit-attestation',
  'submit-credential',
])

// The default guard: one store for the whole process, shared by every receiving identity (the
// replay key includes the receiver's subject) and every freshness window a caller passes (one guard
// object per window, all over that store, ids kept for the widest window so far: a message accepted
// under one window is a replay under any other). Keying it by the key source object would lose
// replay protection for KILT-style callers who pass a new `{ decrypt }` object per call.
const defaultStore = createMemoryReplayStore()
const defaultRetention = newRetentionState()
const defaultGuards = new Map<string, ReplayGuard>()

function guardFor(input: DecryptInput): ReplayGuard | undefined {
  if (input.replay === false) return undefined
  if (input.replay !== undefined) return input.replay
  const id = `${input.maxAgeMs}/${input.maxFutureSkewMs}`
  let g = defaultGuards.get(id)
  if (g === undefined) {
    // dropping a guard object forgets nothing: the ids are in the shared store
    if (defaultGuards.size >= 16) defaultGuards.delete(defaultGuards.keys().next().value as string)
    g = guard(defaultStore, input.maxAgeMs, input.maxFutureSkewMs, Date.now, defaultRetention)
    defaultGuards.set(id, g)
  }
  return g
}

function failed(cause?: unknown): MessagingError {
  return cause === undefined
    ? new MessagingError('ERR_DECRYPTION_FAILED', DECRYPTION_FAILED)
    : new MessagingError('ERR_DECRYPTION_FAILED', DECRYPTION_FAILED, { cause })
}

function opened(r: Uint8Array | null): Uint8Array {
  if (!(r instanceof Uint8Array)) throw failed()
  return r
}

/**
 * Opens the box: synchronously with a keyring whose shared key is cached (the warm path). With a
 * keyring the result is an internal temporary (`lib/bytes` `scratchBytes`): wipe it after use.
 * @throws MessagingError ERR_DECRYPTION_FAILED, ERR_KEY_UNAVAILABLE (the keyring lacks `receiverKeyUri`)
 */
export function openBox(
  source: SourceKind,
  receiverKeyUri: DidResourceUri,
  senderPublicKey: Uint8Array,
  box: Uint8Array,
  nonce: Uint8Array,
): Uint8Array | Promise<Uint8Array> {
  if (box.length < 16) throw failed()
  if (source.kind === 'keyring') {
    const { keyring } = source
    if (!keyring.has(receiverKeyUri))
      throw new MessagingError('ERR_KEY_UNAVAILABLE', 'The keyring holds no secret for receiverKeyUri')
    let r: Uint8Array | null | Promise<Uint8Array | null>
    try {
      // The plaintext stays inside the library: an internal temporary, wiped by `decrypt`.
      r = keyring.openFor(receiverKeyUri, senderPublicKey, box, nonce, scratchBytes(box.length - 16))
    } catch {
      throw failed()
    }
    return r instanceof Promise ? r.then(opened, () => Promise.reject(failed())) : opened(r)
  }
  return openWithCallback(source, receiverKeyUri, senderPublicKey, box, nonce)
}

async function openWithCallback(
  source: SourceKind & { kind: 'callbacks' },
  receiverKeyUri: DidResourceUri,
  senderPublicKey: Uint8Array,
  box: Uint8Array,
  nonce: Uint8Array,
): Promise<Uint8Array> {
  let response: unknown
  try {
    response = await source.decrypt!({
      // a copy: the key may be the one the shared key cache holds, and application code may wipe it
      peerPublicKey: senderPublicKey.slice(),
      // own copies for application code (`box` and `nonce` are internal temporaries)
      data: box.slice(),
      nonce: nonce.slice(),
      keyUri: receiverKeyUri,
    })
  } catch (cause) {
    throw failed(cause)
  }
  const data = (response as { data?: unknown } | null)?.data
  if (!(data instanceof Uint8Array)) throw failed()
  return data
}

/** The public key of our own receiver key (keyring), or as resolved (callback key sources). */
async function receiverPublicKey(
  source: SourceKind,
  resolver: DidResolver,
  keyUri: DidResourceUri,
): Promise<Uint8Array> {
  if (source.kind === 'keyring') return source.keyring.publicKey(keyUri)
  return (await resolver.resolveKey(keyUri, 'keyAgreement')).publicKey
}

function mismatch(code: 'ERR_SENDER_MISMATCH' | 'ERR_RECEIVER_MISMATCH', text: string): MessagingError {
  return new MessagingError(code, text, { sdkError: 'IdentityMismatchError' })
}

/** Builds the message from the parsed plaintext (known keys only, undefined members omitted). */
function toMessage(plain: Record<string, unknown>, unknownKeys: boolean): Message {
  const keys = Object.keys(plain)
  // In the SDK's key order (what every SDK and this library write), the parsed, frozen plaintext
  // object already is the message.
  let inOrder = true
  for (let i = 0, last = -1; i < keys.length; i++) {
    const at = PLAINTEXT_KEYS.indexOf(keys[i]!)
    if (at < 0 && !unknownKeys)
      throw new MessagingError(
        'ERR_MESSAGE_INVALID',
        `The plaintext has an unknown key "${keys[i]!.slice(0, 40)}"`,
        { sdkError: 'TypeError' },
      )
    if (at <= last) inOrder = false
    last = at
  }
  if (inOrder) return plain as unknown as Message
  const m: Record<string, unknown> = {
    body: plain.body,
    createdAt: plain.createdAt,
    sender: plain.sender,
    receiver: plain.receiver,
  }
  if (plain.messageId !== undefined) m.messageId = plain.messageId
  if (plain.inReplyTo !== undefined) m.inReplyTo = plain.inReplyTo
  if (plain.references !== undefined) m.references = plain.references
  if (m.createdAt === undefined) delete m.createdAt
  return m as unknown as Message
}

export async function decrypt(envelope: unknown, input: DecryptInput): Promise<DecryptedMessage> {
  const { relax, resolver } = input
  const env = readEnvelope(envelope, input.maxEnvelopeBytes, relax.hex === true)

  const pending = agreementKey(resolver.resolver, env.senderKeyUri, 'sender', resolver.cacheable)
  const senderKey = pending instanceof Promise ? await pending : pending

  const openedBox = openBox(input.source, env.receiverKeyUri, senderKey.publicKey, env.box, env.nonce)
  const bytes = openedBox instanceof Promise ? await openedBox : openedBox
  try {
    const plain = parsePlaintext(bytes)
    const message = toMessage(plain.value, relax.unknownKeys === true)

    // SDK `verifyMessageEnvelope` semantics for presence (a message without messageId is keyed by
    // its hash; a missing createdAt fails as stale at the freshness step), strict thread fields.
    // The DIDs of the two key URIs are valid DIDs without fragment (readEnvelope parsed them).
    const senderKeyDid = env.sender.did
    const receiverKeyDid = env.receiver.did
    checkMessageFields(message, senderKeyDid, receiverKeyDid)

    // The sender owns senderKeyUri: the exact DID of the key URI, or — unless `sameSubjectSender` is
    // false — another form of the same subject whose own document lists the same key (lib/party).
    if (senderKey.controller !== senderKeyDid)
      throw mismatch('ERR_SENDER_MISMATCH', 'Sender is not owner of the Encryption key')
    if (message.sender !== senderKeyDid) {
      const owns =
        relax.sameSubjectSender !== false &&
        (await ownsAgreementKey(resolver.resolver, message.sender, senderKeyDid, () => senderKey.publicKey))
      if (!owns) throw mismatch('ERR_SENDER_MISMATCH', 'Sender is not owner of the Encryption key')
    }

    if (relax.receiverCheck !== true) {
      if (
        message.receiver !== receiverKeyDid &&
        !(await ownsAgreementKey(resolver.resolver, message.receiver, receiverKeyDid, () =>
          receiverPublicKey(input.source, resolver.resolver, env.receiverKeyUri),
        ))
      )
        throw mismatch('ERR_RECEIVER_MISMATCH', 'Receiver is not owner of the receiver key')
    }

    if (relax.bodyValidation !== true) {
      const opts: { registry?: BodyRegistry; sdkCompatible?: boolean } = {}
      if (input.registry !== undefined) opts.registry = input.registry
      if (relax.bodyValidation === 'sdk') opts.sdkCompatible = true
      // The body is part of the JSON.parse output of the plaintext, frozen since; parsePlaintext's
      // walk may have established what the body scan checks already.
      verifyBody(message.body, opts, plain.scanned ? 'scanned' : true)
      // The owner rule concerns these three body types only; every other type passes (spec §5.3).
      // `ensureOwner`, not the public `ensureOwnerIsSender`: its scan of the whole message would
      // repeat what parsePlaintext (depth), toMessage (keys), checkMessageFields and the body scan
      // above already established.
      if (OWNER_TYPES.has(message.body.type)) ensureOwner(message)
    }

    const now = readClock(input.now)
    const fresh = relax.freshness !== true
    if (fresh) assertFresh(message.createdAt, now, input.maxAgeMs, input.maxFutureSkewMs)

    const replayGuard = guardFor(input)
    if (replayGuard !== undefined) {
      try {
        // Guards made by createReplayGuard answer synchronously with a synchronous store.
        const inline = inlineCheckOf(replayGuard)
        // A guard of the application's own gets its own copy of the plaintext.
        const context = { now, plaintext: inline === undefined ? bytes.slice() : bytes, freshness: fresh }
        // The parties' subjects are those of the key URIs' DIDs when the plaintext names exactly those.
        const pending =
          inline === undefined
            ? replayGuard.check(message, context)
            : message.sender === senderKeyDid && message.receiver === receiverKeyDid
              ? inline(message, context, env.receiver.address, env.sender.address)
              : inline(message, context)
        if (pending !== undefined) await pending
      } catch (cause) {
        if (isMessagingError(cause)) throw cause
        throw new MessagingError(
          'ERR_REPLAY_STORE_UNAVAILABLE',
          'The replay store failed; the message is refused',
          {
            cause,
          },
        )
      }
    }

    Object.freeze(message)
    const result: { -readonly [K in keyof DecryptedMessage]: DecryptedMessage[K] } = {
      message,
      senderKey: Object.freeze({
        id: senderKey.id,
        controller: senderKey.controller,
        publicKey: senderKey.publicKey.slice(),
        type: senderKey.type,
      }),
      receiverKeyUri: env.receiverKeyUri,
    }
    if (env.receivedAt !== undefined) result.receivedAt = env.receivedAt
    return Object.freeze(result)
  } finally {
    // Our keyring opened into an internal temporary: wipe it (a callback's array is the caller's).
    if (input.source.kind === 'keyring') bytes.fill(0)
  }
}
