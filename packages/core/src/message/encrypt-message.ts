/**
 * @module message/encrypt-message
 * Encrypts a message into the SDK 0.35.2 envelope (`IEncryptedMessage`).
 */
import type { DidResourceUri } from '../did/types.js'
import { MessagingError } from '../errors.js'
import { assertBytes } from '../lib/bytes.js'
import type { DidResolver } from '../resolver/types.js'
import { isRegistry } from './lib/body/registry.js'
import type { BodyRegistry } from './lib/create.js'
import { encrypt } from './lib/encrypt.js'
import { type KeySource, keySource } from './lib/key-source.js'
import { optionsObject, rejecting, resolverOption } from './lib/options.js'
import type { EncryptedMessage, Message } from './types.js'

/** Options of {@link encryptMessage}. */
export interface EncryptMessageOptions {
  /** The sender's keys: a `Keyring` (fast path) or KILT `encrypt` callback (then the callback picks nonce and key URI). */
  readonly keys: KeySource
  /** Resolves the receiver's key (default: the offline light-DID resolver). */
  readonly resolver?: DidResolver
  /** The receiver key to encrypt to (default: the first key agreement key of `message.receiver`). */
  readonly receiverKeyUri?: DidResourceUri
  /** A fixed 24-byte nonce — ONLY for test vectors; reusing a nonce with the same keys breaks confidentiality. Keyrings only. */
  readonly nonce?: Uint8Array
  /**
   * Body validators for a message not made by `createMessage`/`replyTo` (default: the built-in
   * registry of `message/verify`); a message made by them was validated with their own registry.
   */
  readonly registry?: BodyRegistry
}

/**
 * Encrypts `message` for its receiver, byte-compatible with SDK 0.35.2 `Message.encrypt`:
 * the plaintext is `JSON.stringify` of `{ body, createdAt, sender, receiver, messageId, inReplyTo,
 * references }` (undefined members omitted, `receivedAt` never included), UTF-8, sealed with NaCl
 * box (x25519-xsalsa20-poly1305) and a fresh random 24-byte nonce; `ciphertext` and `nonce` are
 * lowercase `0x` hex; the envelope keys come in the SDK's order (`receivedAt` only when set).
 *
 * Unlike the SDK, the sender key is checked too: it must belong to `message.sender` (same DID
 * subject). The receiver key must be a key agreement key whose DID is `message.receiver` (same subject).
 * A message not made by `createMessage`/`replyTo` (older, copied, SDK-made) has its fields and its
 * body checked as `decryptMessage` will check them (`registry` for application body types).
 *
 * @param message - the message (from `createMessage`/`replyTo`, or any SDK-shaped `IMessage`)
 * @param options - see {@link EncryptMessageOptions}; `nonce` is 24 bytes
 * @returns the frozen envelope
 * @throws MessagingError ERR_ARGUMENT_INVALID (options, misbehaving callback), ERR_MESSAGE_INVALID /
 *   ERR_DID_* (message fields), ERR_BODY_TYPE_UNKNOWN, ERR_BODY_INVALID, ERR_DID_NOT_FOUND / ERR_KEY_NOT_FOUND /
 *   ERR_KEY_RELATIONSHIP / ERR_DID_DEACTIVATED / ERR_DID_UPGRADED / ERR_RESOLVER_FAILED (receiver key),
 *   ERR_KEY_TYPE_UNSUPPORTED, ERR_RECEIVER_MISMATCH, ERR_SENDER_MISMATCH, ERR_KEY_UNAVAILABLE
 * @example
 * const keys = createKeyring([{ keyUri: `${aliceDid}#encryption`, secretKey }])
 * const envelope = await encryptMessage(message, { keys })
 */
export function encryptMessage(message: Message, options: EncryptMessageOptions): Promise<EncryptedMessage> {
  return rejecting(encryptWith, message, options)
}

function encryptWith(message: Message, options: EncryptMessageOptions): Promise<EncryptedMessage> {
  const o = optionsObject(options)
  const source = keySource(o.keys, 'encrypt')
  const resolver = resolverOption(o.resolver)
  if (o.receiverKeyUri !== undefined && typeof o.receiverKeyUri !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"receiverKeyUri" expected a DID resource URI')
  if (o.nonce !== undefined) {
    assertBytes(o.nonce, 'nonce', 24)
    if (source.kind !== 'keyring')
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"nonce" can only be fixed with a Keyring')
  }
  if (o.registry !== undefined && !isRegistry(o.registry))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"registry" must come from createBodyRegistry()')
  return encrypt(message, {
    source,
    resolver,
    receiverKeyUri: o.receiverKeyUri,
    nonce: o.nonce,
    registry: o.registry,
  })
}
