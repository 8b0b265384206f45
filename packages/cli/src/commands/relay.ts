/**
 * @module cli/commands/relay
 * `kilt-msg send`, `kilt-msg inbox` and `kilt-msg relay serve`.
 */
import { join } from 'node:path'
import { type InboxMessage, printable } from '@kilt-messaging/core'
import { type Command, Option } from 'commander'
import { defaultRelay, openIdentity } from '../lib/context.js'
import { CliError, describeError, EXIT } from '../lib/errors.js'
import { ensurePrivateDir, kiltMsgHome } from '../lib/files.js'
import {
  deliver,
  jsonText,
  linesText,
  parseDuration,
  parseHost,
  parsePort,
  printJson,
  println,
  shortDid,
  style,
} from '../lib/output.js'
import {
  checksPassed,
  DEFAULT_MAX_FUTURE_SKEW_MS,
  messageJson,
  messageLines,
  openEnvelope,
} from '../lib/present.js'
import { allowLocalRelayFromEnv, checkRelayUrl, relayClient, startRelay } from '../lib/relay.js'
import { type ComposeOptions, compose, composeOptions } from './encrypt.js'

/**
 * Failures that no later attempt can turn into success: the envelope or message is broken, forged
 * or already seen. Only these are acknowledged (deleted) at the relay; anything else (a DID that
 * cannot be resolved now, a resolver or replay-store outage, a clock ahead of ours, a key we do
 * not hold) stays queued for a later `inbox`.
 */
const DEFINITIVE_FAILURES: ReadonlySet<string> = new Set([
  'ERR_DECRYPTION_FAILED',
  'ERR_ENVELOPE_INVALID',
  'ERR_MESSAGE_INVALID',
  'ERR_MESSAGE_TOO_LARGE',
  'ERR_MESSAGE_REPLAYED',
  'ERR_SENDER_MISMATCH',
  'ERR_RECEIVER_MISMATCH',
  'ERR_OWNER_MISMATCH',
  'ERR_MESSAGE_STALE',
])

/**
 * Failures that are definitive only when the sender key URI names a light DID: its document is
 * derived from the DID itself and never changes, so a key missing from it (or not under
 * keyAgreement) stays missing. A full DID's document may change, so these stay queued for it.
 */
const LIGHT_DID_DEFINITIVE_FAILURES: ReadonlySet<string> = new Set([
  'ERR_KEY_NOT_FOUND',
  'ERR_KEY_RELATIONSHIP',
])

/**
 * Whether a failed message may be deleted at the relay (see {@link DEFINITIVE_FAILURES}).
 * @param senderKeyUri - the envelope's (unauthenticated) sender key URI, when it has one
 */
export function definitiveFailure(code: string, senderKeyUri?: unknown): boolean {
  if (DEFINITIVE_FAILURES.has(code) || code.startsWith('ERR_BODY_')) return true
  return (
    LIGHT_DID_DEFINITIVE_FAILURES.has(code) &&
    typeof senderKeyUri === 'string' &&
    senderKeyUri.startsWith('did:kilt:light:')
  )
}

/** The `senderKeyUri` of an envelope as received, if it has a string one. */
function senderKeyUriOf(envelope: unknown): string | undefined {
  const uri = (envelope as { senderKeyUri?: unknown } | null)?.senderKeyUri
  return typeof uri === 'string' ? uri : undefined
}

/** What `inbox` found for one message. */
type Outcome =
  | {
      readonly verified: true
      readonly json: Record<string, unknown>
      readonly lines: readonly string[]
      /** Takes back the replay record (the message could not be printed). */
      readonly forget: () => void
    }
  | {
      readonly verified: false
      /** Whether it can never verify (and may be deleted at the relay). */
      readonly drop: boolean
      readonly json: Record<string, unknown>
      readonly line: string
    }

/** Runs every `forget` (each message's record is its own), then throws the first failure. */
function forgetAll(forgets: readonly (() => void)[]): void {
  let first: { error: unknown } | undefined
  for (const forget of forgets)
    try {
      forget()
    } catch (error) {
      first ??= { error }
    }
  if (first !== undefined) throw first.error
}

/** Calls `handler` on SIGINT or SIGTERM until the returned function is called. */
function onStopSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void {
  const onInt = () => handler('SIGINT')
  const onTerm = () => handler('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  return () => {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
  }
}

/**
 * Until the returned function is called, SIGINT and SIGTERM first run `undo` (best effort), then end
 * the run with exit code 130 or 143.
 */
