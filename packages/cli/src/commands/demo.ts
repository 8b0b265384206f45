/**
 * @module cli/commands/demo
 * `kilt-msg demo`: the whole path offline — an embedded relay on SQLite in a temporary folder on a
 * random loopback port, Alice asks Bob for a credential, Bob logs in, verifies and rejects, Alice
 * receives the answer; then everything is removed.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createMessage,
  createReplayGuard,
  decryptMessage,
  encryptMessage,
  randomSigningKeyPair,
  randomX25519,
  replyTo,
} from '@kilt-messaging/core'
import type { Command } from 'commander'
import { identityFromKeys, type UnlockedIdentity } from '../lib/identity.js'
import { printJson, println, shortDid, style } from '../lib/output.js'
import { checksPassed, envelopeLines, messageLines } from '../lib/present.js'
import { relayClient, startRelay } from '../lib/relay.js'

/** The cTypeHash of KILT's SocialKYC "Email" CType, as a real-looking example. */
const EMAIL_CTYPE_HASH = '0x3291bb126e33b4862d421bfaa1d2f272e6cdfc4f96658988fbcffea8914bd9ac'

/** Registers `demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole flow offline: embedded relay, Alice asks Bob for a credential, Bob rejects')
    .option('--json', 'print the steps as JSON')
    .addHelpText('after', '\nExample:\n  $ kilt-msg demo')
    .action(async (opts: { json?: boolean }) => {
      const json = opts.json === true
      const c = style(process.stdout, json)
      const steps: Record<string, unknown>[] = []
      const say = (...lines: string[]) => {
        if (!json) println(...lines)
      }
      const dir = mkdtempSync(join(tmpdir(), 'kilt-msg-demo-'))
      let relay: Awaited<ReturnType<typeof startRelay>> | undefined
      try {
        relay = await startRelay({ db: join(dir, 'relay.db'), port: 0, host: '127.0.0.1' })
        say(c.bold('1. Relay'), `  embedded relay on ${relay.url} (SQLite in ${dir})`, '')
        steps.push({ step: 'relay', url: relay.url })

        const make = (name: string, type: 'sr25519' | 'ed25519'): UnlockedIdentity =>
          identityFromKeys(name, randomSigningKeyPair(type), randomX25519(), { relay: relay?.url as string })
        const alice = make('alice', 'sr25519')
        const bob = make('bob', 'ed25519')
        say(
          c.bold('2. Identities'),
          `  Alice (verifier) ${shortDid(alice.did)}  sr25519 authentication, x25519 key agreement`,
          `  Bob   (holder)   ${shortDid(bob.did)}  ed25519 authentication, x25519 key agreement`,
          `  ${c.dim('both light DIDs announce the relay in a KiltMessagingRelay service')}`,
          '',
        )
        steps.push({ step: 'identities', alice: alice.did, bob: bob.did })

        const challenge = `0x${randomBytes(32).toString('hex')}`
        const request = createMessage(
          {
            type: 'request-credential',
            content: { cTypes: [{ cTypeHash: EMAIL_CTYPE_HASH, requiredProperties: ['Email'] }], challenge },
          },
          { sender: alice.did, receiver: bob.did },
        )
        const requestEnvelope = await encryptMessage(request, { keys: alice.keyring })
        // The demo's relay is on loopback on purpose: allow discovering it.
        const aliceClient = await relayClient(relay.url, false, true)
        const sent = await aliceClient.send(requestEnvelope)
        say(
          c.bold('3. Alice sends request-credential'),
          `  cTypeHash ${EMAIL_CTYPE_HASH} (Email), challenge ${challenge.slice(0, 18)}…`,
          `  message id ${request.messageId}`,
          '  envelope (all the relay ever sees):',
          ...envelopeLines(requestEnvelope, c),
          `  ${c.green('✔')} relay found by discovery from Bob's DID, deposited as ${sent.id}`,
          '',
        )
        steps.push({
          step: 'request',
          messageId: request.messageId,
          relayId: sent.id,
          envelope: requestEnvelope,
        })

        const checks = checksPassed(60_000, true)
        const receive = async (who: UnlockedIdentity) => {
          const client = await relayClient(relay?.url as string)
          await client.login({ did: who.did, keyUri: who.authKeyUri, sign: (d) => who.auth.sign(d) })
          const page = await client.fetchInbox()
          const first = page.messages[0]
          if (first === undefined) throw new Error(`the inbox of ${who.name} is empty`)
          const opened = await decryptMessage(first.envelope, {
            keys: who.keyring,
            replay: createReplayGuard(),
          })
          await client.ack([first.id])
          return opened.message
        }

        const got = await receive(bob)
        say(
          c.bold('4. Bob logs in (DID signature), fetches, decrypts and verifies'),
          ...messageLines(got, c, checks).map((l) => `  ${l}`),
          '',
        )
        steps.push({ step: 'bob-received', message: got })

        const reply = replyTo(got, {
          type: 'reject',
          content: { name: 'NoCredential', message: 'I hold no Email credential from a trusted attester' },
        })
        const replyEnvelope = await encryptMessage(reply, { keys: bob.keyring })
        const sentReply = await (await relayClient(relay.url, false, true)).send(replyEnvelope)
        say(
          c.bold('5. Bob replies reject'),
          `  in reply to ${reply.inReplyTo}`,
          ...envelopeLines(replyEnvelope, c),
          `  ${c.green('✔')} deposited as ${sentReply.id}`,
          '',
        )
        steps.push({
          step: 'reply',
          messageId: reply.messageId,
          relayId: sentReply.id,
          envelope: replyEnvelope,
        })

        const answer = await receive(alice)
        if (answer.inReplyTo !== request.messageId) throw new Error('the reply does not answer the request')
        say(
          c.bold('6. Alice receives the answer'),
          ...messageLines(answer, c, [...checks, 'answers her request (inReplyTo = request messageId)']).map(
            (l) => `  ${l}`,
          ),
          '',
        )
        steps.push({ step: 'alice-received', message: answer })
        alice.keyring.destroy()
        bob.keyring.destroy()
      } finally {
        if (relay !== undefined) await relay.close()
        rmSync(dir, { recursive: true, force: true })
      }
      say(c.bold('7. Cleaned up'), '  relay closed, temporary folder removed', '', c.green('✔ demo complete'))
      if (json) printJson({ ok: true, steps })
    })
}
