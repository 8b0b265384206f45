/**
 * @module transport
 * Transports: the `Transport` interface and the relay client.
 */
export { createRelayClient, RELAY_SERVICE_TYPE, RelayResponseError } from './relay-client.js'
export type * from './types.js'
