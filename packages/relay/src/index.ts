/**
 * @module @kilt-messaging/relay
 * The KILT messaging mailbox relay (Fastify). Stores ciphertext envelopes only.
 */
export { loadConfig, type RelayConfig, USAGE } from './config.js'
export { RELAY_ERROR_STATUS, RelayError, type RelayErrorBody, type RelayErrorCode } from './lib/errors.js'
export { hashDid } from './lib/log.js'
export { DEFAULT_LIMITS, type Limits, type RelayOptions } from './lib/options.js'
export { createRelay, RELAY_SERVICE_TYPE } from './relay.js'
export * from './store/index.js'
