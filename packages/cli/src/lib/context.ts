/**
 * @module cli/lib/context
 * Shared steps of the commands: opening an identity, finding the receiver, reading a body.
 */
import { readFileSync } from 'node:fs'
import {
  type DidResourceUri,
  type DidUri,
  didOf,
  isSameSubject,
  type Message,
  type MessageBody,
  validateDidUri,
} from '@kilt-messaging/core'
import { CliError, describeError } from './errors.js'
import { kiltMsgHome, readInput } from './files.js'
import { checkName, listKeystores, loadKeystore, type UnlockedIdentity, unlockIdentity } from './identity.js'
import { getPassphrase } from './prompt.js'

/** Options every identity-using command accepts. */
export interface IdentityOptions {
  readonly as?: string
  readonly name?: string
  readonly passphraseFile?: string
}

/**
 * Opens the identity named by `--as`/`--name` (default `default`), asking for its passphrase.
 * @throws CliError ERR_IDENTITY_NOT_FOUND, ERR_KEYSTORE_*, ERR_PASSPHRASE_MISSING
 */
export async function openIdentity(
  opts: IdentityOptions,
  fallbackName = 'default',
): Promise<UnlockedIdentity> {
  const name = checkName(opts.as ?? opts.name ?? fallbackName)
  const file = loadKeystore(kiltMsgHome(), name)
  const passphrase = await getPassphrase({ passphraseFile: opts.passphraseFile, name })
  return unlockIdentity(file, passphrase, name)
}

/**
 * The local identity owning a DID or key URI (by DID subject), without opening it.
 * @returns the name, or undefined
 */
export function localIdentityFor(uri: string): string | undefined {
  for (const entry of listKeystores(kiltMsgHome())) {
    const did = entry.file?.header.did
    if (did === undefined) continue
    try {
      if (isSameSubject(did, uri)) return entry.name
    } catch {}
  }
  return undefined
}

/**
 * Parses `--to`: a DID, a DID key URI, or the name of a local identity.
 * @returns the receiver DID and, for a key URI, the key to encrypt to
 * @throws CliError ERR_USAGE (also for a malformed DID or key URI: a bad flag value)
 */
export function parseRecipient(to: string): { receiver: DidUri; receiverKeyUri?: DidResourceUri } {
  if (to.startsWith('did:')) {
    try {
      return parseDidRecipient(to)
    } catch (e) {
      if (e instanceof CliError) throw e
      throw new CliError('ERR_USAGE', `--to: ${describeError(e).message}`, { cause: e })
    }
  }
  const file = loadKeystore(kiltMsgHome(), checkName(to))
  return { receiver: file.header.did as DidUri }
}

function parseDidRecipient(to: string): { receiver: DidUri; receiverKeyUri?: DidResourceUri } {
  if (to.includes('#')) {
    validateDidUri(to, 'ResourceUri')
    return { receiver: didOf(to), receiverKeyUri: to as DidResourceUri }
  }
  validateDidUri(to, 'Did')
  return { receiver: to as DidUri }
}

/**
 * Reads `--content`: inline JSON (starting with `{`, `[` or `"`), a file, or `-` for stdin.
 * @throws CliError ERR_USAGE when the JSON is invalid
 */
export async function readContent(content: string | undefined): Promise<unknown> {
  if (content === undefined) return {}
  const t = content.trim()
  const text = /^[[{"]/.test(t) ? t : await readInput(content)
  try {
    return JSON.parse(text)
  } catch {
    throw new CliError('ERR_USAGE', '--content expected JSON (inline, a file or - for stdin)')
  }
}

/** The body from `--type` and `--content`. */
export async function readBody(type: string, content: string | undefined): Promise<MessageBody> {
  return { type, content: await readContent(content) }
}

/**
 * Reads `--reply-to`: a message as printed by `kilt-msg decrypt --json` (or the bare message).
 * @throws CliError ERR_USAGE
 */
export function readParent(path: string): Message {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    throw new CliError(
      'ERR_USAGE',
      `--reply-to expected a file with a message from "kilt-msg decrypt --json"`,
    )
  }
  const o = json as Record<string, unknown> | null
  const m = (typeof o === 'object' && o !== null && typeof o.message === 'object' ? o.message : o) as Record<
    string,
    unknown
  > | null
  if (typeof m !== 'object' || m === null || typeof m.messageId !== 'string' || typeof m.sender !== 'string')
    throw new CliError('ERR_USAGE', '--reply-to: the file holds no message with a messageId')
  return m as unknown as Message
}

/** The default relay: `--relay`, `KILT_MSG_RELAY`, else the identity's saved relay. */
export function defaultRelay(explicit: string | undefined, identity?: UnlockedIdentity): string | undefined {
  return explicit ?? (process.env.KILT_MSG_RELAY || undefined) ?? identity?.relay
}
