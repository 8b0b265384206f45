/**
 * @module transport/types
 * The transport interface (email, file, browser and relay transports implement it) and the relay
 * client's types.
 */
import type { DidResourceUri, DidUri } from '../did/types.js'
import type { EncryptedMessage } from '../message/types.js'
import type { DidResolver } from '../resolver/types.js'

/** Per-send options of a transport. */
export interface SendOptions {
  /** Aborts the send (for the relay client: relay discovery too). */
  readonly signal?: AbortSignal
}

/** The receipt of a delivered envelope. */
export interface SendReceipt {
  /** The id the carrier gave the envelope. */
  readonly id: string
  /** The carrier's time of receipt (ms since the epoch). */
  readonly receivedAt: number
}

/** Carries an encrypted envelope towards its receiver. */
export interface Transport {
  /**
   * Delivers one envelope. Resolves once the carrier has taken responsibility for it (for the
   * relay: after its durable commit).
   */
  send(envelope: EncryptedMessage, options?: SendOptions): Promise<SendReceipt>
}

/**
 * An event handler slot, checked bivariantly (as DOM typings do) so that both the browser's
 * `WebSocket` and the `ws` package's fit {@link WebSocketLike}.
 */
export type WebSocketHandler<E> = { bivarianceHack(event: E): void }['bivarianceHack'] | null

/** A minimal WebSocket, as in browsers (`globalThis.WebSocket`) and the `ws` package. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: WebSocketHandler<unknown>
  onmessage: WebSocketHandler<{ readonly data: unknown }>
  onclose: WebSocketHandler<{ readonly code: number; readonly reason: string }>
  onerror: WebSocketHandler<unknown>
}

/** A WebSocket constructor. */
export type WebSocketConstructor = new (url: string) => WebSocketLike

/** The fetch function (`globalThis.fetch` by default). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

/** Options of `createRelayClient`. */
export interface RelayClientOptions {
  /** The relay's base URL (http or https): the own mailbox, and the default target of `send`. */
  readonly url?: string
  /** Resolves receiver DIDs for relay discovery (their `KiltMessagingRelay` service). Default: offline light DIDs. */
  readonly resolver?: DidResolver
  /** Default `globalThis.fetch`. */
  readonly fetch?: FetchLike
  /** Default `globalThis.WebSocket` (pass `ws`'s `WebSocket` on Node 20). */
  readonly WebSocket?: WebSocketConstructor
  /**
   * Timeout of each HTTP request and of relay discovery (ms); also the default deadline of the
   * live connection's exchanges (see `SubscribeOptions.timeoutMs`). Default 10,000.
   */
  readonly timeoutMs?: number
  /**
   * Accept any http(s) endpoint discovered in a receiver DID (default false). By default a
   * discovered `KiltMessagingRelay` endpoint must be `https:` and must not name a loopback,
   * private, link-local, unique-local or unspecified address literal, nor `localhost` (the DID's
   * creator chooses the endpoint). Set it only for tests and local demos with loopback relays.
   * Endpoints given explicitly (`url`, `send`'s `relay`) are never restricted.
   */
  readonly allowInsecureDiscovery?: boolean
  /**
   * The largest response body accepted for an inbox page, in bytes (default 8 MiB); every other
   * route accepts at most the smaller of this and 64 KiB. A larger answer is cut off with
   * ERR_TRANSPORT. Live frames are bounded by the same number (in characters).
   */
  readonly maxResponseBytes?: number
}

/** Options of `RelayClient.send`. */
export interface RelaySendOptions extends SendOptions {
  /**
   * The relay to deliver to. Default: discovered from the receiver DID (bounded by `timeoutMs` and
   * `signal`); the client's `url` when the receiver's DID document announces no relay. A receiver DID
   * that cannot be resolved (resolver failure, not found, deactivated) rejects with ERR_TRANSPORT
   * instead of falling back.
   */
  readonly relay?: string
}

/** Login input: the DID and a signer holding its authentication key. */
export interface RelayLoginInput {
  readonly did: DidUri
  /** The authentication key URI (sr25519 or ed25519). */
  readonly keyUri: DidResourceUri
  /** Signs bytes with the authentication key; returns the 64-byte signature. */
  readonly sign: (data: Uint8Array) => Promise<Uint8Array> | Uint8Array
}

