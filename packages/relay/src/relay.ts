/**
 * @module relay
 * The mailbox relay: an app factory taking its dependencies (store, resolver, limits, clock).
 */
import type { FastifyInstance } from 'fastify'
import { buildApp } from './lib/app.js'
import type { RelayOptions } from './lib/options.js'

/** The DID service type announcing a relay (`{ type: ['KiltMessagingRelay'], serviceEndpoint: [url] }`). */
export { RELAY_SERVICE_TYPE } from '@kilt-messaging/core'

/**
 * Creates the relay application (not yet listening). Routes: `POST /v1/messages` (deposit one
 * envelope or `{ messages: [...] }`), `POST /v1/auth/challenge`, `POST /v1/auth/token`,
 * `GET /v1/inbox`, `POST /v1/inbox/ack`, `GET /v1/inbox/live` (WebSocket), `GET /healthz`,
 * `GET /readyz`, `GET /metrics`, `GET /v1/openapi.json`. Every rejection is
 * `{ error: { code, message } }`. Calls `store.init()`; the caller closes the store after `app.close()`.
 *
 * @param options - `store` (required), `resolver` (default: offline light DIDs; without a full-DID
 *   resolver, deposits for full-DID receivers are refused), `resolvesFullDids`, `limits`, `clock`,
 *   `logger`, `tokenTtlMs` (15 min), `challengeTtlMs` (2 min), `messageTtlMs` (7 days),
 *   `expireIntervalMs` (60 s), `heartbeatMs` (30 s), `deploymentId`, `cors`, `trustProxy`,
 *   `publicUrl` (the origins login challenges are bound to; default: the listen address's origins,
 *   known once listening — `inject()` tests must set it)
 * @returns a Fastify instance: `inject()` it in tests or `listen()` it
 * @throws MessagingError `ERR_ARGUMENT_INVALID` (as a rejection, before the store is touched) when
 *   `options` is not an object, names an unknown option, or an option has the wrong type or range
 *   (a `store` without the MailboxStore methods, a negative or non-integer limit or lifetime, a
 *   `metricsToken` not of 16..256 characters, ...); the message names the option. The store's
 *   errors from `init`/`deploymentSecret`
 * @example
 * const app = await createRelay({ store: createSqliteStore({ path: 'relay.db' }) })
 * await app.listen({ port: 8080, host: '127.0.0.1' })
 */
export function createRelay(options: RelayOptions): Promise<FastifyInstance> {
  return buildApp(options)
}
