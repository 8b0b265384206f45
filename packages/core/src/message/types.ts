/**
 * @module message/types
 * The message model (SDK 0.35.2 `types/src/Message.ts`).
 */
import type { DidResourceUri, DidUri } from '../did/types.js'

/** A message body: a type string and its content. Known types are described in `message/body-types`. */
export interface MessageBody<T extends string = string, C = unknown> {
  readonly type: T
  readonly content: C
}

/** A message (SDK `IMessage`). Everything but `receivedAt` travels inside the ciphertext. */
export interface Message<B extends MessageBody = MessageBody> {
  readonly body: B
  /** Milliseconds since the Unix epoch, set by the sender. */
  readonly createdAt: number
  readonly sender: DidUri
  readonly receiver: DidUri
  /** `0x` + 64 hex: blake2b-256 of a random uuid v4. */
  readonly messageId?: string
  readonly inReplyTo?: string
  readonly references?: readonly string[]
  /** Unauthenticated, from the envelope. */
  readonly receivedAt?: number
}

/** The encrypted envelope (SDK `IEncryptedMessage`). */
export interface EncryptedMessage {
  /** Unauthenticated receiver-side timestamp (ms); not covered by the MAC. */
  readonly receivedAt?: number
  /** `0x` lowercase hex of the NaCl box (16-byte tag first). */
  readonly ciphertext: string
  /** `0x` lowercase hex of the 24-byte nonce. */
  readonly nonce: string
  readonly senderKeyUri: DidResourceUri
  readonly receiverKeyUri: DidResourceUri
}
