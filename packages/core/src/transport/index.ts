/**
 * @module transport
 * Transports: the `Transport` interface and the relay client.
 */
export {
  createRelayClient,
  RELAY_LOGIN_CHALLENGE_TAG,
  RELAY_SERVICE_TYPE,
  RelayResponseError,
  relayLoginChallengeValid,
} from './relay-client.js'
export type * from './types.js'
