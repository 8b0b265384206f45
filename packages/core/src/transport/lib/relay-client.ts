/**
 * @module transport/lib/relay-client
 * The relay client's implementation: HTTP with `fetch`, live delivery over a WebSocket, DID login,
 * relay discovery through the receiver's `KiltMessagingRelay` service.
 */
import { didOf, validateDidUri } from '../../did/parse.js'
import type { DidDocument } from '../../did/types.js'
import { type ErrorCode, MessagingError } from '../../errors.js'
import { toHex, utf8 } from '../../lib/bytes.js'
import { isRecord } from '../../lib/guards.js'
import type { EncryptedMessage } from '../../message/types.js'
import { createLightResolver } from '../../resolver/light.js'
import type { DidResolutionResult, DidResolver } from '../../resolver/types.js'
import type {
  FetchLike,
  InboxMessage,
  InboxPage,
  RelayClient,
  RelayClientOptions,
  RelayLoginInput,
  RelaySendOptions,
  SendReceipt,
  SubscribeOptions,
  Subscription,
  WebSocketConstructor,
  WebSocketLike,
} from '../types.js'
import { ResponseTooLargeError, readBoundedText } from './bounded-body.js'
import { discoveredRelayRefusal } from './discovery-policy.js'
import { relayLoginChallengeValid } from './login-challenge.js'

/** The DID service type of a KILT messaging relay. */
export const RELAY_SERVICE_TYPE = 'KiltMessagingRelay'

/** Default bound on an inbox page's response body (8 MiB). */
export const DEFAULT_MAX_INBOX_RESPONSE_BYTES = 8 << 20
/** Bound on the response body of every other route (64 KiB; lower when `maxResponseBytes` is lower). */
export const MAX_OTHER_RESPONSE_BYTES = 64 << 10

/** Renews the token this long before it expires (ms). */
const RENEW_MARGIN_MS = 30_000
const MAX_ERROR_TEXT = 200

