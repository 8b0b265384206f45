/**
 * @module transport/relay-client
 * The client of a KILT messaging relay: deposit envelopes (with relay discovery), log in with the
 * DID's authentication key, fetch, stream and acknowledge the own mailbox. Isomorphic: `fetch`
 * and `WebSocket` come from the platform or the options.
 */
import { MessagingError } from '../errors.js'
import { RELAY_LOGIN_CHALLENGE_TAG, relayLoginChallengeValid } from './lib/login-challenge.js'
import {
  checkIntegerOption,
  RELAY_SERVICE_TYPE,
  RelayResponseError,
  relayBase,
  relayClient,
} from './lib/relay-client.js'
import type { RelayClient, RelayClientOptions } from './types.js'

export { RELAY_LOGIN_CHALLENGE_TAG, RELAY_SERVICE_TYPE, RelayResponseError, relayLoginChallengeValid }

/**
 * Creates a relay client.
 *
 * `send(envelope, { relay? })` posts to `relay` when given; otherwise it resolves the receiver DID
 * and delivers to the endpoint of its `KiltMessagingRelay` service (light DIDs can carry services),
 * falling back to `url` only when the receiver's DID document announces none (a resolver failure,
 * an unknown or a deactivated receiver rejects with ERR_TRANSPORT; discovery honours `timeoutMs`
 * and `send`'s `signal`). A discovered endpoint is chosen by the DID's creator, so it must be public
 * `https:` (no loopback, private, link-local, unique-local or unspecified address literal, no
 * `localhost`; ERR_TRANSPORT otherwise) unless `allowInsecureDiscovery` is set. The other methods work on the own mailbox at `url`: `login({ did, keyUri,
 * sign })` (challenge → signature by the authentication key → token; logs in again when the token
 * expires; only a challenge bound to this relay's origin is signed, see
 * {@link relayLoginChallengeValid}), `fetchInbox`, `ack`, and `subscribe` (WebSocket; reconnects with exponential backoff
 * and jitter, reset only after a connection stayed up for `maxDelayMs`; deadlines on the `ready`
 * frame, on keep-alive pings every `pingIntervalMs` and on each ack over the socket).
 *
 * @param options - `url` (http/https base URL of the own relay), `resolver` (default: offline light
 *   DIDs), `fetch` (default `globalThis.fetch`), `WebSocket` (default `globalThis.WebSocket`; pass
 *   `ws`'s on Node 20), `timeoutMs` (per request, default 10,000), `allowInsecureDiscovery` (default
 *   false: see above; for tests and local demos only), `maxResponseBytes` (inbox pages, default 8 MiB;
 *   other routes at most 64 KiB)
 * @returns a {@link RelayClient}
 * @throws MessagingError ERR_ARGUMENT_INVALID for malformed options. The client's methods throw
 *   ERR_TRANSPORT (unreachable relay, timeouts, oversized responses, refusals: the relay's code is in the message and in
 *   `cause` as a {@link RelayResponseError}), ERR_ENVELOPE_INVALID, ERR_ARGUMENT_INVALID and the DID
 *   codes for malformed DIDs.
 * @example
 * import { WebSocket } from 'ws'
 * const client = createRelayClient({ url: 'https://relay.example', WebSocket })
 * await client.send(envelope) // discovers the receiver's relay
 * await client.login({ did, keyUri: `${did}#authentication`, sign: (data) => authKey.sign(data) })
 * const sub = client.subscribe(async (m) => { await handle(m.envelope); await sub.ack([m.id]) })
 */
export function createRelayClient(options: RelayClientOptions = {}): RelayClient {
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  if (options.url !== undefined) relayBase(options.url)
  if (options.fetch !== undefined && typeof options.fetch !== 'function')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"fetch" expected a function')
  if (options.WebSocket !== undefined && typeof options.WebSocket !== 'function')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"WebSocket" expected a constructor')
  if (
    options.resolver !== undefined &&
    (typeof options.resolver !== 'object' ||
      options.resolver === null ||
      typeof options.resolver.resolve !== 'function')
  )
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"resolver" expected a DidResolver')
  checkIntegerOption(options.timeoutMs, 'timeoutMs', 1, 600_000)
  checkIntegerOption(options.maxResponseBytes, 'maxResponseBytes', 1024, 1 << 30, '1024..2^30')
  if (options.allowInsecureDiscovery !== undefined && typeof options.allowInsecureDiscovery !== 'boolean')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"allowInsecureDiscovery" expected a boolean')
  return relayClient(options)
}