function undoOnSignal(undo: () => void): () => void {
  return onStopSignal((signal) => {
    try {
      undo()
    } catch (e) {
      const d = describeError(e)
      process.stderr.write(`warning ${d.code}: ${printable(d.message)}\n`)
    }
    process.exit(signal === 'SIGINT' ? 130 : 143)
  })
}

/** Resolves when SIGINT or SIGTERM arrives. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const release = onStopSignal((signal) => {
      release()
      resolve(signal)
    })
  })
}

/** Registers `send`, `inbox` and `relay`. */
export function registerRelay(program: Command): void {
  composeOptions(program.command('send').description('encrypt a message and deposit it at a relay'), true)
    .option(
      '--relay <url>',
      "relay to deliver to (default: the receiver's KiltMessagingRelay service, then KILT_MSG_RELAY, then your saved relay)",
    )
    .option(
      '--allow-local-relay',
      "accept a receiver's relay discovered over plain http or at a loopback/private address (also KILT_MSG_ALLOW_LOCAL_RELAY=1; for local testing only)",
    )
    .addHelpText(
      'after',
      `
A relay discovered from the receiver's DID must be public https: the DID's creator chooses it, so
loopback, private and link-local addresses and localhost are refused unless --allow-local-relay
(or KILT_MSG_ALLOW_LOCAL_RELAY=1) is given. A relay given with --relay is always used as is.

Examples:
  $ kilt-msg send --as alice --to did:kilt:light:00… --type request-credential --content request.json
  $ kilt-msg send --as bob --reply-to request.json --type reject --content '{"message":"no"}' --relay http://127.0.0.1:8080`,
    )
    .action(async (opts: ComposeOptions & { relay?: string; allowLocalRelay?: boolean }) => {
      const explicit = checkRelayUrl(opts.relay, '--relay')
      const { identity, message, envelope } = await compose(opts)
      const client = await relayClient(
        checkRelayUrl(defaultRelay(undefined, identity), 'the default relay'),
        false,
        opts.allowLocalRelay === true || allowLocalRelayFromEnv(),
      )
      const receipt = await client.send(envelope, explicit === undefined ? {} : { relay: explicit })
      if (opts.json)
        printJson({
          id: receipt.id,
          receivedAt: receipt.receivedAt,
          messageId: message.messageId,
          receiver: message.receiver,
        })
      else
        println(
          `${style(process.stdout, false).green('✔')} sent ${message.body.type} to ${shortDid(message.receiver)} (relay id ${printable(receipt.id)}, message ${message.messageId})`,
        )
    })

  program
    .command('inbox')
    .description(
      'log in to a relay with your DID, fetch, decrypt, verify, print and acknowledge your messages',
    )
    .option('--as <name>', 'identity', 'default')
    .option('--relay <url>', 'your relay (default: KILT_MSG_RELAY, then the saved relay of the identity)')
    .option('--watch', 'stream new messages live until Ctrl-C')
    .option('--keep', 'do not acknowledge (delete) messages at the relay, nor record them as seen')
    .option('--max-age <duration>', 'reject messages created longer ago than this', '7d')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of a file')
    .option('--json', 'machine-readable output (with --watch: one JSON object per line)')
    .addHelpText(
      'after',
      `
Verification: each message is decrypted and verified; createdAt must lie within --max-age before
the local clock and at most 2 minutes after it (tolerated clock skew of the sender).

Acknowledging: verified messages and messages that can never verify (undecryptable, malformed,
forged sender/receiver/owner, invalid body, stale, replayed, sender key missing from a light
DID) are deleted at the relay. Messages failing for a reason that may pass later (DID not
resolvable or upgraded, key missing from a full DID, resolver or replay store unavailable,
created in the future, key not held) are kept queued and reported as kept. A failed message is
reported on stderr; the run then ends with exit code 4 (with --json: in "errors", exit code 0).
A replayed message (received before: an acknowledgement that failed, or a copy deposited again)
is deleted and noted on stderr as "skipped", without failing the run.

Printing comes first: a message is acknowledged only once it was printed (with --json: once the
whole document was). When the output fails (the reader went away, EPIPE), the message is taken
off the replay record again and stays queued; the run ends quietly with exit code 1.

Failures of the relay: with --json, when a later page fails, the JSON document is still printed
with the messages verified so far and an "error" member { code, message }; they are acknowledged,
then the run fails with that error (exit 5). When an acknowledgement fails, the messages were
printed already: the run fails with the relay's error (exit 5), and a later run deletes them at
the relay as replays (noted as skipped, ERR_MESSAGE_REPLAYED). Interrupted (Ctrl-C, SIGTERM), a
run takes the messages it verified but did not print off the record again; exit code 130 or 143.

Examples:
  $ kilt-msg inbox --as bob --relay http://127.0.0.1:8080
  $ kilt-msg inbox --as bob --watch
  $ kilt-msg inbox --as bob --json --keep`,
    )
    .action(
      async (opts: {
        as: string
        relay?: string
        watch?: boolean
        keep?: boolean
        maxAge: string
        passphraseFile?: string
        json?: boolean
      }) => {
        const maxAgeMs = parseDuration(opts.maxAge, '--max-age')
        const identity = await openIdentity(opts)
        const url = checkRelayUrl(defaultRelay(opts.relay, identity), '--relay')
        if (url === undefined)
          throw new CliError(
            'ERR_USAGE',
            'no relay: give --relay <url>, set KILT_MSG_RELAY, or kilt-msg id set-relay <url>',
          )
        const client = await relayClient(url, opts.watch === true)
        await client.login({
          did: identity.did,
          keyUri: identity.authKeyUri,
          sign: (d) => identity.auth.sign(d),
        })
        const c = style(process.stdout, opts.json === true)
        const checks = checksPassed(maxAgeMs, !opts.keep)
        let failures = 0
        let verified = 0

        /**
         * Decrypts and verifies one message (recording it as seen unless --keep). A verified message
         * must then be printed before it is acknowledged, and forgotten when printing fails.
         */
        const check = async (m: InboxMessage): Promise<Outcome> => {
          try {
            const { result, forget } = await openEnvelope(identity, m.envelope, {
              maxAgeMs,
              maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
              replay: opts.keep ? 'memory' : 'file',
            })
            verified++
            const json = { relayId: m.id, ...messageJson(result, checks) }
            return { verified: true, json, lines: [...messageLines(result.message, c, []), ''], forget }
          } catch (e) {
            const d = describeError(e)
            // A message that can never verify is dropped; one that may verify later stays queued.
            const drop = definitiveFailure(d.code, senderKeyUriOf(m.envelope))
            const kept = !drop || opts.keep === true
            const where = `relay id ${printable(String(m.id))}; ${kept ? 'kept queued at the relay' : 'deleted at the relay'}`
            // A replay was received (and shown) before: an acknowledgement that failed, or somebody
            // depositing a copy again. Harmless, so a notice, not a failure of the run.
            const replayed = d.code === 'ERR_MESSAGE_REPLAYED'
            if (!replayed) failures++
            return {
              verified: false,
              drop,
              json: { relayId: m.id, error: { code: d.code, message: d.message }, kept },
              line: replayed
                ? `skipped ${d.code}: already received (${where})\n`
                : `error ${d.code}: ${printable(d.message)} (${where})\n`,
            }
          }
        }

        /**
         * Prints one outcome as it comes (text, or one JSON line with --watch): a verified message on
         * stdout (delivered, else forgotten and the delivery's error thrown), a failure on stderr
         * (or stdout with --json).
         * @returns whether the message may be acknowledged
         */
        const show = async (o: Outcome): Promise<boolean> => {
          if (o.verified) {
            await deliver(opts.json ? `${JSON.stringify(o.json)}\n` : linesText(...o.lines), o.forget)
            return true
          }
          if (opts.json) await deliver(`${JSON.stringify(o.json)}\n`)
          else process.stderr.write(o.line)
          return o.drop
        }

        if (opts.watch) {
          // A message that cannot be printed ends the run (the reader is gone), unacknowledged.
          let stopped = false
          let stop: (e: unknown) => void = () => {}
          const failed = new Promise<never>((_, reject) => {
            stop = reject
          })
          failed.catch(() => {})
          const sub = client.subscribe(
            async (m) => {
              if (stopped) return
              const o = await check(m)
              try {
                if (!(await show(o)) || opts.keep) return
              } catch (e) {
                stopped = true
                stop(e)
                return
              }
              await sub.ack([m.id])
            },
            {
              onError: (e) => {
                const d = describeError(e)
                process.stderr.write(`warning ${d.code}: ${printable(d.message)}\n`)
              },
              onOpen: () => {
                if (!opts.json)
                  process.stderr.write(
                    `watching the inbox of ${shortDid(identity.did)} at ${url} (Ctrl-C to stop)\n`,
                  )
              },
            },
          )
          try {
            await Promise.race([untilSignal(), failed])
          } finally {
            stopped = true
            sub.close()
          }
          return
        }

        /** The pages, one after the other (at most 1000). */
        const pages = async function* (): AsyncGenerator<readonly InboxMessage[]> {
          let after: string | undefined
          for (let page = 0; page < 1000; page++) {
            const { messages, cursor } = await client.fetchInbox(after === undefined ? {} : { after })
            if (messages.length === 0) return
            yield messages
            if (cursor === null) return
            after = cursor
          }
        }

        // Verified (recorded as seen) but not printed yet: taken off the record again when the run is
        // interrupted (SIGINT/SIGTERM), which would otherwise consume them unseen.
        const unprinted: (() => void)[] = []
        const readPages = async (): Promise<void> => {
          if (!opts.json) {
            for await (const messages of pages()) {
              const ackable: string[] = []
              try {
                for (const m of messages) {
                  const o = await check(m)
                  if (o.verified) unprinted.push(o.forget)
                  const shown = await show(o)
                  unprinted.length = 0
                  if (shown) ackable.push(m.id)
                }
              } finally {
                // Only what was printed (or can never verify) is acknowledged, also when printing failed.
                if (!opts.keep && ackable.length > 0) await client.ack(ackable)
              }
            }
            if (failures > 0) {
              process.stderr.write(
                `${failures} message${failures === 1 ? '' : 's'} failed to verify (see above)\n`,
              )
              process.exitCode = EXIT.MESSAGE
            } else if (verified === 0) println('no new messages')
            return
          }

          // --json: one document, printed before anything is acknowledged; a relay failure while
          // reading still prints the messages verified so far (they are recorded as seen) and "error".
          const ok: Record<string, unknown>[] = []
          const errors: Record<string, unknown>[] = []
          const acks: string[][] = []
          let failure: { error: unknown } | undefined
          try {
            for await (const messages of pages()) {
              const ackable: string[] = []
              for (const m of messages) {
                const o = await check(m)
                if (o.verified) {
                  ok.push(o.json)
                  unprinted.push(o.forget)
                  ackable.push(m.id)
                } else {
                  errors.push(o.json)
                  if (o.drop) ackable.push(m.id)
                }
              }
              acks.push(ackable)
            }
          } catch (error) {
            failure = { error }
          }
          const d = failure === undefined ? undefined : describeError(failure.error)
          await deliver(
            jsonText({
              did: identity.did,
              relay: url,
              messages: ok,
              errors,
              ...(d === undefined ? {} : { error: { code: d.code, message: d.message } }),
            }),
            () => forgetAll(unprinted.splice(0)),
          )
          unprinted.length = 0
          if (!opts.keep) for (const ids of acks) if (ids.length > 0) await client.ack(ids)
          if (failure !== undefined) throw failure.error
        }
        const release = undoOnSignal(() => forgetAll(unprinted.splice(0)))
        try {
          await readPages()
        } finally {
          release()
        }
      },
    )

  const relay = program.command('relay').description('run a KILT messaging relay (mailbox server)')
  relay
    .command('serve')
    .description('start the relay (SQLite under KILT_MSG_HOME by default, or PostgreSQL)')
    .addOption(
      new Option('--db <file>', 'SQLite database file (default: $KILT_MSG_HOME/relay.db)').conflicts(
        'postgres',
      ),
    )
    .option('--postgres <url>', 'PostgreSQL connection string')
    .option('--port <port>', 'TCP port (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--log', 'JSON request logs on stdout (pino)')
    .option('--json', 'print { url } as JSON once listening')
    .addHelpText(
      'after',
      `
Examples:
  $ kilt-msg relay serve
  $ kilt-msg relay serve --port 8080 --host 0.0.0.0 --db /var/lib/kilt-msg/relay.db
  $ kilt-msg relay serve --postgres postgres://relay@localhost/relay`,
    )
    .action(
      async (opts: {
        db?: string
        postgres?: string
        port: string
        host: string
        log?: boolean
        json?: boolean
      }) => {
        const port = parsePort(opts.port, '--port')
        const host = parseHost(opts.host, '--host')
        let db = opts.db
        if (opts.postgres === undefined && db === undefined) {
          ensurePrivateDir(kiltMsgHome())
          db = join(kiltMsgHome(), 'relay.db')
        }
        const running = await startRelay({
          port,
          host,
          log: opts.log === true,
          ...(opts.postgres === undefined ? { db: db as string } : { postgres: opts.postgres }),
        })
        if (opts.json)
          process.stdout.write(
            `${JSON.stringify({ url: running.url, store: opts.postgres ? 'postgres' : db })}\n`,
          )
        else
          println(
            `relay listening on ${running.url} (${opts.postgres ? 'PostgreSQL' : `SQLite ${db}`}); Ctrl-C to stop`,
          )
        await untilSignal()
        await running.close()
        if (!opts.json) process.stderr.write('relay stopped\n')
      },
    )
}