/** The relay's answer to a failed request, attached as `cause` of an `ERR_TRANSPORT` error. */
export class RelayResponseError extends Error {
  override readonly name = 'RelayResponseError'
  /** HTTP status (0 for a WebSocket error frame). */
  readonly status: number
  /** The relay's error code (`ERR_QUOTA_EXCEEDED`, …), or `''` when the answer had none. */
  readonly code: string

  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

function transportError(message: string, cause?: unknown): MessagingError {
  return new MessagingError('ERR_TRANSPORT', message, cause === undefined ? {} : { cause })
}

function argument(message: string): MessagingError {
  return new MessagingError('ERR_ARGUMENT_INVALID', message)
}

/**
 * Asserts an optional integer option within `min`..`max` (undefined passes).
 * @throws MessagingError ERR_ARGUMENT_INVALID `"<name>" expected an integer of <range>`
 */
export function checkIntegerOption(
  value: unknown,
  name: string,
  min: number,
  max: number,
  range = `${min}..${max}`,
): void {
  if (
    value !== undefined &&
    (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
  )
    throw argument(`"${name}" expected an integer of ${range}`)
}

/** Parses a relay base URL (http/https), always ending with `/` so paths resolve beneath it. */
export function relayBase(url: unknown, name = 'url'): URL {
  if (typeof url !== 'string' || url.length > 2048) throw argument(`"${name}" expected a URL string`)
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw argument(`"${name}" is not a URL`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw argument(`"${name}" must be an http(s) URL`)
  if (u.username !== '' || u.password !== '') throw argument(`"${name}" must not carry credentials`)
  u.search = ''
  u.hash = ''
  if (!u.pathname.endsWith('/')) u.pathname += '/'
  return u
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message.slice(0, MAX_ERROR_TEXT) : 'unknown error'
}

function checkEnvelope(envelope: unknown): EncryptedMessage {
  if (!isRecord(envelope)) throw new MessagingError('ERR_ENVELOPE_INVALID', 'envelope expected an object')
  const { ciphertext, nonce, senderKeyUri, receiverKeyUri } = envelope
  if (typeof ciphertext !== 'string' || typeof nonce !== 'string')
    throw new MessagingError('ERR_ENVELOPE_INVALID', 'envelope "ciphertext" and "nonce" expected hex strings')
  try {
    validateDidUri(senderKeyUri, 'ResourceUri')
    validateDidUri(receiverKeyUri, 'ResourceUri')
  } catch (e) {
    throw new MessagingError('ERR_ENVELOPE_INVALID', 'envelope key URIs expected KILT DID resource URIs', {
      cause: e,
    })
  }
  return envelope as unknown as EncryptedMessage
}

function checkInboxMessage(x: unknown): InboxMessage {
  if (!isRecord(x) || typeof x.id !== 'string' || !isRecord(x.envelope))
    throw transportError('relay sent a malformed inbox message')
  return { id: x.id, envelope: x.envelope as unknown as EncryptedMessage }
}

function checkIds(ids: unknown): readonly string[] {
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id.length > 0))
    throw argument('"ids" expected a non-empty array of message ids')
  return ids as string[]
}

/** The `KiltMessagingRelay` http(s) endpoints of a DID document, in document order. */
function relayEndpoints(document: DidDocument | undefined): string[] {
  const found: string[] = []
  for (const service of document?.service ?? []) {
    if (!service.type.includes(RELAY_SERVICE_TYPE)) continue
    for (const endpoint of service.serviceEndpoint)
      if (endpoint.startsWith('https://') || endpoint.startsWith('http://')) found.push(endpoint)
  }
  return found
}

/** Why a resolution result cannot tell the receiver's relay, with the resolver's code; null when usable. */
function unresolved(result: DidResolutionResult): { code: ErrorCode; why: string } | null {
  const detail =
    typeof result.errorMessage === 'string' && result.errorMessage !== ''
      ? `: ${result.errorMessage.slice(0, MAX_ERROR_TEXT)}`
      : ''
  switch (result.error) {
    case undefined:
      break
    case 'notFound':
      return { code: 'ERR_DID_NOT_FOUND', why: `the receiver DID was not found${detail}` }
    case 'deactivated':
      return { code: 'ERR_DID_DEACTIVATED', why: 'the receiver DID is deactivated' }
    case 'invalidDid':
    case 'methodNotSupported':
      return {
        code: 'ERR_DID_INVALID',
        why: `the resolver refused the receiver DID (${result.error})${detail}`,
      }
    default:
      return {
        code: 'ERR_RESOLVER_FAILED',
        why: `resolving the receiver DID failed (${String(result.error).slice(0, 64)})${detail}`,
      }
  }
  if (result.metadata.deactivated === true)
    return { code: 'ERR_DID_DEACTIVATED', why: 'the receiver DID is deactivated' }
  if (result.document === undefined)
    return { code: 'ERR_DID_NOT_FOUND', why: 'the resolver returned no document for the receiver DID' }
  return null
}

/**
 * Settles with `promise`, or rejects with ERR_TRANSPORT as soon as `signal` aborts (a resolver that
 * ignores the signal must not hold the caller past its deadline).
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  const aborted = (): MessagingError => {
    const r: unknown = signal.reason
    const timedOut = typeof r === 'object' && r !== null && (r as { name?: unknown }).name === 'TimeoutError'
    return transportError(`${what} ${timedOut ? 'timed out' : 'was aborted'}`, r)
  }
  if (signal.aborted) {
    promise.catch(() => {})
    return Promise.reject(aborted())
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted())
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

interface Token {
  readonly value: string
  readonly expiresAt: number
}

/** Builds the client; arguments were checked by the public factory. */
export function relayClient(options: RelayClientOptions): RelayClient {
  const base = options.url === undefined ? undefined : relayBase(options.url)
  const resolver: DidResolver = options.resolver ?? createLightResolver()
  const offlineResolver = options.resolver === undefined
  const fetchFn: FetchLike | undefined =
    options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined)
  const WebSocketImpl: WebSocketConstructor | undefined =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  const timeoutMs = options.timeoutMs ?? 10_000
  const allowInsecureDiscovery = options.allowInsecureDiscovery === true
  const maxInboxBytes = options.maxResponseBytes ?? DEFAULT_MAX_INBOX_RESPONSE_BYTES
  const maxOtherBytes = Math.min(maxInboxBytes, MAX_OTHER_RESPONSE_BYTES)
  let credentials: RelayLoginInput | undefined
  let token: Token | undefined
  let loggingIn: Promise<Token> | undefined

