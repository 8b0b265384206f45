/**
 * @module session/challenge
 * The session start of KILT's Credential API (spec 3.x, as Sporran speaks it): the dApp issues a
 * challenge, the extension answers from a fresh session DID with the challenge boxed to the dApp's key
 * agreement key, and the dApp checks the answer before talking to that session DID.
 */
import { randomBytes } from '../crypto/random.js'
import type { DidResourceUri, DidUri } from '../did/types.js'
import { MessagingError } from '../errors.js'
import { hexEncode } from '../lib/hex.js'
import { type KeySource, keySource } from '../message/lib/key-source.js'
import { optionsObject, rejecting, resolverOption } from '../message/lib/options.js'
import type { DidResolver } from '../resolver/types.js'
import { answer, verify } from './lib/handshake.js'

/** What an extension's `startSession` gives the dApp (Credential API 3.x `PubSubSession`, without its functions). */
export interface SessionStart {
  /** The session DID's key agreement key: messages to the extension go to this key. */
  readonly encryptionKeyUri: DidResourceUri
  /** `nacl.box` of the challenge bytes, lowercase `0x` hex. */
  readonly encryptedChallenge: string
  /** Its 24-byte nonce, lowercase `0x` hex. */
  readonly nonce: string
}

/** The Credential API 1.0 form of {@link SessionStart} (Sporran answers it to dApps not announcing 3.x). */
export interface SessionStartV1 {
  readonly encryptionKeyId: DidResourceUri
  readonly encryptedChallenge: string
  readonly nonce: string
}

/** A session start that {@link verifySessionChallenge} accepted. */
export interface VerifiedSession {
  /** The session's key agreement key URI (address replies to it: `receiverKeyUri`). */
  readonly encryptionKeyUri: DidResourceUri
  /** The session DID (the `receiver` of the dApp's messages). */
  readonly did: DidUri
  /** The session key's 32-byte x25519 public key (a copy). */
  readonly publicKey: Uint8Array
}

/** Options of {@link createSessionChallenge}. */
export interface CreateSessionChallengeOptions {
  /** Random source (default: `crypto.getRandomValues`). */
  readonly random?: (n: number) => Uint8Array
}

/**
 * A fresh session challenge: 24 random bytes as lowercase `0x` hex, the form the Credential API
 * specifies and Sporran and the KILT docs' dApp compare. Keep it on the server; accept one answer for it.
 * @throws MessagingError ERR_ARGUMENT_INVALID for bad options or a random source that does not answer 24 bytes
 * @example const challenge = createSessionChallenge() // '0x3f…' (50 characters)
 */
export function createSessionChallenge(options?: CreateSessionChallengeOptions): string {
  const o = optionsObject(options)
  const random = o.random ?? randomBytes
  if (typeof random !== 'function')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"random" expected a function')
  const bytes: unknown = random(24)
  if (!(bytes instanceof Uint8Array) || bytes.length !== 24)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"random" must return a Uint8Array of 24 bytes')
  return hexEncode(bytes)
}

/** Options of {@link verifySessionChallenge}. */
export interface VerifySessionChallengeOptions {
  /** The challenge this dApp issued for the session (the string passed to `startSession`). */
  readonly challenge: string
  /** The dApp's key agreement key URI, as passed to `startSession`. */
  readonly dAppEncryptionKeyUri: string
  /** The dApp's keys: a `Keyring` holding `dAppEncryptionKeyUri`, or a KILT `decrypt` callback. */
  readonly keys: KeySource
  /** Resolves the session DID's key (default: the offline light-DID resolver; Sporran's session DIDs are light). */
  readonly resolver?: DidResolver
}

/**
 * The dApp's check of a session start: the session key is resolved under `keyAgreement` only, the
 * encrypted challenge is opened with the dApp's key from that session key, and must be exactly the
 * issued challenge's bytes (hex-decoded, as Sporran boxes them; compared in constant time). Only then
 * is the session DID known to hold the session key — the session's messages are then checked by
 * `decryptMessage` as any other (its sender must be `did`).
 *
 * It does not remember challenges: the caller must accept one answer per challenge (delete the challenge
 * when checking it), or a recorded answer can be replayed to open a session again.
 *
 * @param session - untrusted: `{ encryptionKeyUri, encryptedChallenge, nonce }` (3.x) or
 *   `{ encryptionKeyId, … }` (1.0); other members (the session's functions) are ignored
 * @returns the session's key URI, DID and public key (frozen)
 * @throws MessagingError ERR_SESSION_INVALID (malformed answer), the resolution codes of the session key
 *   (`ERR_DID_*`, `ERR_KEY_NOT_FOUND`, `ERR_KEY_RELATIONSHIP`, `ERR_KEY_TYPE_UNSUPPORTED`, `ERR_RESOLVER_FAILED`),
 *   ERR_DECRYPTION_FAILED (not boxed from the session key to the dApp key), ERR_SESSION_CHALLENGE_MISMATCH
 *   (another challenge), ERR_KEY_UNAVAILABLE (the keyring lacks the dApp key), ERR_ARGUMENT_INVALID (options,
 *   a challenge of fewer than 16 bytes)
 * @example
 * const { did, encryptionKeyUri } = await verifySessionChallenge(req.body, {
 *   challenge: stored, dAppEncryptionKeyUri, keys: dAppKeyring,
 * })
 */
