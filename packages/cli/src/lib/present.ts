/**
 * @module cli/lib/present
 * Decrypt-and-verify with the CLI's defaults, and how messages and envelopes are shown.
 */
import {
  createReplayGuard,
  type DecryptedMessage,
  decryptMessage,
  type EncryptedMessage,
  type Message,
  MessagingError,
  printable,
  type ReplayStore,
} from '@kilt-messaging/core'
import { describeError } from './errors.js'
import { kiltMsgHome } from './files.js'
import type { UnlockedIdentity } from './identity.js'
import { type Style, shortDid, truncate } from './output.js'
import { fileReplayStore } from './replay-file.js'

/** Default freshness window of the CLI: 7 days (mail and mailboxes are slow; the relay keeps 7 days). */
export const DEFAULT_MAX_AGE_MS = 7 * 86_400_000

/**
 * Default tolerated clock skew into the future for mail and mailboxes: 2 minutes (the core's 1 s
 * default suits live sessions; a sender whose clock runs a little ahead must not lose mail).
 */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 120_000

/** Options of {@link openEnvelope}. */
export interface OpenOptions {
  /** Oldest accepted `createdAt` as an age (default 7 days). */
  readonly maxAgeMs?: number
  /** Largest accepted `createdAt` ahead of the local clock (default 2 minutes). */
  readonly maxFutureSkewMs?: number
  /** Replay protection: `'file'` (default; persisted per identity), `'memory'` or `false`. */
  readonly replay?: 'file' | 'memory' | false
}

/** A verified message, and the way to take back its replay record when it cannot be delivered. */
export interface OpenedEnvelope {
  readonly result: DecryptedMessage
  /**
   * Removes the message's id from the replay file again: call it when the message could not be
   * printed, so that it is not consumed unseen (a no-op without a replay file).
   * @throws MessagingError ERR_REPLAY_STORE_UNAVAILABLE when the file cannot be updated (the id
   *   then stays recorded; the message can still be read with `decrypt --allow-replay` or `inbox --keep`)
   */
  forget(): void
}

/**
 * Decrypts and verifies an envelope for `identity` (core `decryptMessage`, strict checks) with a
 * replay guard persisted per identity. The id is recorded before the message is returned, so two
 * runs can never both accept it; a run that then fails to print it calls `forget`.
 *
 * @throws MessagingError with the codes of `decryptMessage`
 * @example
 * const { result, forget } = await openEnvelope(identity, envelope)
 * await deliver(text(result), forget)
 */
export async function openEnvelope(
  identity: UnlockedIdentity,
  envelope: unknown,
  options: OpenOptions = {},
): Promise<OpenedEnvelope> {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS
  const maxFutureSkewMs = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS
  const mode = options.replay ?? 'file'
  const file =
    mode === 'file' ? fileReplayStore(kiltMsgHome(), identity.name, { maxAgeMs, maxFutureSkewMs }) : undefined
  // The key this run recorded as new (the guard marks exactly one per message).
  let marked: string | undefined
  const store: ReplayStore | undefined =
    file === undefined
      ? undefined
      : {
          markIfNew(key, expiresAt, now) {
            const fresh = file.markIfNew(key, expiresAt, now)
            if (fresh) marked = key
            return fresh
          },
          purge: (now) => file.purge(now),
        }
  const replay =
    mode === false
      ? false
      : createReplayGuard({ maxAgeMs, maxFutureSkewMs, ...(store === undefined ? {} : { store }) })
  const result = await decryptMessage(envelope, { keys: identity.keyring, maxAgeMs, maxFutureSkewMs, replay })
  return {
    result,
    forget() {
      if (file === undefined || marked === undefined) return
      const key = marked
      marked = undefined
      try {
        file.forget(key)
      } catch (cause) {
        throw new MessagingError(
          'ERR_REPLAY_STORE_UNAVAILABLE',
          `The message was not printed, but its id stays recorded as seen (read it with decrypt --allow-replay or inbox --keep): ${describeError(cause).message}`,
          { cause },
        )
      }
    },
  }
}

/** The checks that passed for a decrypted message, in words. */
export function checksPassed(maxAgeMs: number, replay: boolean): string[] {
  return [
    'envelope well-formed (lowercase hex, 24-byte nonce, DID key URIs)',
    "sender key resolved under the sender DID's keyAgreement",
    'authenticated decryption (x25519-xsalsa20-poly1305)',
    'plaintext sender owns senderKeyUri, receiver owns receiverKeyUri',
    'body valid for its type',
    `fresh (created within the last ${formatAge(maxAgeMs)})`,
    ...(replay ? ['not seen before (replay guard)'] : []),
  ]
}

/** `7d`, `90s`… */
export function formatAge(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/** The message as printed by `decrypt --json` (the message itself, plus verification). */
export function messageJson(result: DecryptedMessage, checks: string[]): Record<string, unknown> {
  return {
    ...result.message,
    ...(result.receivedAt === undefined ? {} : { receivedAt: result.receivedAt }),
    verification: {
      status: 'verified',
      senderKeyUri: result.senderKey.id,
      receiverKeyUri: result.receiverKeyUri,
      checks,
    },
  }
}

/** Human-readable lines for a verified message. */
export function messageLines(message: Message, c: Style, checks: string[] = []): string[] {
  const lines = [
    `${c.green('✔ verified')} ${c.bold(printable(message.body.type))} message`,
    `  from        ${printable(shortDid(message.sender))}`,
    `  to          ${printable(shortDid(message.receiver))}`,
    `  type        ${printable(message.body.type)}`,
    `  created at  ${new Date(message.createdAt).toISOString()}`,
  ]
  if (message.messageId !== undefined) lines.push(`  message id  ${printable(message.messageId)}`)
  if (message.inReplyTo !== undefined) lines.push(`  in reply to ${printable(message.inReplyTo)}`)
  for (const check of checks) lines.push(`  ${c.green('✔')} ${c.dim(check)}`)
  lines.push('  content:')
  // JSON escapes C0 controls itself; bidi controls, C1 and separators still need escaping.
  const content = printable(JSON.stringify(message.body.content, null, 2), { lineFeeds: true })
  for (const l of content.split('\n')) lines.push(`    ${l}`)
  return lines
}

/** An envelope for display: ciphertext truncated. */
export function envelopeLines(envelope: EncryptedMessage, c: Style): string[] {
  return [
    '  {',
    `    "ciphertext": "${printable(truncate(envelope.ciphertext, 40))}" ${c.dim(`(${(envelope.ciphertext.length - 2) / 2} bytes)`)}`,
    `    "nonce": "${printable(envelope.nonce)}"`,
    `    "senderKeyUri": "${printable(truncate(envelope.senderKeyUri, 72))}"`,
    `    "receiverKeyUri": "${printable(truncate(envelope.receiverKeyUri, 72))}"`,
    '  }',
  ]
}
