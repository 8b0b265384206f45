/**
 * @module lib/app
 * The relay's Fastify application: routes, auth, limits, one error handler, metrics, live push.
 * It stores and forwards ciphertext only: nothing here can decrypt.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import fastifyCors from '@fastify/cors'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyWebsocket from '@fastify/websocket'
import {
  createLightResolver,
  type DidResolver,
  didSubject,
  isMessagingError,
  RELAY_LOGIN_CHALLENGE_TAG,
  verifySignature,
} from '@kilt-messaging/core'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify'
import type { WebSocket } from 'ws'
import { MAX_KEY_LENGTH, StoreArgumentError } from '../store/lib/validate.js'
import type { DepositInput } from '../store/types.js'
import { checkDidText, checkEnvelope, isLowerHexFrom } from './envelope.js'
import { RelayError, toRelayError } from './errors.js'
import { checkIds, LiveSession } from './live.js'
import { hashDid } from './log.js'
import { RelayMetrics } from './metrics.js'
import { OPENAPI_DOCUMENT } from './openapi.js'
import { isObject, type RelayOptions, resolveOptions } from './options.js'
import { MAX_ORIGIN_LENGTH, matchOrigin, originsOfAddress } from './public-origins.js'
import { DepositLimiter } from './sender-limiter.js'
import { mintToken, verifyToken } from './token.js'

/** Challenges are `kilt-relay-login/v1\n<relay origin>\n<64 hex>` (core's `relayLoginChallengeValid`). */
const CHALLENGE_TAG = `${RELAY_LOGIN_CHALLENGE_TAG}\n`
const MAX_CHALLENGE_LENGTH = Math.min(CHALLENGE_TAG.length + MAX_ORIGIN_LENGTH + 1 + 64, MAX_KEY_LENGTH)
const CURSOR_RE = /^[0-9A-Za-z_-]{1,128}$/
const AUTH_TIMEOUT_MS = 10_000
const WS_MAX_PAYLOAD = 128 * 1024
const WS_HIGH_WATER = 1024 * 1024
/** Most client frames of one live session waiting to be processed. */
const MAX_QUEUED_FRAMES = 64
const TEXT = new TextEncoder()

function requestInvalid(message: string): RelayError {
  return new RelayError('ERR_REQUEST_INVALID', message)
}

function exactKeys(body: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isObject(body)) throw requestInvalid('body must be a JSON object')
  for (const k of Object.keys(body))
    if (!keys.includes(k)) throw requestInvalid(`unknown field "${k.slice(0, 40)}"`)
  return body
}

function checkDid(value: unknown, name: string): string {
  return checkDidText(value, name, 'Did', 'ERR_REQUEST_INVALID')
}

/**
 * Awaits a store call, mapping a value the store refuses to `refused` (the client's fault: a 4xx,
 * never logged as an outage) and any other failure (thrown or rejected) to `ERR_UNAVAILABLE` (503).
 *
 * @param call - the store operation
 * @param refused - the answer when the store refuses an argument (default 400 ERR_REQUEST_INVALID)
 * @returns what the store returned
 * @throws RelayError `refused`'s code when the store refuses an argument, ERR_UNAVAILABLE when it fails
 * @example
 * const page = await fromStore(() => store.list(mailbox, { limit, now }))
 */
async function fromStore<T>(
  call: () => Promise<T>,
  refused: (cause: unknown) => RelayError = (cause) =>
    new RelayError('ERR_REQUEST_INVALID', 'a value of the request is not accepted', { cause }),
): Promise<T> {
  try {
    return await call()
  } catch (e) {
    if (e instanceof StoreArgumentError) throw refused(e)
    throw new RelayError('ERR_UNAVAILABLE', 'the store is unavailable', { cause: e })
  }
}

/**
 * The first messages whose sizes sum to at most `maxBytes`, and always the first one (so a reader
 * gets past an envelope larger than the budget). The stores cut there already; this also bounds a
 * custom store that ignores `maxBytes`.
 */