export function verifySessionChallenge(
  session: unknown,
  options: VerifySessionChallengeOptions,
): Promise<VerifiedSession> {
  return rejecting(verifyWith, session, options)
}

function verifyWith(session: unknown, options: VerifySessionChallengeOptions): Promise<VerifiedSession> {
  const o = optionsObject(options)
  return verify(session, {
    challenge: o.challenge,
    dAppKeyUri: o.dAppEncryptionKeyUri,
    source: keySource(o.keys, 'decrypt'),
    resolver: resolverOption(o.resolver),
  })
}

/** The request a dApp's `startSession(name, dAppEncryptionKeyUri, challenge)` makes of an extension. */
export interface SessionRequest {
  readonly challenge: string
  readonly dAppEncryptionKeyUri: string
}

/** Options of {@link answerSessionChallenge}. */
export interface AnswerSessionChallengeOptions {
  /** The session's keys: a `Keyring` holding a key agreement key of `sessionDid`, or a KILT `encrypt` callback. */
  readonly keys: KeySource
  /** The session DID (a fresh light DID per dApp session, as Sporran makes). */
  readonly sessionDid: string
  /** Resolves the dApp's DID (default: the offline light-DID resolver; a dApp's DID is usually a full DID). */
  readonly resolver?: DidResolver
  /** `'3.0'` (default) answers `encryptionKeyUri`; `'1.0'` answers `encryptionKeyId`, as Sporran does for older dApps. */
  readonly specVersion?: '3.0' | '1.0'
}

/**
 * The extension's side of a session start: resolves the dApp's key agreement key (under `keyAgreement`
 * only), boxes the challenge bytes to it from the session DID's key with a fresh nonce, and answers what
 * `startSession` gives the dApp. An extension must first check that the dApp's DID belongs to the page's
 * origin (Well-Known DID Configuration); that check is not part of this function.
 * @throws MessagingError ERR_ARGUMENT_INVALID (request, options — a malformed `dAppEncryptionKeyUri` or
 *   `sessionDid` included), the resolution codes of the dApp's key (`ERR_DID_*`, `ERR_KEY_NOT_FOUND`,
 *   `ERR_KEY_RELATIONSHIP`, `ERR_KEY_TYPE_UNSUPPORTED`, `ERR_RESOLVER_FAILED`), ERR_KEY_UNAVAILABLE (no key of
 *   `sessionDid`), ERR_SENDER_MISMATCH (a callback answered a key of another DID)
 * @example
 * const start = await answerSessionChallenge({ challenge, dAppEncryptionKeyUri }, { keys: sessionKeyring, sessionDid })
 */
export function answerSessionChallenge(
  request: SessionRequest,
  options: AnswerSessionChallengeOptions & { readonly specVersion: '1.0' },
): Promise<SessionStartV1>
export function answerSessionChallenge(
  request: SessionRequest,
  options: AnswerSessionChallengeOptions,
): Promise<SessionStart>
export function answerSessionChallenge(
  request: SessionRequest,
  options: AnswerSessionChallengeOptions,
): Promise<SessionStart | SessionStartV1> {
  return rejecting(answerWith, request, options)
}

async function answerWith(
  request: SessionRequest,
  options: AnswerSessionChallengeOptions,
): Promise<SessionStart | SessionStartV1> {
  const o = optionsObject(options)
  const version = o.specVersion ?? '3.0'
  if (version !== '3.0' && version !== '1.0')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"specVersion" expected "3.0" or "1.0"')
  const r = optionsObject(request, 'request')
  const { keyUri, box, nonce } = await answer({
    challenge: r.challenge,
    dAppKeyUri: r.dAppEncryptionKeyUri,
    sessionDid: o.sessionDid,
    source: keySource(o.keys, 'encrypt'),
    resolver: resolverOption(o.resolver),
  })
  const encryptedChallenge = hexEncode(box)
  const nonceHex = hexEncode(nonce)
  return Object.freeze(
    version === '3.0'
      ? { encryptionKeyUri: keyUri, encryptedChallenge, nonce: nonceHex }
      : { encryptionKeyId: keyUri, encryptedChallenge, nonce: nonceHex },
  )
}
