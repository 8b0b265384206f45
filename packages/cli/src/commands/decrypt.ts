/**
 * @module cli/commands/decrypt
 * `kilt-msg decrypt` (verify and print a message) and `kilt-msg inspect` (what an envelope shows
 * without any key).
 */
import { defaultResolver, didOf, type EncryptedMessage, parseDid, printable } from '@kilt-messaging/core'
import type { Command } from 'commander'
import { localIdentityFor, openIdentity } from '../lib/context.js'
import { readEnvelope } from '../lib/envelope-input.js'
import { CliError, EXIT } from '../lib/errors.js'
import { readInput } from '../lib/files.js'
import {
  deliver,
  jsonText,
  linesText,
  parseDuration,
  printJson,
  println,
  shortDid,
  style,
} from '../lib/output.js'
import { checksPassed, messageJson, messageLines, openEnvelope } from '../lib/present.js'

interface DecryptOptions {
  as?: string
  passphraseFile?: string
  json?: boolean
  maxAge?: string
  allowReplay?: boolean
}

function receiverOf(envelope: unknown): string | undefined {
  const r = (envelope as { receiverKeyUri?: unknown } | null)?.receiverKeyUri
  return typeof r === 'string' ? r : undefined
}

/** Registers `decrypt` and `inspect`. */
export function registerDecrypt(program: Command): void {
  program
    .command('decrypt')
    .description(
      'decrypt and verify a message (envelope JSON, armored block — also quoted in a mail — or MIME .eml)',
    )
    .argument('[file]', 'input file, or - for stdin', '-')
    .option('--as <name>', 'receiving identity (default: the local identity the message is addressed to)')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of a file')
    .option('--max-age <duration>', 'reject messages created longer ago than this (e.g. 10m, 2h, 7d)', '7d')
    .option('--allow-replay', 'do not record or refuse already-seen message ids (re-reading a message)')
    .option('--json', 'print the message JSON (input for --reply-to)')
    .addHelpText(
      'after',
      `
Examples:
  $ kilt-msg decrypt request.kiltmsg
  $ pbpaste | kilt-msg decrypt --as bob
  $ kilt-msg decrypt reply.eml --json > reply.json
Freshness: createdAt must lie within --max-age before the local clock and at most 2 minutes after it
(tolerated clock skew of the sender).
Exit codes: 0 ok, 2 usage, 3 keystore/passphrase, 4 malformed, undecryptable, unverifiable,
stale or replayed message, 5 network, 1 other.`,
    )
    .action(async (file: string, opts: DecryptOptions) => {
      const maxAgeMs = parseDuration(opts.maxAge ?? '7d', '--max-age')
      const input = readEnvelope(await readInput(file))
      let name = opts.as
      if (name === undefined) {
        const receiver = receiverOf(input.envelope)
        const local = receiver === undefined ? undefined : safe(() => localIdentityFor(receiver))
        if (local === undefined)
          throw new CliError(
            'ERR_NOT_FOR_ME',
            receiver === undefined
              ? 'the envelope names no receiver key'
              : `this message is for ${shortDid(receiver)}, which is none of your identities (kilt-msg id list)`,
          )
        name = local
      }
      const identity = await openIdentity({
        as: name,
        ...(opts.passphraseFile ? { passphraseFile: opts.passphraseFile } : {}),
      })
      const { result, forget } = await openEnvelope(identity, input.envelope, {
        maxAgeMs,
        replay: opts.allowReplay ? false : 'file',
      })
      const checks = checksPassed(maxAgeMs, !opts.allowReplay)
      // Recorded as seen above (so no other run can accept it too); not printed, not consumed.
      await deliver(
        opts.json
          ? jsonText(messageJson(result, checks))
          : linesText(...messageLines(result.message, style(process.stdout, false), checks)),
        forget,
      )
    })

  program
    .command('inspect')
    .description(
      'show what an envelope reveals without any key: key URIs, DIDs, sizes, nonce, well-formedness',
    )
    .argument('[file]', 'input file, or - for stdin', '-')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  $ kilt-msg inspect request.kiltmsg\n  $ kilt-msg inspect reply.eml --json',
    )
    .action(async (file: string, opts: { json?: boolean }) => {
      const input = readEnvelope(await readInput(file))
      const report = await inspectEnvelope(input.envelope)
      const result = { format: input.format, envelopeBytes: input.bytes, ...report }
      if (opts.json) printJson(result)
      else {
        const c = style(process.stdout, false)
        const e = report.fields
        println(
          `${report.wellFormed ? c.green('✔ well-formed envelope') : c.red('✘ malformed envelope')} (${input.format}, ${input.bytes} bytes)`,
          `  sender key     ${printable(e.senderKeyUri ?? '?')}`,
          `  sender DID     ${printable(e.senderDid ?? '?')}`,
          `  sender (short) ${e.senderDid === undefined ? '?' : printable(shortDid(e.senderDid))}`,
          `  receiver key   ${printable(e.receiverKeyUri ?? '?')}`,
          `  receiver DID   ${printable(e.receiverDid ?? '?')}`,
          `  receiver (short) ${e.receiverDid === undefined ? '?' : printable(shortDid(e.receiverDid))}${report.localReceiver ? ` — your identity "${printable(report.localReceiver)}"` : ''}`,
          `  nonce          ${printable(e.nonce ?? '?')}`,
          `  ciphertext     ${report.ciphertextBytes ?? '?'} bytes (plaintext ${report.plaintextBytes ?? '?'} bytes + 16-byte tag)`,
          ...(e.receivedAt === undefined
            ? []
            : [`  received at    ${timeText(e.receivedAt)} (set by a relay, not authenticated)`]),
          ...report.problems.map((p) => `  ${c.red('✘')} ${printable(p)}`),
          c.dim('  (sender, receiver, type and content inside are only known after decryption)'),
        )
      }
      if (!report.wellFormed) {
        // The report went to stdout; the failure gets the usual one-line code on stderr.
        process.stderr.write(
          `error ERR_ENVELOPE_INVALID: malformed envelope: ${printable(report.problems.join('; ').slice(0, 300))}\n`,
        )
        process.exitCode = EXIT.MESSAGE
      }
    })
}

