/**
 * @module cli/lib/errors
 * The command line's own failures (keystores, passphrases, usage, input) and the one place that
 * turns any error into one line and an exit code.
 */
import { isMessagingError } from '@kilt-messaging/core'

/** Exit codes of `kilt-msg` (documented in `kilt-msg --help`). */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** Any other failure. */
  OTHER: 1,
  /** Usage: unknown option, missing argument, bad flag value. */
  USAGE: 2,
  /** Keystore: wrong passphrase, corrupted or missing keystore, unknown identity. */
  KEYSTORE: 3,
  /** The message: malformed envelope, decryption or verification failure, stale, replayed. */
  MESSAGE: 4,
  /** Network: relay unreachable or refusing, resolver failure. */
  NETWORK: 5,
} as const

/** The codes of {@link CliError}. */
export const CLI_ERROR_CODES = {
  /** Bad command line usage (unknown option, invalid option value, missing input). */
  ERR_USAGE: EXIT.USAGE,
  /** The passphrase does not open the keystore (or the keystore was tampered with). */
  ERR_KEYSTORE_PASSPHRASE: EXIT.KEYSTORE,
  /** The keystore file is not a readable kilt-msg keystore. */
  ERR_KEYSTORE_CORRUPT: EXIT.KEYSTORE,
  /** No identity of that name. */
  ERR_IDENTITY_NOT_FOUND: EXIT.KEYSTORE,
  /** An identity of that name exists already (it is never overwritten). */
  ERR_IDENTITY_EXISTS: EXIT.KEYSTORE,
  /** No passphrase available (no TTY, no --passphrase-file, no KILT_MSG_PASSPHRASE). */
  ERR_PASSPHRASE_MISSING: EXIT.KEYSTORE,
  /** The input is not an envelope, armored block or MIME mail, or its armor checksum fails. */
  ERR_INPUT_INVALID: EXIT.MESSAGE,
  /** The message is addressed to none of the local identities (or not to the one chosen). */
  ERR_NOT_FOR_ME: EXIT.MESSAGE,
  /** A file could not be read or written. */
  ERR_IO: EXIT.OTHER,
} as const

/** A stable CLI error code. */
export type CliErrorCode = keyof typeof CLI_ERROR_CODES

/**
 * A failure of the command line itself, with a stable code and its exit code.
 *
 * @example
 * throw new CliError('ERR_IDENTITY_NOT_FOUND', 'no identity named "bob"')
 */
export class CliError extends Error {
  override readonly name = 'CliError'
  /** Stable machine-readable code. */
  readonly code: CliErrorCode
  /** The process exit code for this failure. */
  readonly exitCode: number

  constructor(code: CliErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.exitCode = CLI_ERROR_CODES[code]
  }
}

const MESSAGING_EXIT: Record<string, number> = {
  ERR_TRANSPORT: EXIT.NETWORK,
  ERR_RESOLVER_FAILED: EXIT.NETWORK,
  ERR_ARGUMENT_INVALID: EXIT.USAGE,
  ERR_MNEMONIC_INVALID: EXIT.USAGE,
  ERR_REPLAY_STORE_UNAVAILABLE: EXIT.OTHER,
}

/** The code, exit code and one-line text of any thrown value. */
export interface DescribedError {
  readonly code: string
  readonly exitCode: number
  readonly message: string
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > 300 ? `${line.slice(0, 297)}...` : line
}

/**
 * Maps any error to a code, an exit code and one line of text (never a stack).
 *
 * @param error - anything thrown
 * @returns `{ code, exitCode, message }`
 * @example
 * const { code, exitCode, message } = describeError(e)
 */
export function describeError(error: unknown): DescribedError {
  if (error instanceof CliError)
    return { code: error.code, exitCode: error.exitCode, message: oneLine(error.message) }
  if (isMessagingError(error)) {
    return {
      code: error.code,
      exitCode: MESSAGING_EXIT[error.code] ?? EXIT.MESSAGE,
      message: oneLine(error.message),
    }
  }
  const err = error as { code?: unknown; message?: unknown } | null
  if (typeof err === 'object' && err !== null && typeof err.code === 'string') {
    if (err.code.startsWith('commander.'))
      return { code: 'ERR_USAGE', exitCode: EXIT.USAGE, message: oneLine(String(err.message)) }
    if (/^E[A-Z]+$/.test(err.code))
      return { code: 'ERR_IO', exitCode: EXIT.OTHER, message: oneLine(String(err.message)) }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'ERR_INTERNAL', exitCode: EXIT.OTHER, message: oneLine(message || 'unexpected failure') }
}
