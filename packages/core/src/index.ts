/**
 * @module @kilt-messaging/core
 * KILT-compatible authenticated end-to-end encrypted messaging between DIDs.
 */

export * from './crypto/index.js'
export type * from './crypto/types.js'
export * from './did/index.js'
export type * from './did/types.js'
export * from './errors.js'
export * from './keys/index.js'
export * from './keys/keyring.js'
export type * from './keys/types.js'
export { fromHex, isHex, toHex } from './lib/bytes.js'
export { type PrintableOptions, printable } from './lib/printable.js'
export * from './message/index.js'
export type * from './message/types.js'
export * from './replay/index.js'
export * from './resolver/index.js'
export type * from './resolver/types.js'
export * from './session/index.js'
export * from './transport/index.js'
