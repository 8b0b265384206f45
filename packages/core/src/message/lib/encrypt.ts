/**
 * @module message/lib/encrypt
 * Sender side (spec §3): resolve the receiver's key agreement key, check both parties, serialise
 * in the SDK's key order, box, and build the SDK's envelope.
 */
import { randomBytes } from '../../crypto/index.js'
import { didOf, isSameSubject, validateDidUri } from '../../did/index.js'
import type { DidResourceUri, DidUri } from '../../did/types.js'
import { isMessagingError, MessagingError } from '../../errors.js'
import type { DidResolver, ResolvedKey } from '../../resolver/types.js'
import type { EncryptedMessage, Message } from '../types.js'
import { verifyMessageEnvelope } from '../verify.js'
import { checkBodyShape, checkThreadFields } from './fields.js'
import { hexEncode } from './hex.js'
import type { SourceKind } from './key-source.js'
import { plaintextBytes } from './serialize.js'

/** Checks the resolved key is an x25519 key of 32 bytes. */
export function checkAgreementKey(key: ResolvedKey, name: string): ResolvedKey {
  if (typeof key !== 'object' || key === null)
    throw new MessagingError('ERR_RESOLVER_FAILED', `The resolver returned no ${name} key`)
  if (key.type !== 'x25519')
    throw new MessagingError('ERR_KEY_TYPE_UNSUPPORTED', `The ${name} key is not an x25519 key`)
  if (!(key.publicKey instanceof Uint8Array) || key.publicKey.length !== 32)
    throw new MessagingError('ERR_KEY_INVALID', `The ${name} key is not 32 bytes`)
  return key
}

/** Runs a resolver call; anything but a MessagingError becomes ERR_RESOLVER_FAILED. */
export async function resolving<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (cause) {
    if (isMessagingError(cause)) throw cause
    throw new MessagingError('ERR_RESOLVER_FAILED', 'The resolver failed', { cause })
  }
}

const RESOLUTION_CODES = {
  invalidDid: 'ERR_DID_INVALID',
  notFound: 'ERR_DID_NOT_FOUND',
  deactivated: 'ERR_DID_DEACTIVATED',
  methodNotSupported: 'ERR_DID_INVALID',
  internalError: 'ERR_RESOLVER_FAILED',
} as const

/** The key URI of the first key agreement key of `did`'s document. */
async function firstAgreementKeyUri(resolver: DidResolver, did: DidUri): Promise<string> {
  const result = await resolving(() => resolver.resolve(did))
  if (result.metadata?.canonicalId !== undefined)
    throw new MessagingError('ERR_DID_UPGRADED', 'The receiver light DID was upgraded to a full DID')
  if (result.error !== undefined || result.document === undefined) {
    const code = result.error === undefined ? 'ERR_DID_NOT_FOUND' : RESOLUTION_CODES[result.error]
    throw new MessagingError(code ?? 'ERR_RESOLVER_FAILED', 'The receiver DID cannot be resolved')
  }
  const first = result.document.keyAgreement?.[0]
  if (first === undefined)
    throw new MessagingError('ERR_KEY_NOT_FOUND', 'The receiver DID has no key agreement key', {
      sdkError: 'DidNotFoundError',
    })
  return `${did}${first.id}`
}

export interface EncryptInput {
  readonly source: SourceKind
  readonly resolver: DidResolver
  readonly receiverKeyUri: string | undefined
  readonly nonce: Uint8Array | undefined
}

/** Checks the fields of a caller-given message (types, DIDs, threading, body shape). */
function checkMessage(message: unknown): Message {
  if (typeof message !== 'object' || message === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"message" expected a Message')
  const m = message as Message
  verifyMessageEnvelope(m, { sdkCompatible: true })
  if (typeof m.createdAt !== 'number' || !Number.isFinite(m.createdAt))
    throw new MessagingError('ERR_MESSAGE_INVALID', 'Created at is expected to be a number', {
      sdkError: 'TypeError',
    })
  checkThreadFields(m.inReplyTo, m.references)
  checkBodyShape(m.body)
  return m
}

function checkSenderKeyUri(keyUri: unknown, sender: DidUri): DidResourceUri {
  validateDidUri(keyUri, 'ResourceUri')
  if (!isSameSubject(didOf(keyUri as string), sender))
    throw new MessagingError('ERR_SENDER_MISMATCH', 'The sender key does not belong to the message sender', {
      sdkError: 'IdentityMismatchError',
    })
  return keyUri as DidResourceUri
}

export async function encrypt(message: unknown, input: EncryptInput): Promise<EncryptedMessage> {
  const m = checkMessage(message)
  const { resolver, source } = input
  const receiverKeyUri = input.receiverKeyUri ?? (await firstAgreementKeyUri(resolver, m.receiver))
  const receiverKey = checkAgreementKey(
    await resolving(() => resolver.resolveKey(receiverKeyUri, 'keyAgreement')),
    'receiver',
  )
  if (!isSameSubject(receiverKey.controller, m.receiver))
    throw new MessagingError('ERR_RECEIVER_MISMATCH', 'receiver is not owner of the receiver public key', {
      sdkError: 'IdentityMismatchError',
    })
  const data = plaintextBytes(m)
  let box: Uint8Array
  let nonce: Uint8Array
  let senderKeyUri: DidResourceUri
  if (source.kind === 'keyring') {
    const { keyring } = source
    const own = keyring.keyUriFor(m.sender)
    if (own === undefined)
      throw new MessagingError('ERR_KEY_UNAVAILABLE', 'The keyring holds no key agreement key of the sender')
    senderKeyUri = checkSenderKeyUri(own, m.sender)
    nonce = input.nonce ?? randomBytes(24)
    const sealed = keyring.sealFor(senderKeyUri, receiverKey.publicKey, data, nonce)
    box = sealed instanceof Uint8Array ? sealed : await sealed
  } else {
    const callback = source.encrypt!
    let response: unknown
    try {
      response = await callback({ did: m.sender, data, peerPublicKey: receiverKey.publicKey })
    } catch (cause) {
      if (isMessagingError(cause)) throw cause
      throw new MessagingError('ERR_KEY_UNAVAILABLE', 'The encrypt callback failed', { cause })
    }
    const r = response as { data?: unknown; nonce?: unknown; keyUri?: unknown } | null
    if (typeof r !== 'object' || r === null)
      throw new MessagingError('ERR_ARGUMENT_INVALID', 'The encrypt callback returned no result')
    if (!(r.data instanceof Uint8Array) || r.data.length !== data.length + 16)
      throw new MessagingError(
        'ERR_ARGUMENT_INVALID',
        'The encrypt callback returned a box of the wrong length',
      )
    if (!(r.nonce instanceof Uint8Array) || r.nonce.length !== 24)
      throw new MessagingError(
        'ERR_ARGUMENT_INVALID',
        'The encrypt callback returned a nonce that is not 24 bytes',
      )
    senderKeyUri = checkSenderKeyUri(r.keyUri, m.sender)
    box = r.data
    nonce = r.nonce
  }
  const envelope: { -readonly [K in keyof EncryptedMessage]: EncryptedMessage[K] } =
    m.receivedAt === undefined
      ? {
          ciphertext: hexEncode(box),
          nonce: hexEncode(nonce),
          senderKeyUri,
          receiverKeyUri: receiverKey.id,
        }
      : {
          receivedAt: m.receivedAt,
          ciphertext: hexEncode(box),
          nonce: hexEncode(nonce),
          senderKeyUri,
          receiverKeyUri: receiverKey.id,
        }
  return Object.freeze(envelope)
}
