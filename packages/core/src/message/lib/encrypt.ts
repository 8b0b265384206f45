/**
 * @module message/lib/encrypt
 * Sender side (spec §3): resolve the receiver's key agreement key, check both parties, serialise
 * in the SDK's key order, box, and build the SDK's envelope.
 */
import type { DidResourceUri, DidUri } from '../../did/types.js'
import { isMessagingError, MessagingError } from '../../errors.js'
import type { EncryptCallback } from '../../keys/types.js'
import { scratchBytes } from '../../lib/bytes.js'
import { hexEncode } from '../../lib/hex.js'
import type { DidResolver } from '../../resolver/types.js'
import type { EncryptedMessage, Message } from '../types.js'
import { verifyBody } from './body/body.js'
import type { BodyRegistry } from './create.js'
import { resourceParts, resourceUri } from './did-checks.js'
import { checkBodyShape, checkMessageFields } from './fields.js'
import { agreementKey, resolving } from './key-cache.js'
import type { SourceKind } from './key-source.js'
import { freshNonce } from './nonce.js'
import type { ResolverChoice } from './options.js'
import { ownBodyJson } from './own.js'
import { ownsAgreementKey } from './party.js'
import { plaintextBytes } from './serialize.js'

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
  if (typeof result !== 'object' || result === null)
    throw new MessagingError('ERR_RESOLVER_FAILED', 'The resolver returned no result')
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
  readonly resolver: ResolverChoice
  readonly receiverKeyUri: string | undefined
  readonly nonce: Uint8Array | undefined
  readonly registry: BodyRegistry | undefined
}

/**
 * Checks a caller-given message as the receiver will: fields (types, DIDs, threading) and body
 * (the registry's validators or the built-in ones), unless createMessage/replyTo made it.
 */
function checkMessage(message: unknown, registry: BodyRegistry | undefined): Message {
  if (typeof message !== 'object' || message === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"message" expected a Message')
  const m = message as Message
  // Made (validated, deep-frozen) by createMessage/replyTo: nothing can have changed since.
  if (ownBodyJson(m) !== undefined) return m
  checkMessageFields(m)
  if (m.createdAt === undefined)
    throw new MessagingError('ERR_MESSAGE_INVALID', 'Created at is expected to be a number', {
      sdkError: 'TypeError',
    })
  if (m.receivedAt !== undefined && (typeof m.receivedAt !== 'number' || !Number.isFinite(m.receivedAt)))
    throw new MessagingError('ERR_MESSAGE_INVALID', 'Received at is expected to be a number', {
      sdkError: 'TypeError',
    })
  checkBodyShape(m.body)
  verifyBody(m.body, registry === undefined ? undefined : { registry })
  return m
}

function senderMismatch(): MessagingError {
  return new MessagingError('ERR_SENDER_MISMATCH', 'The sender key does not belong to the message sender', {
    sdkError: 'IdentityMismatchError',
  })
}

/**
 * The sender must own its key: the exact DID of the key URI, or another form holding the same key.
 * @throws MessagingError ERR_SENDER_MISMATCH, or the DID codes of a malformed `keyUri`
 */
export function checkSenderKeyUri(
  keyUri: unknown,
  sender: DidUri,
  resolver: DidResolver,
  publicKey: () => Uint8Array | Promise<Uint8Array>,
): DidResourceUri | Promise<DidResourceUri> {
  const parts = resourceParts(keyUri)
  const uri = keyUri as DidResourceUri
  const owns = ownsAgreementKey(resolver, sender, parts.did, publicKey)
  if (owns === true) return uri
  if (owns === false) throw senderMismatch()
  return owns.then((ok) => {
    if (!ok) throw senderMismatch()
    return uri
  })
}

/**
 * Boxes `data` for `peerPublicKey` through a KILT encrypt callback on behalf of `sender`: the
 * callback's answer is checked (a box of `data.length + 16` bytes, a 24-byte nonce, a key URI that
 * `sender` owns). A throwing callback is ERR_KEY_UNAVAILABLE.
 * @throws MessagingError ERR_KEY_UNAVAILABLE, ERR_ARGUMENT_INVALID (a malformed answer), ERR_SENDER_MISMATCH
 */
export async function sealWithCallback(
  callback: EncryptCallback,
  sender: DidUri,
  data: Uint8Array,
  peerPublicKey: Uint8Array,
  resolver: DidResolver,
): Promise<{ box: Uint8Array; nonce: Uint8Array; senderKeyUri: DidResourceUri }> {
  let response: unknown
  try {
    response = await callback({ did: sender, data, peerPublicKey: peerPublicKey.slice() })
  } catch (cause) {
    if (isMessagingError(cause)) throw cause
    throw new MessagingError('ERR_KEY_UNAVAILABLE', 'The encrypt callback failed', { cause })
  }
  const r = response as { data?: unknown; nonce?: unknown; keyUri?: unknown } | null
  if (typeof r !== 'object' || r === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', 'The encrypt callback returned no result')
  // each field read once
  const { data: box, nonce, keyUri } = r
  if (!(box instanceof Uint8Array) || box.length !== data.length + 16)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      'The encrypt callback returned a box of the wrong length',
    )
  if (!(nonce instanceof Uint8Array) || nonce.length !== 24)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      'The encrypt callback returned a nonce that is not 24 bytes',
    )
  let uri: DidResourceUri
  try {
    uri = resourceUri(keyUri)
  } catch (cause) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', 'The encrypt callback returned an invalid keyUri', {
      cause,
    })
  }
  const senderKeyUri = await checkSenderKeyUri(
    uri,
    sender,
    resolver,
    async () => (await resolver.resolveKey(uri, 'keyAgreement')).publicKey,
  )
  return { box, nonce, senderKeyUri }
}