  function own(): URL {
    if (base === undefined) throw argument('the client has no relay "url"')
    return base
  }

  async function call(
    method: 'GET' | 'POST',
    at: URL,
    path: string,
    init: { body?: unknown; bearer?: string; signal?: AbortSignal; maxBytes?: number } = {},
  ): Promise<unknown> {
    if (fetchFn === undefined) throw argument('no fetch available: pass options.fetch')
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = init.signal === undefined ? timeout : AbortSignal.any([init.signal, timeout])
    const headers: Record<string, string> = { accept: 'application/json' }
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`
    let response: Response
    let text: string
    try {
      response = await fetchFn(new URL(path, at).href, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal,
        redirect: 'error',
      })
      text = await readBoundedText(response, init.maxBytes ?? maxOtherBytes)
    } catch (e) {
      if (e instanceof ResponseTooLargeError)
        throw transportError(`relay ${at.origin} sent a response larger than ${e.limit} bytes`, e)
      throw transportError(`relay ${at.origin} unreachable: ${reason(e)}`, e)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (e) {
      parsed = undefined
      if (response.ok) throw transportError(`relay ${at.origin} answered with invalid JSON`, e)
    }
    if (!response.ok) {
      const err = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : {}
      const code = typeof err.code === 'string' ? err.code.slice(0, 64) : ''
      const message =
        typeof err.message === 'string' ? err.message.slice(0, MAX_ERROR_TEXT) : response.statusText
      throw transportError(
        `relay ${at.origin} answered ${response.status}${code === '' ? '' : ` ${code}`}: ${message}`,
        new RelayResponseError(response.status, code, message),
      )
    }
    return parsed
  }

  async function doLogin(input: RelayLoginInput): Promise<Token> {
    const at = own()
    const c = await call('POST', at, 'v1/auth/challenge', { body: { did: input.did } })
    if (!isRecord(c) || typeof c.challenge !== 'string')
      throw transportError('relay sent a malformed challenge')
    // Sign only a challenge naming this relay's origin: another relay's challenge, passed on by a
    // malicious relay, would let it log in there as us.
    if (!relayLoginChallengeValid(c.challenge, at.href))
      throw transportError(`relay ${at.origin} sent a login challenge that is not bound to this relay`)
    const signature = await input.sign(utf8(c.challenge))
    if (!(signature instanceof Uint8Array) || signature.length !== 64)
      throw argument('"sign" must return a 64-byte Uint8Array')
    const t = await call('POST', at, 'v1/auth/token', {
      body: { did: input.did, challenge: c.challenge, keyUri: input.keyUri, signature: toHex(signature) },
    })
    if (!isRecord(t) || typeof t.token !== 'string' || typeof t.expiresAt !== 'number')
      throw transportError('relay sent a malformed token')
    return { value: t.token, expiresAt: t.expiresAt }
  }

  async function currentToken(force = false): Promise<string> {
    if (!force && token !== undefined && token.expiresAt - RENEW_MARGIN_MS > Date.now()) return token.value
    if (credentials === undefined) throw transportError('not logged in: call login() first')
    const creds = credentials
    loggingIn ??= doLogin(creds).finally(() => {
      loggingIn = undefined
    })
    token = await loggingIn
    return token.value
  }

  async function authed(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    maxBytes = maxOtherBytes,
  ): Promise<unknown> {
    const at = own()
    const first = await currentToken()
    try {
      return await call(method, at, path, {
        bearer: first,
        maxBytes,
        ...(body === undefined ? {} : { body }),
      })
    } catch (e) {
      // One retry with a fresh login when the relay refused the token (restarted with a new secret, clock skew).
      if (!(e instanceof MessagingError && e.cause instanceof RelayResponseError && e.cause.status === 401))
        throw e
      const again = await currentToken(true)
      return call(method, at, path, { bearer: again, maxBytes, ...(body === undefined ? {} : { body }) })
    }
  }

  /** One resolution for discovery, bounded by `signal`; resolver exceptions become ERR_TRANSPORT. */
  async function resolveForDiscovery(did: string, signal: AbortSignal): Promise<DidResolutionResult> {
    let result: unknown
    try {
      result = await untilAborted(
        Promise.resolve().then(() => resolver.resolve(did, { signal })),
        signal,
        "discovering the receiver's relay: resolving the receiver DID",
      )
    } catch (e) {
      if (e instanceof MessagingError && e.code === 'ERR_TRANSPORT') throw e
      throw transportError(`discovering the receiver's relay: the resolver failed: ${reason(e)}`, e)
    }
    if (!isRecord(result) || !isRecord(result.metadata))
      throw transportError("discovering the receiver's relay: the resolver returned no result")
    return result as unknown as DidResolutionResult
  }

  /**
   * The receiver's relay endpoint, or null when its DID resolved to a document without a usable
   * `KiltMessagingRelay` service. A DID that cannot be resolved (resolver failure, not found,
   * deactivated) is an error: falling back to the own relay would misroute the mail.
   */
  async function discover(did: string, signal?: AbortSignal): Promise<string | null> {
    const deadline = AbortSignal.timeout(timeoutMs)
    const bound = signal === undefined ? deadline : AbortSignal.any([signal, deadline])
    let result = await resolveForDiscovery(didOf(did), bound)
    const canonical = result.metadata.canonicalId
    if (result.document === undefined && canonical !== undefined)
      result = await resolveForDiscovery(canonical, bound)
    // The default offline resolver cannot know full DIDs at all: that is no outage, and their mail
    // keeps going to the own relay as before.
    if (offlineResolver && result.error === 'notFound') return null
    const failed = unresolved(result)
    if (failed !== null)
      throw transportError(
        `cannot discover the receiver's relay: ${failed.why}`,
        new MessagingError(failed.code, failed.why),
      )
    const endpoints = relayEndpoints(result.document)
    if (endpoints.length === 0) return null
    if (allowInsecureDiscovery) return endpoints[0] ?? null
    // The endpoint is chosen by whoever made the DID: never let it point us into our own network.
    let refusal = ''
    for (const endpoint of endpoints) {
      let u: URL
      try {
        u = relayBase(endpoint, 'discovered relay')
      } catch {
        refusal ||= `${endpoint.slice(0, 100)} is not a URL`
        continue
      }
      const why = discoveredRelayRefusal(u)
      if (why === null) return endpoint
      refusal ||= `${u.origin} is refused: ${why}`
    }
    throw transportError(
      `the receiver's KiltMessagingRelay endpoint ${refusal} (discovered endpoints must be public https; allowInsecureDiscovery opts out)`,
    )
  }

  const client: RelayClient = {
    async send(envelope: EncryptedMessage, sendOptions: RelaySendOptions = {}): Promise<SendReceipt> {
      const e = checkEnvelope(envelope)
      if (typeof sendOptions !== 'object' || sendOptions === null)
        throw argument('"options" expected an object')
      let target: URL
      if (sendOptions.relay !== undefined) target = relayBase(sendOptions.relay, 'relay')
      else {
        const found = await discover(e.receiverKeyUri, sendOptions.signal)
        if (found !== null) target = relayBase(found, 'discovered relay')
        else if (base !== undefined) target = base
        else
          throw transportError(
            'the receiver DID announces no KiltMessagingRelay service and no relay was given',
          )
      }
      const r = await call('POST', target, 'v1/messages', {
        body: {
          ciphertext: e.ciphertext,
          nonce: e.nonce,
          senderKeyUri: e.senderKeyUri,
          receiverKeyUri: e.receiverKeyUri,
        },
        ...(sendOptions.signal === undefined ? {} : { signal: sendOptions.signal }),
      })
      if (!isRecord(r) || typeof r.id !== 'string' || typeof r.receivedAt !== 'number')
        throw transportError('relay sent a malformed receipt')
      return { id: r.id, receivedAt: r.receivedAt }
    },

    async login(input: RelayLoginInput) {
      if (!isRecord(input)) throw argument('"input" expected an object')
      validateDidUri(input.did, 'Did')
      validateDidUri(input.keyUri, 'ResourceUri')
      if (typeof input.sign !== 'function') throw argument('"sign" expected a function')
      own()
      const t = await doLogin(input)
      credentials = { did: input.did, keyUri: input.keyUri, sign: input.sign }
      token = t
      return { expiresAt: t.expiresAt }
    },

    async fetchInbox(page: { after?: string; limit?: number } = {}): Promise<InboxPage> {
      if (!isRecord(page)) throw argument('"options" expected an object')
      const q = new URLSearchParams()
      if (page.after !== undefined) {
        if (typeof page.after !== 'string') throw argument('"after" expected a message id')
        q.set('after', page.after)
      }
      if (page.limit !== undefined) {
        if (!Number.isSafeInteger(page.limit) || page.limit < 1)
          throw argument('"limit" expected a positive integer')
        q.set('limit', String(page.limit))
      }
      const query = q.toString()
      const r = await authed('GET', `v1/inbox${query === '' ? '' : `?${query}`}`, undefined, maxInboxBytes)
      if (!isRecord(r) || !Array.isArray(r.messages))
        throw transportError('relay sent a malformed inbox page')
      const cursor = typeof r.cursor === 'string' ? r.cursor : null
      return { messages: r.messages.map(checkInboxMessage), cursor }
    },

    async ack(ids: readonly string[]): Promise<number> {
      const checked = checkIds(ids)
      const r = await authed('POST', 'v1/inbox/ack', { ids: checked })
      if (!isRecord(r) || typeof r.deleted !== 'number')
        throw transportError('relay sent a malformed ack answer')
      return r.deleted
    },

    subscribe(onMessage, subscribeOptions: SubscribeOptions = {}): Subscription {
      if (typeof onMessage !== 'function') throw argument('"onMessage" expected a function')
      if (WebSocketImpl === undefined) throw argument('no WebSocket available: pass options.WebSocket')
      const WS = WebSocketImpl
      const at = own()
      if (typeof subscribeOptions !== 'object' || subscribeOptions === null)
        throw argument('"options" expected an object')
      checkIntegerOption(subscribeOptions.timeoutMs, 'timeoutMs', 1, 600_000)
      checkIntegerOption(subscribeOptions.pingIntervalMs, 'pingIntervalMs', 0, 3_600_000)
      return subscribeLive(
        WS,
        at,
        currentToken,
        onMessage,
        subscribeOptions,
        maxInboxBytes,
        () => {
          token = undefined
        },
        timeoutMs,
      )
    },

    discover(did: string, discoverOptions: { signal?: AbortSignal } = {}) {
      validateDidUri(did)
      if (!isRecord(discoverOptions)) throw argument('"options" expected an object')
      return discover(did, discoverOptions.signal)
    },
  }
  return Object.freeze(client)
}

