/**
 * @module errors
 * One error class for everything the library rejects. Each failure has a stable `code`
 * (`ERR_<AREA>_<FAILURE>`) and names the error class of KILT's SDK 0.35.2 it stands for
 * (`sdkError`), so applications ported from the SDK can map one onto the other.
 */

/** Every stable error code, with the SDK 0.35.2 error class it stands for. */
export const ERROR_CODES = {
  /** A function argument has the wrong type or shape (a programming mistake on the caller's side). */
  ERR_ARGUMENT_INVALID: 'TypeError',
  /** A string is not a KILT DID or DID resource URI. */
  ERR_DID_INVALID: 'InvalidDidFormatError',
  /** The SS58 address inside a DID has a wrong prefix, length or checksum. */
  ERR_DID_ADDRESS_INVALID: 'AddressInvalidError',
  /** A light DID's encoded details cannot be decoded (bad multibase, version, CBOR, size). */
  ERR_DID_DETAILS_INVALID: 'DidError',
  /** A DID URI has a fragment where none is allowed, or lacks one where one is required. */
  ERR_DID_FRAGMENT: 'DidError',
  /** A key type is not supported where it is used (e.g. ecdsa in a light DID, "bls" for encryption). */
  ERR_KEY_TYPE_UNSUPPORTED: 'UnsupportedKeyError',
  /** Key bytes have the wrong length or are not valid for their type. */
  ERR_KEY_INVALID: 'DidError',
  /** A service endpoint is malformed (id, type or URI rules of the light DID spec). */
  ERR_SERVICE_INVALID: 'DidError',
  /** A DID document is malformed. */
  ERR_DID_DOCUMENT_INVALID: 'DidError',
  /** The DID is unknown to every resolver. */
  ERR_DID_NOT_FOUND: 'DidNotFoundError',
  /** The DID was deleted on chain. */
  ERR_DID_DEACTIVATED: 'DidDeactivatedError',
  /** The light DID was upgraded to a full DID; its light keys can no longer be used. */
  ERR_DID_UPGRADED: 'DidResolveUpgradedDidError',
  /** A resolver failed for a reason other than the DID (network, timeout, oversized response). */
  ERR_RESOLVER_FAILED: 'Error',
  /** The key named by a key URI is not in the DID document. */
  ERR_KEY_NOT_FOUND: 'DidNotFoundError',
  /** The key exists but not under the required verification relationship (e.g. keyAgreement). */
  ERR_KEY_RELATIONSHIP: 'DidError',
  /** The key source holds no secret for the requested key. */
  ERR_KEY_UNAVAILABLE: 'DidError',
  /** A mnemonic phrase is invalid. */
  ERR_MNEMONIC_INVALID: 'Error',
  /** A signature does not verify. */
  ERR_SIGNATURE_INVALID: 'SignatureVerificationError',
  /** The envelope is malformed (shape, hex, nonce length, key URIs). */
  ERR_ENVELOPE_INVALID: 'TypeError',
  /** The envelope or plaintext exceeds the configured size limit. */
  ERR_MESSAGE_TOO_LARGE: 'Error',
  /** Decryption failed: wrong key, wrong nonce, tampered or truncated ciphertext. Always this one code. */
  ERR_DECRYPTION_FAILED: 'DecodingMessageError',
  /** The decrypted plaintext is not UTF-8 JSON of a message, or message fields have the wrong type. */
  ERR_MESSAGE_INVALID: 'SyntaxError',
  /** The plaintext sender is not the controller of `senderKeyUri`. */
  ERR_SENDER_MISMATCH: 'IdentityMismatchError',
  /** The plaintext receiver is not the controller of `receiverKeyUri`. */
  ERR_RECEIVER_MISMATCH: 'IdentityMismatchError',
  /** A credential, claim or attestation in the body is not owned by the sender. */
  ERR_OWNER_MISMATCH: 'IdentityMismatchError',
  /** The body type is unknown and no validator is registered for it. */
  ERR_BODY_TYPE_UNKNOWN: 'UnknownMessageBodyTypeError',
  /** The body content fails its validator (see `sdkError` for the precise SDK class). */
  ERR_BODY_INVALID: 'DataStructureError',
  /** A required property is not in the CType. */
  ERR_CTYPE_PROPERTIES_UNKNOWN: 'CTypeUnknownPropertiesError',
  /** `createdAt` is older than the freshness window. */
  ERR_MESSAGE_STALE: 'Error',
  /** `createdAt` lies further in the future than the allowed clock skew. */
  ERR_MESSAGE_FUTURE: 'Error',
  /** The message was already accepted once. */
  ERR_MESSAGE_REPLAYED: 'Error',
  /**
   * The replay store cannot record the message id: it is full of entries that have not expired, or
   * it failed. The message is refused (fail closed: ids are never forgotten early, because a
   * forgotten id could be replayed) and was NOT processed; retry later.
   */
  ERR_REPLAY_STORE_UNAVAILABLE: 'Error',
  /** A transport (relay client) failed. */
  ERR_TRANSPORT: 'Error',
  /** A session start (Credential API `startSession` answer) is malformed: key URI, hex, nonce length. */
  ERR_SESSION_INVALID: 'Error',
  /** The session's encrypted challenge decrypts, but not to the challenge this verifier issued. */
  ERR_SESSION_CHALLENGE_MISMATCH: 'Error',
} as const

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES

/** Options of {@link MessagingError}. */
export interface MessagingErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown
  /** The precise SDK 0.35.2 error class this failure stands for, when more precise than the code's default. */
  sdkError?: string
}

/**
 * The one error class of the library. `code` is stable; `message` is for humans and may change.
 *
 * @example
 * try { parseDid('nope') } catch (e) { if (e instanceof MessagingError) console.log(e.code) }
 */
export class MessagingError extends Error {
  override readonly name = 'MessagingError'
  /** Stable machine-readable code. */
  readonly code: ErrorCode
  /** Name of the error class of `@kiltprotocol/sdk-js@0.35.2` that this failure stands for. */
  readonly sdkError: string

  constructor(code: ErrorCode, message: string, options: MessagingErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.sdkError = options.sdkError ?? ERROR_CODES[code]
  }

  /** A JSON form without stack or cause (safe to log or send). */
  toJSON(): { name: string; code: ErrorCode; sdkError: string; message: string } {
    return { name: this.name, code: this.code, sdkError: this.sdkError, message: this.message }
  }
}

/** True when `e` is a {@link MessagingError}, optionally with the given code. */
export function isMessagingError(e: unknown, code?: ErrorCode): e is MessagingError {
  return e instanceof MessagingError && (code === undefined || e.code === code)
}