export async function encrypt(message: unknown, input: EncryptInput): Promise<EncryptedMessage> {
  const m = checkMessage(message, input.registry)
  const { resolver, cacheable } = input.resolver
  const { source } = input
  const receiverKeyUri = input.receiverKeyUri ?? (await firstAgreementKeyUri(resolver, m.receiver))
  const pending = agreementKey(resolver, receiverKeyUri, 'receiver', cacheable)
  const receiverKey = pending instanceof Promise ? await pending : pending
  // The receiver must own the key: the exact DID of the key URI, or another form of the same
  // subject whose own document lists the same key (lib/party) — never just the same address.
  const receiverOwns = ownsAgreementKey(
    resolver,
    m.receiver,
    receiverKey.controller,
    () => receiverKey.publicKey,
  )
  if (receiverOwns !== true && !(await receiverOwns))
    throw new MessagingError('ERR_RECEIVER_MISMATCH', 'receiver is not owner of the receiver public key', {
      sdkError: 'IdentityMismatchError',
    })
  let box: Uint8Array
  let nonce: Uint8Array
  let senderKeyUri: DidResourceUri
  if (source.kind === 'keyring') {
    const { keyring } = source
    const own = keyring.keyUriFor(m.sender)
    if (own === undefined)
      throw new MessagingError('ERR_KEY_UNAVAILABLE', 'The keyring holds no key agreement key of the sender')
    const checked = checkSenderKeyUri(own, m.sender, resolver, () => keyring.publicKey(own))
    senderKeyUri = typeof checked === 'string' ? checked : await checked
    nonce = input.nonce ?? freshNonce()
    // Plaintext and box stay inside the library here: internal temporaries, the plaintext wiped.
    const data = plaintextBytes(m, true)
    try {
      const sealed = keyring.sealFor(
        senderKeyUri,
        receiverKey.publicKey,
        data,
        nonce,
        scratchBytes(data.length + 16),
      )
      box = sealed instanceof Uint8Array ? sealed : await sealed
    } finally {
      data.fill(0)
    }
  } else {
    const r = await sealWithCallback(
      source.encrypt!,
      m.sender,
      plaintextBytes(m),
      receiverKey.publicKey,
      resolver,
    )
    box = r.box
    nonce = r.nonce
    senderKeyUri = r.senderKeyUri
  }
  const ciphertext = hexEncode(box)
  const nonceHex = hexEncode(nonce)
  return Object.freeze(
    m.receivedAt === undefined
      ? { ciphertext, nonce: nonceHex, senderKeyUri, receiverKeyUri: receiverKey.id }
      : {
          receivedAt: m.receivedAt,
          ciphertext,
          nonce: nonceHex,
          senderKeyUri,
          receiverKeyUri: receiverKey.id,
        },
  )
}
