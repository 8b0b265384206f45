/**
 * @module cli/cli
 * The `kilt-msg` program (commander) and its top-level error handler: every failure becomes one
 * line `error ERR_…: <explanation>` on stderr and a documented exit code; `KILT_MSG_DEBUG=1`
 * adds the stack.
 */
import { printable } from '@kilt-messaging/core'
import { Command, CommanderError } from 'commander'
import { registerDecrypt } from './commands/decrypt.js'
import { registerDemo } from './commands/demo.js'
import { registerEncrypt } from './commands/encrypt.js'
import { registerId } from './commands/id.js'
import { registerRelay } from './commands/relay.js'
import { describeError, EXIT } from './lib/errors.js'
import { isOutputClosed } from './lib/output.js'

/** The version printed by `kilt-msg --version`. */
export const VERSION = '0.1.0'

/**
 * Builds the commander program (not yet parsed).
 * @example
 * await buildProgram().parseAsync(process.argv)
 */
export function buildProgram(): Command {
  const program = new Command('kilt-msg')
  program
    .description(
      'KILT messaging from the command line: identities, end-to-end encrypted messages, relay mailboxes',
    )
    .version(VERSION)
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Quick start:
  $ kilt-msg demo                                   # everything, offline, in one go
  $ kilt-msg id new --name alice && kilt-msg id new --name bob
  $ kilt-msg encrypt --as alice --to bob --type reject --content '{"message":"hi"}' --armor > msg.asc
  $ kilt-msg decrypt msg.asc

Environment:
  KILT_MSG_HOME        keystores and state (default $XDG_CONFIG_HOME/kilt-msg or ~/.config/kilt-msg)
  KILT_MSG_PASSPHRASE  keystore passphrase (else --passphrase-file or a prompt)
  KILT_MSG_RELAY       default relay URL
  KILT_MSG_ALLOW_LOCAL_RELAY=1  send: accept a discovered relay on http/loopback/private addresses
  KILT_MSG_DEBUG=1     print stack traces
  KILT_MSG_SCRYPT_LOG_N=10..17  tests only: new keystores use scrypt N=2^n instead of 2^17, which
                       makes a stolen keystore's passphrase 2^(17-n) times cheaper to guess (warned)
  NO_COLOR             no colours

Exit codes: 0 ok, 1 other failure, 2 usage, 3 keystore/passphrase/identity,
            4 message invalid/undecryptable/unverifiable/stale/replayed, 5 network/relay.`,
    )
  registerId(program)
  registerEncrypt(program)
  registerDecrypt(program)
  registerRelay(program)
  registerDemo(program)
  const configure = (cmd: Command): void => {
    cmd.exitOverride()
    cmd.configureOutput({ outputError: () => {} })
    for (const sub of cmd.commands) configure(sub)
  }
  configure(program)
  return program
}

/**
 * Runs the program on `argv` and returns the exit code (never throws).
 * @example
 * process.exitCode = await main(process.argv)
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv])
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.OK
      const message = e.message.replace(/^error: /, '')
      process.stderr.write(`error ERR_USAGE: ${printable(message.split('\n')[0] ?? '')}\n`)
      return EXIT.USAGE
    }
    // The reader of the output went away while a message was delivered (see bin.ts): quietly.
    if (isOutputClosed(e)) return EXIT.OTHER
    const d = describeError(e)
    process.stderr.write(`error ${d.code}: ${printable(d.message)}\n`)
    if (process.env.KILT_MSG_DEBUG === '1' && e instanceof Error && e.stack)
      process.stderr.write(`${e.stack}\n`)
    return d.exitCode
  }
}
