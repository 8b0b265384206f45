/**
 * @module cli/commands/encrypt
 * `kilt-msg encrypt`: a message for a DID, as envelope JSON, an armored block or a MIME mail.
 */
import {
  createMessage,
  type EncryptedMessage,
  encryptMessage,
  isSameSubject,
  type Message,
  replyTo,
} from '@kilt-messaging/core'
import { type Command, Option } from 'commander'
import { armor } from '../lib/armor.js'
import { openIdentity, parseRecipient, readBody, readParent } from '../lib/context.js'
import { CliError } from '../lib/errors.js'
import { writeFileAtomic } from '../lib/files.js'
import type { UnlockedIdentity } from '../lib/identity.js'
import { buildMime, HEADER_TEXT } from '../lib/mime.js'
import { printJson } from '../lib/output.js'

/** Options shared by `encrypt` and `send`. */
export interface ComposeOptions {
  to?: string
  type: string
  content?: string
  replyTo?: string
  as?: string
  passphraseFile?: string
  json?: boolean
}

/**
 * Builds and encrypts the message described by the options.
 * @returns the identity, the plaintext message and its envelope
 */
export async function compose(
  opts: ComposeOptions,
): Promise<{ identity: UnlockedIdentity; message: Message; envelope: EncryptedMessage }> {
  if (opts.to === undefined && opts.replyTo === undefined)
    throw new CliError('ERR_USAGE', 'give --to <did> or --reply-to <file>')
  const body = await readBody(opts.type, opts.content)
  const parent = opts.replyTo === undefined ? undefined : readParent(opts.replyTo)
  const recipient = opts.to === undefined ? undefined : parseRecipient(opts.to)
  const identity = await openIdentity(opts)
  let message: Message
  if (parent !== undefined) {
    if (!isSameSubject(parent.receiver, identity.did))
      throw new CliError(
        'ERR_USAGE',
        `--reply-to: that message was sent to ${parent.receiver}, not to "${identity.name}"`,
      )
    if (recipient !== undefined && !isSameSubject(parent.sender, recipient.receiver))
      throw new CliError('ERR_USAGE', '--to differs from the sender of the message replied to')
    message = replyTo({ ...parent, receiver: identity.did }, body)
  } else {
    message = createMessage(body, {
      sender: identity.did,
      receiver: (recipient as { receiver: Message['receiver'] }).receiver,
    })
  }
  const envelope = await encryptMessage(message, {
    keys: identity.keyring,
    ...(recipient?.receiverKeyUri === undefined ? {} : { receiverKeyUri: recipient.receiverKeyUri }),
  })
  return { identity, message, envelope }
}

/** Adds the options of message composition to a command. */
export function composeOptions(cmd: Command, toRequired: boolean): Command {
  return cmd
    .option(
      `--to <did|keyUri|name>`,
      `receiver: a DID, a key URI or a local identity name${toRequired ? '' : ' (default: from --reply-to)'}`,
    )
    .requiredOption('--type <type>', 'body type, e.g. request-credential, reject, submit-credential')
    .option('--content <json|file|->', 'body content: inline JSON, a JSON file, or - for stdin (default {})')
    .option('--reply-to <file>', 'answer a message saved with "kilt-msg decrypt --json"')
    .option('--as <name>', 'sending identity', 'default')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of a file')
    .option('--json', 'machine-readable output')
}

/**
 * Checks the mail header options: they come with `--mime` (they set headers of the MIME mail and
 * would otherwise be dropped without a word), and each is a non-blank line of printable ASCII (an
 * empty value wrote an empty header; CR/LF would inject headers).
 * @throws CliError ERR_USAGE for `--mail-from` or `--mail-to` without `--mime`, empty or blank,
 *   or with a control (CR, LF, tab, ...) or non-ASCII character
 */
export function checkMailOptions(opts: { mime?: boolean; mailFrom?: unknown; mailTo?: unknown }): void {
  const given = [
    ...(opts.mailFrom === undefined ? [] : [['--mail-from', opts.mailFrom] as const]),
    ...(opts.mailTo === undefined ? [] : [['--mail-to', opts.mailTo] as const]),
  ]
  if (opts.mime !== true && given.length > 0)
    throw new CliError(
      'ERR_USAGE',
      `${given.map(([flag]) => flag).join(' and ')} only ${given.length > 1 ? 'apply' : 'applies'} to a MIME mail: add --mime`,
    )
  for (const [flag, value] of given) {
    if (typeof value !== 'string' || value.trim() === '')
      throw new CliError('ERR_USAGE', `${flag} expected an address, got an empty value`)
    if (value.length > 900 || !HEADER_TEXT.test(value))
      throw new CliError(
        'ERR_USAGE',
        `${flag} must be one line of printable ASCII (no CR, LF or other control characters) of at most 900 characters`,
      )
  }
}

/** Registers `encrypt`. */
export function registerEncrypt(program: Command): void {
  composeOptions(
    program
      .command('encrypt')
      .description('encrypt a message for a DID (offline) as envelope JSON, armored text or a MIME mail'),
    true,
  )
    .addOption(
      new Option('--armor', 'ASCII-armored block that survives mail and copy-paste').conflicts('mime'),
    )
    .option(
      '--mime',
      'an RFC 5322/MIME .eml with the envelope as application/vnd.kilt.message+json attachment',
    )
    .option('--mail-from <address>', 'From: of the MIME mail (with --mime)')
    .option('--mail-to <address>', 'To: of the MIME mail (with --mime)')
    .option('--out <file>', 'write to a file instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ kilt-msg encrypt --as alice --to did:kilt:light:00… --type request-credential \\
      --content '{"cTypes":[{"cTypeHash":"0x3291…"}],"challenge":"0x…"}' --out request.kiltmsg
  $ kilt-msg encrypt --as alice --to bob --type reject --content '{"message":"no"}' --armor
  $ kilt-msg encrypt --as bob --reply-to request.json --type reject --mime --out reply.eml`,
    )
    .action(
      async (
        opts: ComposeOptions & {
          armor?: boolean
          mime?: boolean
          out?: string
          mailFrom?: string
          mailTo?: string
        },
      ) => {
        checkMailOptions(opts)
        const { message, envelope } = await compose(opts)
        const json = JSON.stringify(envelope, null, 2)
        const text = opts.armor
          ? armor(JSON.stringify(envelope))
          : opts.mime
            ? buildMime(JSON.stringify(envelope), {
                ...(opts.mailFrom === undefined ? {} : { from: opts.mailFrom }),
                ...(opts.mailTo === undefined ? {} : { to: opts.mailTo }),
              })
            : `${json}\n`
        if (opts.out !== undefined) {
          if (opts.out === '-') process.stdout.write(text)
          else writeFileAtomic(opts.out, text)
        }
        if (opts.json)
          printJson({
            messageId: message.messageId,
            sender: message.sender,
            receiver: message.receiver,
            type: message.body.type,
            format: opts.armor ? 'armor' : opts.mime ? 'mime' : 'json',
            ...(opts.out === undefined ? { output: text } : { file: opts.out }),
            envelope,
          })
        else if (opts.out === undefined) process.stdout.write(text)
        else process.stderr.write(`wrote ${opts.out} (message ${message.messageId})\n`)
      },
    )
}
