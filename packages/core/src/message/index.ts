/**
 * @module message
 * Messages: create, reply, encrypt, decrypt-and-verify, and the SDK's verification helpers.
 */
export * from './body-types.js'
export { type CreateMessageOptions, createMessage } from './create-message.js'
export {
  DEFAULT_MAX_ENVELOPE_BYTES,
  type DecryptedMessage,
  type DecryptMessageOptions,
  type DecryptRelax,
  decryptMessage,
} from './decrypt-message.js'
export { type EncryptMessageOptions, encryptMessage } from './encrypt-message.js'
export type { KeySource } from './lib/key-source.js'
export type { RandomSource } from './lib/message-id.js'
export { type ReplyToOptions, replyTo } from './reply-to.js'
export type * from './types.js'
export * from './verify.js'