/** A time in ms as ISO 8601, or the raw number marked invalid when no date has it (it is unauthenticated). */
function timeText(ms: number): string {
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? `${ms} (not a valid time)` : date.toISOString()
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f()
  } catch {
    return undefined
  }
}

/** What {@link inspectEnvelope} finds. */
export interface InspectReport {
  wellFormed: boolean
  problems: string[]
  fields: Partial<EncryptedMessage> & { senderDid?: string; receiverDid?: string }
  ciphertextBytes?: number
  plaintextBytes?: number
  localReceiver?: string
}

const KEYS = new Set(['ciphertext', 'nonce', 'senderKeyUri', 'receiverKeyUri', 'receivedAt'])

/** Checks an envelope without keys: shape, hex, nonce length, key URIs, keys resolvable offline. */
export async function inspectEnvelope(envelope: unknown): Promise<InspectReport> {
  const problems: string[] = []
  const report: InspectReport = { wellFormed: false, problems, fields: {} }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    problems.push('not a JSON object')
    return report
  }
  const o = envelope as Record<string, unknown>
  for (const k of Object.keys(o)) if (!KEYS.has(k)) problems.push(`unexpected property "${k.slice(0, 40)}"`)
  const f = report.fields as Record<string, unknown>
  if (typeof o.ciphertext === 'string' && /^0x([0-9a-f]{2})+$/.test(o.ciphertext)) {
    f.ciphertext = o.ciphertext
    report.ciphertextBytes = (o.ciphertext.length - 2) / 2
    report.plaintextBytes = Math.max(0, report.ciphertextBytes - 16)
    if (report.ciphertextBytes < 16) problems.push('ciphertext shorter than the 16-byte tag')
  } else problems.push('"ciphertext" is not lowercase 0x hex')
  if (typeof o.nonce === 'string' && /^0x[0-9a-f]{48}$/.test(o.nonce)) f.nonce = o.nonce
  else problems.push('"nonce" is not 24 bytes of lowercase 0x hex')
  for (const side of ['sender', 'receiver'] as const) {
    const uri = o[`${side}KeyUri`]
    if (typeof uri !== 'string') {
      problems.push(`"${side}KeyUri" missing`)
      continue
    }
    f[`${side}KeyUri`] = uri
    try {
      const parsed = parseDid(uri)
      if (parsed.fragment === undefined) problems.push(`"${side}KeyUri" has no #fragment`)
      f[`${side}Did`] = didOf(uri)
      if (parsed.type === 'light') await defaultResolver().resolveKey(uri as never, 'keyAgreement')
    } catch (e) {
      problems.push(`"${side}KeyUri": ${(e as Error).message.slice(0, 160)}`)
    }
  }
  if (o.receivedAt !== undefined) {
    if (typeof o.receivedAt === 'number') f.receivedAt = o.receivedAt
    else problems.push('"receivedAt" is not a number')
  }
  if (typeof f.receiverKeyUri === 'string') {
    const local = safe(() => localIdentityFor(f.receiverKeyUri as string))
    if (local !== undefined) report.localReceiver = local
  }
  report.wellFormed = problems.length === 0
  return report
}