/** Close code of a connection the client gives up on (no `ready`, no answer to a ping or an ack). */
const CLIENT_TIMEOUT_CLOSE = 4000

/** A frame the relay answers in order: an ack (resolved by `acked`) or a keep-alive ping (`pong`). */
type Outstanding =
  | {
      readonly kind: 'ack'
      readonly resolve: (n: number) => void
      readonly reject: (e: Error) => void
      readonly timer: ReturnType<typeof setTimeout>
    }
  | { readonly kind: 'ping' }

function subscribeLive(
  WS: WebSocketConstructor,
  at: URL,
  getToken: () => Promise<string>,
  onMessage: (message: InboxMessage) => void | Promise<void>,
  options: SubscribeOptions,
  maxFrameChars: number,
  dropToken: () => void,
  defaultTimeoutMs: number,
): Subscription {
  const minDelay = options.minDelayMs ?? 500
  const maxDelay = options.maxDelayMs ?? 30_000
  const deadlineMs = options.timeoutMs ?? defaultTimeoutMs
  const pingEvery = options.pingIntervalMs ?? 30_000
  const report = (e: Error): void => {
    try {
      options.onError?.(e)
    } catch {
      // A throwing error handler must not stop the subscription.
    }
  }
  const url = new URL('v1/inbox/live', at)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  let closed = false
  let socket: WebSocketLike | undefined
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Per connection: the `ready` deadline, then the backoff reset once the connection proved stable. */
  let readyTimer: ReturnType<typeof setTimeout> | undefined
  let stableTimer: ReturnType<typeof setTimeout> | undefined
  let pingTimer: ReturnType<typeof setInterval> | undefined
  let pongTimer: ReturnType<typeof setTimeout> | undefined
  let outstanding: Outstanding[] = []
  let chain: Promise<void> = Promise.resolve()

  const failOutstanding = (e: Error): void => {
    const o = outstanding
    outstanding = []
    for (const x of o)
      if (x.kind === 'ack') {
        clearTimeout(x.timer)
        x.reject(e)
      }
  }

  const stopTimers = (): void => {
    clearTimeout(readyTimer)
    clearTimeout(stableTimer)
    clearInterval(pingTimer)
    clearTimeout(pongTimer)
    readyTimer = stableTimer = pingTimer = pongTimer = undefined
  }

  const schedule = (): void => {
    if (closed) return
    const exp = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 30))
    const delay = exp / 2 + Math.random() * (exp / 2)
    attempt++
    timer = setTimeout(() => void connect(), delay)
  }

  /** The current connection ended (closed by the relay, or given up by us): fail its acks, reconnect. */
  const lost = (ws: WebSocketLike, why: string): void => {
    if (socket !== ws) return
    socket = undefined
    stopTimers()
    failOutstanding(transportError(why))
    schedule()
  }

  /**
   * Gives up on a connection that stopped answering. Its events are ignored from now on: a half-open
   * socket may take long to report its close, and the reconnect must not wait for it.
   */
  const abandon = (ws: WebSocketLike, why: string): void => {
    if (socket !== ws) return
    report(transportError(why))
    const ignore = (): void => {}
    ws.onopen = ignore
    ws.onmessage = ignore
    ws.onerror = ignore
    ws.onclose = ignore
    try {
      ws.close(CLIENT_TIMEOUT_CLOSE, 'timeout')
    } catch {
      // Closing a socket that is still connecting may throw in some implementations.
    }
    lost(ws, why)
  }

  const sendPing = (ws: WebSocketLike): void => {
    if (socket !== ws || pongTimer !== undefined) return
    outstanding.push({ kind: 'ping' })
    pongTimer = setTimeout(
      () =>
        abandon(
          ws,
          `live connection to ${url.origin}: no answer to a keep-alive ping within ${deadlineMs} ms`,
        ),
      deadlineMs,
    )
    try {
      ws.send('{"type":"ping"}')
    } catch (e) {
      abandon(ws, `live connection to ${url.origin} failed: ${reason(e)}`)
    }
  }

  const onReady = (ws: WebSocketLike): void => {
    clearTimeout(readyTimer)
    readyTimer = undefined
    // The backoff is reset only once the connection stayed up: a relay that sends `ready` and then
    // closes at once (its store failing) must not be reconnected to in a tight loop.
    clearTimeout(stableTimer)
    stableTimer = setTimeout(() => {
      attempt = 0
    }, maxDelay)
    if (pingEvery > 0 && pingTimer === undefined) pingTimer = setInterval(() => sendPing(ws), pingEvery)
    try {
      options.onOpen?.()
    } catch (e) {
      // A throwing onOpen must not escape into the WebSocket implementation.
      report(e instanceof Error ? e : transportError('onOpen failed'))
    }
  }

  const onFrame = (ws: WebSocketLike, data: unknown): void => {
    if (closed || socket !== ws) return
    // Any frame shows the connection is alive.
    clearTimeout(pongTimer)
    pongTimer = undefined
    if (typeof data !== 'string') return
    if (data.length > maxFrameChars) {
      report(transportError(`relay sent a frame larger than ${maxFrameChars} characters`))
      return
    }
    let frame: unknown
    try {
      frame = JSON.parse(data)
    } catch {
      report(transportError('relay sent a frame that is not JSON'))
      return
    }
    if (!isRecord(frame)) return
    if (frame.type === 'ready') {
      onReady(ws)
    } else if (frame.type === 'message') {
      let message: InboxMessage
      try {
        message = checkInboxMessage(frame)
      } catch (e) {
        report(e as Error)
        return
      }
      // Handlers run one at a time, in delivery order, and never after close().
      chain = chain.then(async () => {
        if (closed) return
        try {
          await onMessage(message)
        } catch (e) {
          report(e instanceof Error ? e : transportError('onMessage failed'))
        }
      })
    } else if (frame.type === 'pong') {
      if (outstanding[0]?.kind === 'ping') outstanding.shift()
    } else if (frame.type === 'acked') {
      // The relay answers in order: pings before this ack were answered (or lost) already.
      while (outstanding[0]?.kind === 'ping') outstanding.shift()
      const head = outstanding.shift()
      if (head?.kind === 'ack') {
        clearTimeout(head.timer)
        head.resolve(typeof frame.deleted === 'number' ? frame.deleted : 0)
      }
    } else if (frame.type === 'error') {
      const err = isRecord(frame.error) ? frame.error : {}
      const code = typeof err.code === 'string' ? err.code.slice(0, 64) : ''
      const message = typeof err.message === 'string' ? err.message.slice(0, MAX_ERROR_TEXT) : ''
      const e = transportError(`relay error ${code}: ${message}`, new RelayResponseError(0, code, message))
      if (code === 'ERR_REQUEST_INVALID' || code === 'ERR_UNAVAILABLE') {
        const head = outstanding.shift()
        // A relay without keep-alive pings refuses them: the answer still proves the connection alive.
        if (head?.kind === 'ping') return
        if (head?.kind === 'ack') {
          clearTimeout(head.timer)
          head.reject(e)
        }
      }
      report(e)
    }
  }

  const connect = async (): Promise<void> => {
    timer = undefined
    if (closed) return
    let token: string
    try {
      token = await getToken()
    } catch (e) {
      report(e instanceof Error ? e : transportError('login failed'))
      schedule()
      return
    }
    if (closed) return
    let ws: WebSocketLike
    try {
      ws = new WS(url.href)
    } catch (e) {
      report(transportError(`cannot open ${url.origin}: ${reason(e)}`, e))
      schedule()
      return
    }
    socket = ws
    // A relay that never answers the upgrade or the auth frame would leave the subscription dead.
    readyTimer = setTimeout(
      () => abandon(ws, `live connection to ${url.origin}: not ready within ${deadlineMs} ms`),
      deadlineMs,
    )
    ws.onopen = () => {
      if (socket === ws) ws.send(JSON.stringify({ type: 'auth', token }))
    }
    ws.onmessage = (event) => onFrame(ws, event.data)
    ws.onerror = () => {
      if (socket === ws) report(transportError(`live connection to ${url.origin} failed`))
    }
    ws.onclose = (event) => {
      if (socket !== ws || closed) return
      // 4401: token refused or expired; the next attempt logs in again.
      if (event.code === 4401) dropToken()
      lost(ws, `live connection closed (${event.code})`)
    }
  }

  void connect()
  return {
    ack(ids: readonly string[]): Promise<number> {
      let checked: readonly string[]
      try {
        checked = checkIds(ids)
      } catch (e) {
        return Promise.reject(e)
      }
      const ws = socket
      if (ws === undefined || ws.readyState !== 1 || closed)
        return Promise.reject(transportError('the live connection is not open'))
      return new Promise<number>((resolve, reject) => {
        // An unanswered ack means the connection is stuck: give it up (the relay sends un-acked
        // envelopes again on the next connection).
        const timer = setTimeout(() => {
          const i = outstanding.findIndex((x) => x.kind === 'ack' && x.timer === timer)
          if (i >= 0) outstanding.splice(i, 1)
          reject(
            transportError(`live connection to ${url.origin}: no answer to an ack within ${deadlineMs} ms`),
          )
          abandon(ws, `live connection to ${url.origin}: no answer to an ack within ${deadlineMs} ms`)
        }, deadlineMs)
        outstanding.push({ kind: 'ack', resolve, reject, timer })
        ws.send(JSON.stringify({ type: 'ack', ids: checked }))
      })
    },
    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      stopTimers()
      failOutstanding(transportError('subscription closed'))
      socket?.close(1000, 'bye')
      socket = undefined
    },
  }
}
