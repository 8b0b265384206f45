/**
 * @module lib/errors
 * The relay's HTTP error model: every rejection is `{ error: { code, message } }` with a clear status.
 * Codes are stable; messages are for humans and never carry secrets, ciphertext or tokens.
 */
import { MessagingError } from '@kilt-messaging/core'

/** Stable error codes the relay answers with, and their HTTP status. */
export const RELAY_ERROR_STATUS = {
  /** The body is not JSON, or a field has the wrong type or shape. */
  ERR_REQUEST_INVALID: 400,
  /** An envelope is malformed (hex, nonce length, key URIs, unknown fields). */
  ERR_ENVELOPE_INVALID: 400,
  /** A login challenge is unknown, expired or already used. */
  ERR_CHALLENGE_INVALID: 401,
  /** The login signature does not verify, or the key is not the DID's authentication key. */
  ERR_SIGNATURE_INVALID: 401,
  /** No bearer token, or the token is malformed, expired or from another deployment. */
  ERR_UNAUTHORIZED: 401,
  /** No such route. */
  ERR_NOT_FOUND: 404,
  /** The envelope or the request body exceeds the configured limit. */
  ERR_MESSAGE_TOO_LARGE: 413,
  /** The request's content type is not `application/json`. */
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  /** Too many requests from this IP, deposits from this IP into a mailbox, or deposits into a mailbox. */
  ERR_RATE_LIMITED: 429,
  /** The receiver's mailbox is full (count or bytes). */
  ERR_QUOTA_EXCEEDED: 507,
  /** The store or the DID resolver is unavailable. */
  ERR_UNAVAILABLE: 503,
  /** An unexpected failure (details are logged, never sent). */
  ERR_INTERNAL: 500,
} as const

/** A stable relay error code. */
export type RelayErrorCode = keyof typeof RELAY_ERROR_STATUS

/** The JSON body of every rejection. */
export interface RelayErrorBody {
  readonly error: { readonly code: RelayErrorCode; readonly message: string }
}

/**
 * An HTTP rejection with a stable code (hono's `HTTPException`, for Fastify).
 *
 * @example
 * throw new RelayError('ERR_UNAUTHORIZED', 'missing bearer token')
 */
export class RelayError extends Error {
  override readonly name = 'RelayError'
  /** Stable machine-readable code. */
  readonly code: RelayErrorCode
  /** HTTP status. */
  readonly statusCode: number

  constructor(code: RelayErrorCode, message: string, options: { cause?: unknown; statusCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.statusCode = options.statusCode ?? RELAY_ERROR_STATUS[code]
  }

  /** The response body. */
  toBody(): RelayErrorBody {
    return { error: { code: this.code, message: this.message } }
  }
}

interface FastifyLikeError {
  readonly code?: unknown
  readonly statusCode?: unknown
  readonly message?: unknown
}

/**
 * Maps anything thrown inside a route (our `RelayError`, Fastify's own errors, a rate-limit
 * rejection) to one `RelayError`. Unknown errors become `ERR_INTERNAL` without their message.
 * @param e - the thrown value
 */
export function toRelayError(e: unknown): RelayError {
  if (e instanceof RelayError) return e
  const err = (typeof e === 'object' && e !== null ? e : {}) as FastifyLikeError
  const code = typeof err.code === 'string' ? err.code : ''
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500
  if (code === 'ERR_RATE_LIMITED' || status === 429)
    return new RelayError('ERR_RATE_LIMITED', 'rate limit exceeded, retry later')
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413)
    return new RelayError('ERR_MESSAGE_TOO_LARGE', 'request body too large')
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415)
    return new RelayError('ERR_UNSUPPORTED_MEDIA_TYPE', 'content type must be application/json')
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new RelayError('ERR_REQUEST_INVALID', 'empty JSON body')
  if (code.startsWith('FST_ERR_CTP') || e instanceof SyntaxError || status === 400)
    return new RelayError('ERR_REQUEST_INVALID', 'request body is not valid JSON')
  if (status === 404) return new RelayError('ERR_NOT_FOUND', 'not found')
  return new RelayError('ERR_INTERNAL', 'internal error', { cause: e })
}

/**
 * Throws the typed error of a malformed option or configuration value (for `createRelay` and the
 * config loader: a programming or configuration mistake, not an HTTP answer).
 * @throws MessagingError ERR_ARGUMENT_INVALID with `message`, which names the option
 */
export function invalidOption(message: string): never {
  throw new MessagingError('ERR_ARGUMENT_INVALID', message)
}
