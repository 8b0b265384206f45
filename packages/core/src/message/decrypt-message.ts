/**
 * @module message/decrypt-message
 * Decrypts and verifies an envelope, strictly by default.
 */
import { MessagingError } from '../errors.js'
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_SKEW_MS, windowOption } from '../replay/lib/freshness.js'
import type { ReplayGuard } from '../replay/types.js'
import type { DidResolver } from '../resolver/types.js'
import { isRegistry } from './lib/body/registry.js'
import type { BodyRegistry } from './lib/create.js'
import { type DecryptedMessage, type DecryptRelax, decrypt } from './lib/decrypt.js'
import { type KeySource, keySource } from './lib/key-source.js'
import { functionOption, integerOption, optionsObject, rejecting, resolverOption } from './lib/options.js'

export type { DecryptedMessage, DecryptRelax }

/** Default bound on the envelope's strings (1 MiB). */
export const DEFAULT_MAX_ENVELOPE_BYTES = 1 << 20

/** Options of {@link decryptMessage}. */
export interface DecryptMessageOptions {
  /** The receiver's keys: a `Keyring` (fast path) or a KILT `decrypt` callback. */
  readonly keys: KeySource
  /** Resolves the sender's key (default: the offline light-DID resolver). */
  readonly resolver?: DidResolver
  /** The clock, ms since the epoch (default `Date.now`). */
  readonly now?: () => number
  /** Oldest accepted `createdAt`, as an age in ms (default 60 000). */
  readonly maxAgeMs?: number
  /** Tolerated clock skew into the future, in ms (default 1 000). */
  readonly maxFutureSkewMs?: number
  /**
   * The replay guard. Default: a process-wide in-memory guard (bounded to 100k ids, keyed by receiver,
   * sender and messageId) per freshness window. `false` disables replay protection (then the caller
   * must deduplicate). Pass your own guard with a durable store (SQLite, PostgreSQL) for servers.
   */
  readonly replay?: ReplayGuard | false
  /** Upper bound on the summed length of the envelope's strings (default 1 MiB). */
  readonly maxEnvelopeBytes?: number
  /** Body validators (default: the built-in registry of `message/verify`). */
  readonly registry?: BodyRegistry
  /**
   * Relaxations for peers on old SDKs; each relaxes one check, every default is strict:
   * - `receiverCheck: true` — accept a plaintext `receiver` that does not own `receiverKeyUri` (SDK l01).
   * - `freshness: true` — accept any `createdAt`, or none (SDK l04–l06); replay ids are then kept 7 days (or
   *   `maxAgeMs` if longer) from now: a replay after that is accepted again, the price of no window.
   * - `bodyValidation: true` — skip body validation and the owner check; `'sdk'` — validate with SDK 0.35.2
   *   `Message.verify`'s leniency (see `VerifyBodyOptions.sdkCompatible`).
   * - `hex: true` — accept upper-case hex and a missing `0x` in `ciphertext`/`nonce` (SDK l10; non-hex characters stay rejected).
   * - `sameSubjectSender` — default `true`: the plaintext `sender` must be the same DID subject as the owner of
   *   `senderKeyUri` (the short and the full form of a light DID are one party). `false` requires the exact
   *   string, as SDK 0.35.2 does (rejects n08).
   * - `unknownKeys: true` — drop unknown plaintext keys silently as the SDK does (l03) instead of rejecting.
   */
  readonly relax?: DecryptRelax
}

const RELAX_FLAGS = ['receiverCheck', 'freshness', 'hex', 'sameSubjectSender', 'unknownKeys'] as const

/** Checks `relax`: known names only, booleans (`bodyValidation` also `'sdk'`). */
function readRelax(value: unknown): DecryptRelax {
  const relax = optionsObject(value as DecryptRelax | undefined, 'relax')
  for (const key of Object.keys(relax)) {
    const v: unknown = relax[key as keyof DecryptRelax]
    if (key === 'bodyValidation') {
      if (v === undefined || typeof v === 'boolean' || v === 'sdk') continue
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"relax.bodyValidation" expected a boolean or "sdk"')
    }
    if (!(RELAX_FLAGS as readonly string[]).includes(key))
      throw new MessagingError('ERR_ARGUMENT_INVALID', `"relax" has an unknown option "${key.slice(0, 40)}"`)
    if (v !== undefined && typeof v !== 'boolean')
      throw new MessagingError('ERR_ARGUMENT_INVALID', `"relax.${key}" expected a boolean`)
  }
  return relax
}