function withinBytes<T extends { readonly size: number }>(
  page: readonly T[],
  maxBytes: number,
): readonly T[] {
  let bytes = 0
  let n = 0
  while (n < page.length && (n === 0 || bytes + page[n]!.size <= maxBytes)) bytes += page[n++]!.size
  return n === page.length ? page : page.slice(0, n)
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization
  if (typeof h !== 'string') return undefined
  return h.startsWith('Bearer ') ? h.slice(7).trim() : undefined
}

/** True when `header` is `Bearer <token>` (compared through SHA-256 digests in constant time). */
function bearerMatches(header: string | undefined, token: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(header.slice(7)), digest(token))
}

/**
 * Builds the relay application (not listening). See `createRelay` for the public contract.
 * @throws MessagingError ERR_ARGUMENT_INVALID on malformed options (checked by `resolveOptions`)
 */
export async function buildApp(options: RelayOptions): Promise<FastifyInstance> {
  const opts = resolveOptions(options)
  const { limits, clock, store } = opts
  const resolver: DidResolver = opts.resolver ?? createLightResolver()
  const metrics = new RelayMetrics()
  const depositLimiter = new DepositLimiter(
    limits.ipMailboxDepositsPerMinute,
    limits.mailboxDepositsPerMinute,
    60_000,
  )
  const quota = { maxCount: limits.mailboxMaxCount, maxBytes: limits.mailboxMaxBytes }

  // The configured public origins, or (once listening) the listen address's.
  let derivedOrigins: readonly string[] | undefined
  const servedOrigins = (): readonly string[] => {
    if (opts.publicOrigins !== undefined) return opts.publicOrigins
    derivedOrigins ??= originsOfAddress(app.server.listening ? app.server.address() : null)
    return derivedOrigins ?? []
  }

  await store.init()
  const secret = await store.deploymentSecret()

  const base = {
    // Request logging is ours (onResponse): method, route pattern, status, time. Never the query
    // string (it may carry a token), headers or bodies.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.maxSmallRequestBytes,
    trustProxy: opts.trustProxy,
    // Fastify's own 503 while closing has its own body; ours (onRequest below) has the error shape.
    return503OnClosing: false,
  }
  const app: FastifyInstance =
    opts.logger === undefined || opts.logger === false
      ? Fastify({ ...base, logger: opts.logger === undefined ? { level: 'info' } : false })
      : (Fastify({ ...base, loggerInstance: opts.logger }) as unknown as FastifyInstance)
  app.removeContentTypeParser('text/plain')

  const sessions = new Map<string, Set<LiveSession>>()
  let liveCount = 0
  const unsubscribe = store.onDeposit((mailbox) => {
    const set = sessions.get(mailbox)
    if (set !== undefined) for (const s of set) s.notify()
  })

  let expireTimer: NodeJS.Timeout | undefined
  // A sweep slower than the interval (a large backlog, a slow database) is not joined by another:
  // sweeps would pile up, contending for the same rows and locks. The tick is skipped instead.
  let sweeping = false
  if (opts.expireIntervalMs > 0) {
    expireTimer = setInterval(() => {
      if (sweeping) return
      sweeping = true
      void (async () => {
        try {
          metrics.expired += await store.expire(clock())
        } catch (e) {
          app.log.warn({ err: e }, 'expiry sweep failed')
        } finally {
          sweeping = false
        }
      })()
    }, opts.expireIntervalMs)
    expireTimer.unref()
  }
  app.addHook('onClose', async () => {
    if (expireTimer !== undefined) clearInterval(expireTimer)
    unsubscribe()
    for (const set of sessions.values()) for (const s of set) s.close(1001, 'server shutting down')
  })

  app.setErrorHandler((error, request, reply) => {
    const re = toRelayError(error)
    metrics.reject(re.code)
    if (re.statusCode >= 500) request.log.error({ err: re.cause ?? error }, re.message)
    if (re.statusCode === 429 && reply.getHeader('retry-after') === undefined)
      reply.header('retry-after', '60')
    return reply.status(re.statusCode).send(re.toBody())
  })
  app.setNotFoundHandler(() => {
    throw new RelayError('ERR_NOT_FOUND', 'not found')
  })
  // Deposits are the hot path: their request lines are logged at debug only (off at the default
  // level, info); other routes at info. Refusals of 5xx are logged by the error handler.
  const DEPOSIT_ROUTE = 'POST /v1/messages'
  const routeLevelOn = (level: string) => level === 'debug' || level === 'trace'
  app.addHook('onResponse', async (request, reply) => {
    const route = `${request.method} ${request.routeOptions.url ?? 'unmatched'}`
    metrics.observe(route, reply.elapsedTime / 1000)
    if (route === DEPOSIT_ROUTE && reply.statusCode < 400) {
      if (routeLevelOn(request.log.level))
        request.log.debug({ route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
      return
    }
    request.log.info({ route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
  })

  if (opts.cors !== undefined) {
    const origins = opts.cors.origins
    await app.register(fastifyCors, {
      origin: origins === '*' ? '*' : [...origins],
      methods: ['GET', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    })
  }
  // Requests still arriving once close() began (pipelined, or on a busy keep-alive connection) are
  // shed with the relay's error shape; after CORS (a browser can read it), before the rate limit.
  let shuttingDown = false
  app.addHook('preClose', async () => {
    shuttingDown = true
  })
  app.addHook('onRequest', async (request, reply) => {
    if (!shuttingDown) return
    // Answered here, not thrown: an expected refusal, not an outage for the error handler to log.
    const re = new RelayError('ERR_UNAVAILABLE', 'the relay is shutting down')
    metrics.reject(re.code)
    if (request.raw.httpVersionMajor < 2) reply.header('connection', 'close')
    return reply.status(re.statusCode).send(re.toBody())
  })
  if (limits.ipRequestsPerMinute > 0)
    await app.register(fastifyRateLimit, {
      max: limits.ipRequestsPerMinute,
      timeWindow: 60_000,
      errorResponseBuilder: () => new RelayError('ERR_RATE_LIMITED', 'too many requests from this address'),
    })
  await app.register(fastifyWebsocket, { options: { maxPayload: WS_MAX_PAYLOAD } })

  function authenticate(token: string | undefined): string {
    if (token === undefined) throw new RelayError('ERR_UNAUTHORIZED', 'a bearer token is required')
    const v = verifyToken(secret, opts.deploymentId, token, clock())
    if (v === null) throw new RelayError('ERR_UNAUTHORIZED', 'invalid or expired token')
    return v.subject
  }

  // ---- deposit ----------------------------------------------------------------------------------
  app.post(
    '/v1/messages',
    { bodyLimit: Math.max(limits.maxRequestBytes, limits.maxEnvelopeBytes + 4096) },
    async (request, reply) => {
      const body = request.body
      const now = clock()
      let items: readonly unknown[]
      let batch = false
      if (isObject(body) && 'messages' in body) {
        exactKeys(body, ['messages'])
        const list = body.messages
        if (!Array.isArray(list) || list.length === 0 || list.length > limits.maxBatch)
          throw requestInvalid(`"messages" must be an array of 1..${limits.maxBatch} envelopes`)
        items = list
        batch = true
      } else items = [body]
      const checked = items.map((item) => checkEnvelope(item, now, limits.maxEnvelopeBytes))
      // Mailbox = DID subject. Without a full-DID resolver a light-DID login proves only the key the
      // address encodes, not that the full DID still authenticates with it: refuse full-DID mail.
      if (!opts.resolvesFullDids && checked.some((c) => c.receiverFullDid))
        throw new RelayError(
          'ERR_ENVELOPE_INVALID',
          'this relay cannot authenticate full DIDs; configure --resolver-url',
        )
      // Keyed by what a sender cannot choose freely (its IP) and what it targets (the mailbox); never
      // by the unauthenticated senderKeyUri.
      const perMailbox = new Map<string, number>()
      for (const c of checked) perMailbox.set(c.mailbox, (perMailbox.get(c.mailbox) ?? 0) + 1)
      const outright = depositLimiter.exceededOutright(perMailbox)
      if (outright !== null)
        throw requestInvalid(
          `the batch holds ${outright.count} deposits into one mailbox, more than the ${
            outright.limit === 'mailbox' ? limits.mailboxDepositsPerMinute : limits.ipMailboxDepositsPerMinute
          } per minute this relay accepts ${
            outright.limit === 'mailbox' ? 'into a mailbox' : 'from one address into a mailbox'
          }: split it`,
        )
      const ticket = depositLimiter.take(request.ip, perMailbox, now)
      if (typeof ticket === 'string')
        throw new RelayError(
          'ERR_RATE_LIMITED',
          ticket === 'mailbox'
            ? "too many deposits into the receiver's mailbox, retry later"
            : "too many deposits from this address into the receiver's mailbox",
        )
      const inputs: DepositInput[] = checked.map((c) => ({
        mailbox: c.mailbox,
        envelope: c.json,
        senderKeyUri: c.senderKeyUri,
        size: c.size,
        receivedAt: now,
        expiresAt: now + opts.messageTtlMs,
      }))
      // The budget was taken before the store call (concurrent requests cannot pass on the same
      // remainder); what the store did not store is given back: all of it when the call failed (it
      // reports no deposit as stored), else the items it refused for a full mailbox.
      let results: Awaited<ReturnType<typeof store.deposit>>
      try {
        results = await fromStore(
          () => store.deposit(inputs, quota),
          (cause) =>
            new RelayError('ERR_ENVELOPE_INVALID', 'an envelope is not accepted by the store', { cause }),
        )
      } catch (e) {
        ticket.refund(perMailbox)
        throw e
      }
      let stored = 0
      let full = 0
      const unstored = new Map<string, number>()
      const out = results.map((r, i) => {
        if (r.id === null) {
          const mailbox = inputs[i]!.mailbox
          unstored.set(mailbox, (unstored.get(mailbox) ?? 0) + 1)
          if (r.error === 'quota') {
            full++
            return {
              error: { code: 'ERR_QUOTA_EXCEEDED' as const, message: "the receiver's mailbox is full" },
            }
          }
          // PostgreSQL: the batch's other items committed before the database failed on these
          return {
            error: { code: 'ERR_UNAVAILABLE' as const, message: 'the store is unavailable, retry later' },
          }
        }
        stored++
        return { id: r.id, receivedAt: now }
      })
      ticket.refund(unstored)
      metrics.deposits += stored
      if (full > 0) metrics.reject('ERR_QUOTA_EXCEEDED')
      if (stored + full < out.length) metrics.reject('ERR_UNAVAILABLE')
      if (stored === 0)
        throw full > 0
          ? new RelayError('ERR_QUOTA_EXCEEDED', "the receiver's mailbox is full")
          : new RelayError('ERR_UNAVAILABLE', 'the store is unavailable, retry later')
      if (routeLevelOn(request.log.level))
        request.log.debug({ mailboxes: checked.map((c) => hashDid(c.mailbox)), stored }, 'deposit')
      return reply.status(201).send(batch ? { results: out } : out[0])
    },
  )

  // ---- login ------------------------------------------------------------------------------------
  app.post('/v1/auth/challenge', async (request) => {
    const body = exactKeys(request.body, ['did'])
    const did = checkDid(body.did, 'did')
    // Bound only to an origin this relay is configured to serve (clients sign only a challenge
    // naming the relay they log in to): the Host header alone is chosen by whoever forwards the
    // request, e.g. a malicious relay passing a victim's login on under its own name.
    let requested: string
    try {
      requested = new URL(`${request.protocol}://${request.host}`).origin
    } catch (e) {
      throw new RelayError('ERR_REQUEST_INVALID', 'the Host header is not a valid host', { cause: e })
    }
    if (requested === 'null' || requested.length > MAX_ORIGIN_LENGTH)
      throw requestInvalid('the Host header is not a valid host')
    const origin = matchOrigin(requested, servedOrigins())
    if (origin === undefined)
      throw requestInvalid(`this relay is not served at ${requested}; configure --public-url`)
    const challenge = `${CHALLENGE_TAG}${origin}\n${randomBytes(32).toString('hex')}`
    const expiresAt = clock() + opts.challengeTtlMs
    await fromStore(() => store.putChallenge(challenge, did, expiresAt))
    return { challenge, expiresAt }
  })

  app.post('/v1/auth/token', async (request) => {
    const body = exactKeys(request.body, ['did', 'challenge', 'keyUri', 'signature'])
    const did = checkDid(body.did, 'did')
    const { challenge, keyUri, signature } = body
    if (
      typeof challenge !== 'string' ||
      challenge.length > MAX_CHALLENGE_LENGTH ||
      !challenge.startsWith(CHALLENGE_TAG)
    )
      throw requestInvalid('"challenge" must be the string from /v1/auth/challenge')
    // Only challenges bound to an origin this relay serves (another instance on the same store may
    // serve other origins, or the configuration changed).
    const challengeOrigin = challenge.slice(CHALLENGE_TAG.length, challenge.lastIndexOf('\n'))
    if (!servedOrigins().includes(challengeOrigin))
      throw new RelayError(
        'ERR_CHALLENGE_INVALID',
        'the challenge is not bound to an origin this relay serves',
      )
    const keyUriText = checkDidText(keyUri, 'keyUri', 'ResourceUri', 'ERR_REQUEST_INVALID')
    if (
      typeof signature !== 'string' ||
      signature.length !== 2 + 64 * 2 ||
      !signature.startsWith('0x') ||
      !isLowerHexFrom(signature, 2)
    )
      throw requestInvalid('"signature" must be 64 bytes of lowercase 0x hex')
    const now = clock()
    // Consumed before the signature is checked: a failed attempt burns the challenge.
    const taken = await fromStore(
      () => store.takeChallenge(challenge, now),
      (cause) => new RelayError('ERR_CHALLENGE_INVALID', 'unknown, expired or used challenge', { cause }),
    )
    if (taken === null || taken.did !== did)
      throw new RelayError('ERR_CHALLENGE_INVALID', 'unknown, expired or used challenge')
    const subject = didSubject(did)
    if (didSubject(keyUriText) !== subject)
      throw new RelayError('ERR_SIGNATURE_INVALID', '"keyUri" does not belong to "did"')
    let key: Awaited<ReturnType<DidResolver['resolveKey']>>
    try {
      key = await resolver.resolveKey(keyUriText, 'authentication')
    } catch (e) {
      if (isMessagingError(e, 'ERR_RESOLVER_FAILED'))
        throw new RelayError('ERR_UNAVAILABLE', 'the DID resolver is unavailable', { cause: e })
      const code = isMessagingError(e) ? e.code : 'ERR_INTERNAL'
      throw new RelayError(
        'ERR_SIGNATURE_INVALID',
        `"keyUri" is not an authentication key of the DID (${code})`,
        {
          cause: e,
        },
      )
    }
    if (key.type !== 'sr25519' && key.type !== 'ed25519')
      throw new RelayError('ERR_SIGNATURE_INVALID', `key type ${key.type} cannot log in`)
    const ok = verifySignature({
      type: key.type,
      publicKey: key.publicKey,
      message: TEXT.encode(challenge),
      signature: Buffer.from(signature.slice(2), 'hex'),
    })
    if (!ok) throw new RelayError('ERR_SIGNATURE_INVALID', 'the signature does not verify')
    const expiresAt = now + opts.tokenTtlMs
    metrics.logins++
    request.log.info({ subject: hashDid(subject) }, 'login')
    return { token: mintToken(secret, opts.deploymentId, subject, expiresAt), expiresAt }
  })

  // ---- inbox ------------------------------------------------------------------------------------
  // Inbox reads in progress per mailbox. Each holds up to maxPageBytes (the rows, then the page text)
  // until its response is handed to the socket, so parallel reads of one token would multiply that.
  const readsInProgress = new Map<string, number>()
  /**
   * Counts one read of `mailbox` until both the handler is done with it (call the function returned)
   * and `reply` has been handed to the socket or its connection closed: a client that hangs up does
   * not free the slot while the store is still reading its page.
   * @returns the function to call when the handler no longer holds the page
   * @throws RelayError ERR_RATE_LIMITED (429, Retry-After: 1) when the mailbox has
   *   `maxConcurrentReadsPerMailbox` reads in progress
   */
  function startRead(mailbox: string, reply: FastifyReply): () => void {
    const n = readsInProgress.get(mailbox) ?? 0
    if (n >= limits.maxConcurrentReadsPerMailbox) {
      // The reads in progress end within a page's time, not a rate window's.
      reply.header('retry-after', '1')
      throw new RelayError(
        'ERR_RATE_LIMITED',
        'too many inbox reads of this mailbox in progress, retry later',
      )
    }
    readsInProgress.set(mailbox, n + 1)
    const res = reply.raw
    let handled = false
    let sent = res.destroyed || res.writableFinished
    let released = false
    const release = (): void => {
      if (released || !handled || !sent) return
      released = true
      res.off('finish', onSent)
      res.off('close', onSent)
      const left = (readsInProgress.get(mailbox) ?? 1) - 1
      if (left <= 0) readsInProgress.delete(mailbox)
      else readsInProgress.set(mailbox, left)
    }
    // 'finish': handed to the socket; 'close': sent, or the connection lost (whichever comes first).
    const onSent = (): void => {
      sent = true
      release()
    }
    if (!sent) {
      res.once('finish', onSent)
      res.once('close', onSent)
    }
    return () => {
      handled = true
      release()
    }
  }

  app.get('/v1/inbox', async (request, reply) => {
    const mailbox = authenticate(bearer(request))
    const q = (request.query ?? {}) as Record<string, unknown>
    for (const k of Object.keys(q))
      if (k !== 'after' && k !== 'limit') throw requestInvalid(`unknown query parameter "${k.slice(0, 40)}"`)
    const { after } = q
    if (after !== undefined && (typeof after !== 'string' || !CURSOR_RE.test(after)))
      throw requestInvalid('"after" must be a message id')
    let limit = Math.min(100, limits.maxPageSize)
    if (q.limit !== undefined) {
      const n = typeof q.limit === 'string' && /^[0-9]{1,6}$/.test(q.limit) ? Number(q.limit) : 0
      if (n < 1 || n > limits.maxPageSize) throw requestInvalid(`"limit" must be 1..${limits.maxPageSize}`)
      limit = n
    }
    // A page of `limit` envelopes could hold a whole mailbox (64 MiB): bounded in bytes as well, and
    // so is the number of reads in progress, so parallel reads cannot exhaust memory. The cursor is
    // the last id sent, so the rest follows.
    const handled = startRead(mailbox, reply)
    try {
      const listed = await fromStore(() =>
        store.list(mailbox, {
          ...(after === undefined ? {} : { after }),
          limit,
          now: clock(),
          maxBytes: limits.maxPageBytes,
        }),
      )
      const page = withinBytes(listed, limits.maxPageBytes)
      metrics.deliveries.http += page.length
      const cursor = page.length > 0 ? page[page.length - 1]!.id : (after ?? null)
      // Stored envelopes are JSON the relay wrote: spliced in without a parse/serialise round trip.
      const messages = page.map((m) => `{"id":${JSON.stringify(m.id)},"envelope":${m.envelope}}`).join(',')
      return reply
        .type('application/json; charset=utf-8')
        .send(`{"messages":[${messages}],"cursor":${JSON.stringify(cursor)}}`)
    } finally {
      handled()
    }
  })

  app.post('/v1/inbox/ack', async (request) => {
    const mailbox = authenticate(bearer(request))
    const body = exactKeys(request.body, ['ids'])
    const ids = checkIds(body.ids, limits.maxAckIds)
    if (ids === null) throw requestInvalid(`"ids" must be an array of 1..${limits.maxAckIds} message ids`)
    const deleted = await fromStore(() => store.ack(mailbox, ids))
    metrics.acks += deleted
    return { deleted }
  })

  // ---- live -------------------------------------------------------------------------------------
  // Only authenticated sessions count against maxLiveConnections; sockets still waiting for their
  // auth frame are capped per client IP (they last AUTH_TIMEOUT_MS at most).
  const pendingByIp = new Map<string, number>()
  const liveFull = () => liveCount >= limits.maxLiveConnections
  const mailboxLiveFull = (mailbox: string) =>
    (sessions.get(mailbox)?.size ?? 0) >= limits.maxLiveSessionsPerMailbox
  app.get(
    '/v1/inbox/live',
    {
      websocket: true,
      // A token given in the header or the query is checked before the upgrade (plain 401).
      preValidation: async (request: FastifyRequest, _reply: FastifyReply) => {
        const q = (request.query ?? {}) as Record<string, unknown>
        const token = bearer(request) ?? (typeof q.token === 'string' ? q.token : undefined)
        const subject = token === undefined ? undefined : authenticate(token)
        if (liveFull()) throw new RelayError('ERR_RATE_LIMITED', 'too many live connections')
        if (subject !== undefined && mailboxLiveFull(subject))
          throw new RelayError('ERR_RATE_LIMITED', 'too many live connections of this mailbox')
        if (token === undefined && (pendingByIp.get(request.ip) ?? 0) >= limits.maxUnauthenticatedLivePerIp)
          throw new RelayError(
            'ERR_RATE_LIMITED',
            'too many unauthenticated live connections from this address',
          )
      },
    },
    (socket: WebSocket, request: FastifyRequest) => {
      const q = (request.query ?? {}) as Record<string, unknown>
      const given = bearer(request) ?? (typeof q.token === 'string' ? q.token : undefined)
      const ip = request.ip
      let pending = false
      const endPending = (): void => {
        if (!pending) return
        pending = false
        const n = (pendingByIp.get(ip) ?? 1) - 1
        if (n <= 0) pendingByIp.delete(ip)
        else pendingByIp.set(ip, n)
      }
      if (given === undefined) {
        pending = true
        pendingByIp.set(ip, (pendingByIp.get(ip) ?? 0) + 1)
      }
      let session: LiveSession | undefined
      let tokenTimer: NodeJS.Timeout | undefined
      let alive = true
      // Frames of one session run one at a time, at most liveFramesPerSecond, at most
      // MAX_QUEUED_FRAMES waiting.
      let chain: Promise<void> = Promise.resolve()
      let queued = 0
      let frameWindowStart = 0
      let framesInWindow = 0
      const heartbeat = setInterval(() => {
        if (!alive) {
          socket.terminate()
          return
        }
        alive = false
        socket.ping()
        // A full window may hold ids acked elsewhere: rescan now and then to free them.
        if (session !== undefined) void session.pump()
      }, opts.heartbeatMs)
      socket.on('pong', () => {
        alive = true
      })
      const authTimer = setTimeout(() => {
        if (session === undefined) socket.close(4401, 'authentication timeout')
      }, AUTH_TIMEOUT_MS)

      const start = (token: string): void => {
        endPending()
        const v = verifyToken(secret, opts.deploymentId, token, clock())
        if (v === null) {
          socket.send(
            JSON.stringify({ type: 'error', error: { code: 'ERR_UNAUTHORIZED', message: 'invalid token' } }),
          )
          socket.close(4401, 'unauthorized')
          return
        }
        if (liveFull()) {
          socket.close(1013, 'too many live connections')
          return
        }
        // Checked again here: a token sent in the first frame was not seen before the upgrade.
        if (mailboxLiveFull(v.subject)) {
          socket.close(1013, 'too many live connections of this mailbox')
          return
        }
        clearTimeout(authTimer)
        session = new LiveSession(socket, v.subject, {
          store,
          clock,
          metrics,
          log: request.log,
          window: limits.liveWindow,
          maxAckIds: limits.maxAckIds,
          highWaterMark: Math.min(WS_HIGH_WATER, limits.liveMaxBufferedBytes),
          maxBuffered: limits.liveMaxBufferedBytes,
          maxPageBytes: limits.maxPageBytes,
        })
        liveCount++
        metrics.liveConnections = liveCount
        let set = sessions.get(v.subject)
        if (set === undefined) {
          set = new Set()
          sessions.set(v.subject, set)
        }
        set.add(session)
        const s = session
        tokenTimer = setTimeout(() => s.close(4401, 'token expired'), Math.max(0, v.expiresAt - clock()))
        tokenTimer.unref()
        socket.send(JSON.stringify({ type: 'ready', expiresAt: v.expiresAt }))
        void session.pump()
      }

      socket.on('message', (data, isBinary) => {
        if (isBinary) {
          socket.close(4400, 'text frames only')
          return
        }
        const text = data.toString()
        if (session === undefined) {
          let frame: unknown
          try {
            frame = JSON.parse(text)
          } catch {
            frame = null
          }
          if (isObject(frame) && frame.type === 'auth' && typeof frame.token === 'string') start(frame.token)
          else socket.close(4401, 'first frame must be {"type":"auth","token":…}')
          return
        }
        if (session.closed) return
        const now = Date.now()
        if (now - frameWindowStart >= 1000 || now < frameWindowStart) {
          frameWindowStart = now
          framesInWindow = 0
        }
        if (++framesInWindow > limits.liveFramesPerSecond || queued >= MAX_QUEUED_FRAMES) {
          session.close(1008, 'too many frames')
          return
        }
        const s = session
        queued++
        chain = chain
          .then(() => s.onFrame(text))
          .catch((e: unknown) => {
            request.log.warn({ err: e }, 'live frame failed')
            s.sendError('ERR_UNAVAILABLE', 'the store is unavailable')
          })
          .finally(() => {
            queued--
          })
      })
      socket.on('close', () => {
        clearInterval(heartbeat)
        clearTimeout(authTimer)
        if (tokenTimer !== undefined) clearTimeout(tokenTimer)
        endPending()
        if (session !== undefined) {
          liveCount--
          metrics.liveConnections = liveCount
          session.markClosed()
          const set = sessions.get(session.mailbox)
          set?.delete(session)
          if (set !== undefined && set.size === 0) sessions.delete(session.mailbox)
        }
      })
      if (given !== undefined) start(given)
    },
  )

  // ---- operations -------------------------------------------------------------------------------
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async () => {
    let ok = false
    try {
      ok = await Promise.race([
        store.ping(),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
      ])
    } catch {
      ok = false
    }
    if (!ok) throw new RelayError('ERR_UNAVAILABLE', 'the store is not ready')
    return { status: 'ready' }
  })
  app.get('/metrics', async (request, reply) => {
    if (opts.metricsToken !== undefined && !bearerMatches(request.headers.authorization, opts.metricsToken))
      throw new RelayError('ERR_UNAUTHORIZED', 'metrics require the metrics bearer token')
    let depth: number | null = null
    try {
      depth = await store.depth()
    } catch {
      depth = null
    }
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render(depth))
  })
  app.get('/v1/openapi.json', async () => OPENAPI_DOCUMENT)

  return app
}