/** A queued envelope in the own mailbox. */
export interface InboxMessage {
  /** The relay's id (for `ack`). */
  readonly id: string
  /** The envelope, with the relay's `receivedAt`. */
  readonly envelope: EncryptedMessage
}

/** One inbox page. */
export interface InboxPage {
  readonly messages: readonly InboxMessage[]
  /** The last id of this page (pass as `after`), or null when empty. */
  readonly cursor: string | null
}

/** Options of `RelayClient.subscribe`. */
export interface SubscribeOptions {
  /** Errors that do not end the subscription (a failed connection, a relay error frame). */
  readonly onError?: (error: Error) => void
  /**
   * Called on every (re)connection once authenticated. An exception it throws is passed to
   * `onError` and does not end the subscription.
   */
  readonly onOpen?: () => void
  /** First reconnect delay (ms). Default 500. */
  readonly minDelayMs?: number
  /**
   * Largest reconnect delay (ms). Default 30,000. The backoff starts again from `minDelayMs` only
   * after a connection stayed authenticated this long (a relay that accepts and then drops every
   * connection is retried ever more slowly).
   */
  readonly maxDelayMs?: number
  /**
   * Deadline (ms, integer 1..600,000) of each exchange on the live connection: the upgrade and
   * `ready` frame after connecting, the answer to a keep-alive ping, the answer to each `ack`. A
   * connection that misses it is closed (code 4000) and replaced with backoff; an unanswered `ack`
   * rejects with ERR_TRANSPORT. Default: the client's `timeoutMs` (10,000).
   */
  readonly timeoutMs?: number
  /**
   * Period (ms, integer 0..3,600,000) of `{"type":"ping"}` keep-alive frames once authenticated;
   * a connection on which nothing arrives within `timeoutMs` after a ping is replaced. 0 turns the
   * pings off. Default 30,000.
   */
  readonly pingIntervalMs?: number
}

/** A live subscription. */
export interface Subscription {
  /**
   * Acknowledges (deletes) envelopes over the socket; resolves with the number deleted. Rejects
   * with ERR_TRANSPORT when the connection is not open, closes first, or does not answer within
   * the subscription's `timeoutMs` (the connection is then replaced).
   */
  ack(ids: readonly string[]): Promise<number>
  /** Stops the subscription and closes the socket. No handler call starts after it. */
  close(): void
}

/** The relay client. */
export interface RelayClient extends Transport {
  send(envelope: EncryptedMessage, options?: RelaySendOptions): Promise<SendReceipt>
  /** Logs in (challenge → signature → token). The signer is kept to log in again when the token expires. */
  login(input: RelayLoginInput): Promise<{ readonly expiresAt: number }>
  /** Lists the own mailbox, oldest first. */
  fetchInbox(options?: { readonly after?: string; readonly limit?: number }): Promise<InboxPage>
  /** Deletes envelopes from the own mailbox; resolves with the number deleted. */
  ack(ids: readonly string[]): Promise<number>
  /** Streams the own mailbox over WebSocket, reconnecting with exponential backoff and jitter. */
  subscribe(
    onMessage: (message: InboxMessage) => void | Promise<void>,
    options?: SubscribeOptions,
  ): Subscription
  /**
   * Finds the relay of a DID (its first acceptable `KiltMessagingRelay` service endpoint), or null
   * when its DID document announces none. Throws ERR_TRANSPORT when it announces only endpoints
   * refused by the discovery policy (see `allowInsecureDiscovery`), and when the DID cannot be
   * resolved: the resolver failed or threw, the DID was not found or is deactivated (`cause` is a
   * MessagingError with the resolver's code: ERR_RESOLVER_FAILED, ERR_DID_NOT_FOUND,
   * ERR_DID_DEACTIVATED, ERR_DID_INVALID), or resolution took longer than the client's `timeoutMs`
   * or `options.signal` aborted. With the default offline resolver a full DID (which it cannot
   * resolve) yields null.
   */
  discover(did: string, options?: { readonly signal?: AbortSignal }): Promise<string | null>
}