/**
 * Decrypts an envelope and verifies the message. Checks, in this order, each with its code:
 * 1. envelope shape — a plain object with only the SDK's keys, strings, lowercase `0x` hex, a
 *    24-byte nonce, KILT DID resource URIs with fragments (`ERR_ENVELOPE_INVALID`, with `sdkError`
 *    naming the SDK's class), size (`ERR_MESSAGE_TOO_LARGE`);
 * 2. sender key, resolved under `keyAgreement` only (`ERR_DID_*`, `ERR_KEY_NOT_FOUND`,
 *    `ERR_KEY_RELATIONSHIP`, `ERR_RESOLVER_FAILED`, `ERR_KEY_TYPE_UNSUPPORTED`);
 * 3. decryption — every cryptographic failure, a throwing callback included, is one
 *    `ERR_DECRYPTION_FAILED` with one message (no oracle); a keyring without the receiver key
 *    gives `ERR_KEY_UNAVAILABLE`;
 * 4. fatal UTF-8, `JSON.parse`, nesting depth ≤ 64, a JSON object with only the SDK's plaintext
 *    keys (`ERR_MESSAGE_INVALID`);
 * 5. field types — the rules of SDK `verifyMessageEnvelope` (`messageId` a string and `createdAt` a
 *    number when present, `sender`/`receiver` KILT DIDs without fragment) plus `inReplyTo` a string and
 *    `references` an array of strings — `ERR_MESSAGE_INVALID` (its `sdkError` names the SDK's class);
 * 6. the plaintext `sender` is the subject owning `senderKeyUri` (`ERR_SENDER_MISMATCH`);
 * 7. the plaintext `receiver` is the subject owning `receiverKeyUri` (`ERR_RECEIVER_MISMATCH`; the SDK skips this);
 * 8. the body (`verifyMessageBody`, `ensureOwnerIsSender`): `ERR_BODY_*`, `ERR_OWNER_MISMATCH`;
 * 9. freshness: `now - maxAgeMs <= createdAt <= now + maxFutureSkewMs` (`ERR_MESSAGE_STALE` — also
 *    for a missing `createdAt` — / `ERR_MESSAGE_FUTURE`);
 * 10. replay, last, so a rejected message never burns its id (`ERR_MESSAGE_REPLAYED`,
 *    `ERR_REPLAY_STORE_UNAVAILABLE`).
 *
 * @param envelope - untrusted input, e.g. parsed JSON
 * @param options - see {@link DecryptMessageOptions}
 * @returns `{ message, receivedAt?, senderKey, receiverKeyUri }`; `message` is frozen and holds only
 *   what the sender encrypted; the unauthenticated `receivedAt` is kept apart
 * @throws MessagingError with the codes above, ERR_ARGUMENT_INVALID for bad options
 * @example
 * const { message } = await decryptMessage(JSON.parse(text), { keys: bobKeyring })
 */
export function decryptMessage(envelope: unknown, options: DecryptMessageOptions): Promise<DecryptedMessage> {
  return rejecting(decryptWith, envelope, options)
}

function decryptWith(envelope: unknown, options: DecryptMessageOptions): Promise<DecryptedMessage> {
  const o = optionsObject(options)
  const source = keySource(o.keys, 'decrypt')
  const relax = readRelax(o.relax)
  if (o.registry !== undefined && !isRegistry(o.registry))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"registry" must come from createBodyRegistry()')
  const replay = o.replay
  if (
    replay !== undefined &&
    replay !== false &&
    (typeof replay !== 'object' || replay === null || typeof replay.check !== 'function')
  )
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"replay" expected a ReplayGuard or false')
  return decrypt(envelope, {
    source,
    resolver: resolverOption(o.resolver),
    now: functionOption(o.now, 'now', Date.now),
    maxAgeMs: windowOption(o.maxAgeMs, 'maxAgeMs', DEFAULT_MAX_AGE_MS),
    maxFutureSkewMs: windowOption(o.maxFutureSkewMs, 'maxFutureSkewMs', DEFAULT_MAX_FUTURE_SKEW_MS),
    replay,
    maxEnvelopeBytes: integerOption(o.maxEnvelopeBytes, 'maxEnvelopeBytes', DEFAULT_MAX_ENVELOPE_BYTES),
    registry: o.registry,
    relax,
  })
}
