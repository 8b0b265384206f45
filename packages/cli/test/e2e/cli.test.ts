import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createKeyring,
  createLightDid,
  type DidResourceUri,
  encryptMessage,
  type Message,
  randomSigningKeyPair,
  randomX25519,
} from '@kilt-messaging/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, build, home, localRelay, ok, oneLineError, type RunResult, run, start } from './helpers.js'

// Fixed seeds for Bob, imported through the environment (never argv): used to check that no
// secret reaches the disk in clear.
const BOB_AUTH_SEED = `0x${'5a'.repeat(32)}`
const BOB_KA_SECRET = `0x${'c3'.repeat(32)}`
const CTYPE = '0x3291bb126e33b4862d421bfaa1d2f272e6cdfc4f96658988fbcffea8914bd9ac'
const REQUEST = JSON.stringify({ cTypes: [{ cTypeHash: CTYPE }], challenge: '0x2a2a2a2a' })

let A: Record<string, string>
let B: Record<string, string>
let aliceDid: string
let bobDid: string
const tmp = mkdtempSync(join(tmpdir(), 'kilt-msg-files-'))

/** `encrypt` or `send` as Alice: to `to`, a body of `type`, then the further arguments. */
function asAlice(command: 'encrypt' | 'send', to: string, type: string, ...rest: string[]) {
  return run([command, '--as', 'alice', '--to', to, '--type', type, ...rest], A)
}
/** `encrypt` from Alice to Bob (a request-credential by default). */
function encryptToBob(extra: string[] = [], type = 'request-credential', content = REQUEST) {
  return asAlice('encrypt', bobDid, type, '--content', content, ...extra)
}
async function encryptForBob(extra: string[] = [], type = 'request-credential', content = REQUEST) {
  return ok(await encryptToBob(extra, type, content))
}

/** `id import` of Bob's fixed seeds (from the environment) into the home `env`. */
function importBob(env: Record<string, string>, extra: string[] = []) {
  return run(['id', 'import', '--name', 'bob', '--auth-type', 'ed25519', ...extra], {
    ...env,
    KILT_MSG_AUTH_SEED: BOB_AUTH_SEED,
    KILT_MSG_KEY_AGREEMENT_SECRET: BOB_KA_SECRET,
  })
}

/** A copy of Bob's home whose keystore file went through `edit`. */
function bobHomeWithKeystore(edit: (keystore: string) => string): Record<string, string> {
  const C = { ...B, KILT_MSG_HOME: mkdtempSync(join(tmpdir(), 'kilt-msg-keystore-')) }
  cpSync(B.KILT_MSG_HOME as string, C.KILT_MSG_HOME, { recursive: true })
  const f = join(C.KILT_MSG_HOME, 'keys', 'bob.json')
  writeFileSync(f, edit(readFileSync(f, 'utf8')))
  return C
}

beforeAll(async () => {
  build()
  A = home()
  B = home()
  const alice = ok(await run(['id', 'new', '--name', 'alice', '--json'], A))
  aliceDid = JSON.parse(alice.stdout).did
  const bob = ok(await importBob(B, ['--json']))
  bobDid = JSON.parse(bob.stdout).did
}, 180_000)

describe('identities', () => {
  it('creates light DIDs of the requested types', () => {
    expect(aliceDid).toMatch(/^did:kilt:light:00[1-9A-HJ-NP-Za-km-z]+:z[1-9A-HJ-NP-Za-km-z]+$/)
    expect(bobDid).toMatch(/^did:kilt:light:01/)
  })

  it('keeps the keystore at mode 0600 with no secret in clear', () => {
    const file = join(B.KILT_MSG_HOME as string, 'keys', 'bob.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const text = readFileSync(file, 'utf8')
    for (const secret of [BOB_AUTH_SEED, BOB_KA_SECRET]) {
      const hex = secret.slice(2)
      expect(text).not.toContain(hex)
      expect(text).not.toContain(Buffer.from(hex, 'hex').toString('base64').slice(0, 16))
    }
    const json = JSON.parse(text)
    expect(json.kdf).toMatchObject({ name: 'scrypt', logN: 10, r: 8, p: 1 })
    expect(json.cipher.name).toBe('xchacha20-poly1305')
  })

  it('re-imports the same seeds to the same DID, and never overwrites an identity', async () => {
    const before = readFileSync(join(B.KILT_MSG_HOME as string, 'keys', 'bob.json'), 'utf8')
    const again = await importBob(B)
    expect(again.code).toBe(3)
    expect(oneLineError(again).code).toBe('ERR_IDENTITY_EXISTS')
    expect(readFileSync(join(B.KILT_MSG_HOME as string, 'keys', 'bob.json'), 'utf8')).toBe(before)
    const copy = ok(await importBob(home(), ['--json']))
    expect(JSON.parse(copy.stdout).did).toBe(bobDid)
  })

  it('lists, shows (W3C document) and exports public keys without secrets', async () => {
    const list = JSON.parse(ok(await run(['id', 'list', '--json'], B)).stdout)
    // B may hold identities other tests of this file added (carol): bob is there, and every entry
    // shows exactly its public fields
    expect(list).toContainEqual({ name: 'bob', did: bobDid, relay: null })
    for (const entry of list) expect(Object.keys(entry).sort()).toEqual(['did', 'name', 'relay'])
    const doc = JSON.parse(ok(await run(['id', 'show', '--name', 'bob', '--document'], B)).stdout)
    expect(doc.id).toBe(bobDid)
    expect(JSON.stringify(doc.keyAgreement)).toContain('#encryption')
    const pub = ok(await run(['id', 'export-public', '--name', 'bob'], B)).stdout
    expect(JSON.parse(pub).keyAgreement.keyUri).toBe(`${bobDid}#encryption`)
    expect(pub).not.toContain(BOB_KA_SECRET.slice(2))
    expect(pub).not.toContain(BOB_AUTH_SEED.slice(2))
  })

  it('imports a mnemonic from stdin (never argv)', async () => {
    const C = home()
    const phrase = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
    const r = ok(
      await run(
        ['id', 'import', '--mnemonic', '--name', 'm', '--derivation', 'sporran', '--json'],
        C,
        `${phrase}\n`,
      ),
    )
    expect(JSON.parse(r.stdout).did).toMatch(/^did:kilt:light:00/)
    const bad = await run(['id', 'import', '--mnemonic', '--name', 'n'], C, 'not a phrase\n')
    expect(bad.code).toBe(2)
    expect(oneLineError(bad).code).toBe('ERR_USAGE')
  })
})

describe('offline messages', () => {
  it('encrypt → decrypt round trip through a file', async () => {
    const file = join(tmp, 'req.kiltmsg')
    await encryptForBob(['--out', file])
    const envelope = JSON.parse(readFileSync(file, 'utf8'))
    expect(Object.keys(envelope)).toEqual(['ciphertext', 'nonce', 'senderKeyUri', 'receiverKeyUri'])
    const r = ok(await run(['decrypt', file, '--json'], B))
    const message = JSON.parse(r.stdout)
    expect(message.sender).toBe(aliceDid)
    expect(message.receiver).toBe(bobDid)
    expect(message.body).toEqual({ type: 'request-credential', content: JSON.parse(REQUEST) })
    expect(message.verification.status).toBe('verified')
    const text = ok(await run(['decrypt', file, '--allow-replay'], B)).stdout
    expect(text).toContain('verified')
    expect(text).toContain('request-credential')
    expect(text.includes(String.fromCharCode(27))).toBe(false)
  })

  it('armored block embedded and quoted in a mail body', async () => {
    const block = (await encryptForBob(['--armor'])).stdout
    const lines = block.trimEnd().split('\n')
    expect(lines[0]).toBe('-----BEGIN KILT MESSAGE-----')
    expect(lines.at(-1)).toBe('-----END KILT MESSAGE-----')
    expect(lines.at(-2)).toMatch(/^=/)
    const mail = `Hi Bob,\r\n\r\nAlice wrote on Monday:\r\n${lines.map((l) => `> ${l}`).join('\r\n')}\r\n\r\nBest\r\n`
    const r = ok(await run(['decrypt', '-', '--json'], B, mail))
    expect(JSON.parse(r.stdout).body.type).toBe('request-credential')
    // One altered character: the checksum catches it.
    const damaged = block.replace(/^([A-Za-z0-9+/]{10})([A-Za-z])/m, (_, a, b) => a + (b === 'Q' ? 'R' : 'Q'))
    const bad = await run(['decrypt', '-'], B, damaged)
    expect(bad.code).toBe(4)
    expect(oneLineError(bad)).toMatchObject({ code: 'ERR_INPUT_INVALID' })
  })

  it('MIME .eml round trip', async () => {
    const eml = join(tmp, 'req.eml')
    await encryptForBob(['--mime', '--mail-to', 'bob@example.org', '--out', eml])
    const text = readFileSync(eml, 'utf8')
    expect(text).toContain('application/vnd.kilt.message+json')
    expect(text).toContain('\r\nMIME-Version: 1.0\r\n')
    const r = ok(await run(['decrypt', eml, '--json'], B))
    expect(JSON.parse(r.stdout).sender).toBe(aliceDid)
  })

  it('inspect shows what the envelope reveals without any key', async () => {
    const file = join(tmp, 'inspect.kiltmsg')
    await encryptForBob(['--out', file])
    const r = JSON.parse(ok(await run(['inspect', file, '--json'], B)).stdout)
    expect(r).toMatchObject({
      format: 'json',
      wellFormed: true,
      localReceiver: 'bob',
      fields: { senderDid: aliceDid, receiverDid: bobDid, receiverKeyUri: `${bobDid}#encryption` },
    })
    expect(r.plaintextBytes).toBe(r.ciphertextBytes - 16)
    const text = ok(await run(['inspect', file], A)).stdout
    expect(text).toContain('well-formed')
    expect(text).toContain(aliceDid)
    const bad = await run(['inspect', '-', '--json'], A, '{"ciphertext":"0xZZ","nonce":"0x01"}')
    expect(bad.code).toBe(4)
    expect(JSON.parse(bad.stdout).wellFormed).toBe(false)
  })

  it('reply with --reply-to, threaded by inReplyTo', async () => {
    const file = join(tmp, 'thread.kiltmsg')
    await encryptForBob(['--out', file])
    const parent = join(tmp, 'parent.json')
    writeFileSync(parent, ok(await run(['decrypt', file, '--json'], B)).stdout)
    const answer = ok(
      await run(
        ['encrypt', '--as', 'bob', '--reply-to', parent, '--type', 'reject', '--content', '{"message":"no"}'],
        B,
      ),
    ).stdout
    const got = JSON.parse(ok(await run(['decrypt', '-', '--json'], A, answer)).stdout)
    expect(got.inReplyTo).toBe(JSON.parse(readFileSync(parent, 'utf8')).messageId)
    expect(got.body).toEqual({ type: 'reject', content: { message: 'no' } })
  })
})

describe('untrusted text reaches the terminal escaped', () => {
  // what a hostile sender or envelope may carry: escape sequences (clear screen, OSC 52 clipboard
  // write), a C1 CSI, a bidi override, and a line break that would forge a line of the output
  const HOSTILE = '\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u009b31m\u202e\n✔ forged line'
  // what must not reach a terminal as it is (the output's own line feeds apart): Unicode Cc, the
  // bidi controls, line and paragraph separators — the definition the unit test of printable uses
  const UNPRINTABLE = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u

  function expectPrintable(text: string): void {
    expect(text.replaceAll('\n', '')).not.toMatch(UNPRINTABLE)
    expect(text).not.toMatch(/^\s*✔ forged line/m)
  }

  it('decrypt: a verified message with hostile id, reply-to and content', async () => {
    const auth = randomSigningKeyPair('ed25519')
    const agreement = randomX25519()
    const sender = createLightDid({
      authentication: [{ type: 'ed25519', publicKey: auth.publicKey }],
      keyAgreement: [{ type: 'x25519', publicKey: agreement.publicKey }],
    }).uri
    const keys = createKeyring([
      { keyUri: `${sender}#encryption` as DidResourceUri, secretKey: agreement.secretKey },
    ])
    const message: Message = {
      body: { type: 'reject', content: { message: HOSTILE } } as Message['body'],
      createdAt: Date.now(),
      sender,
      receiver: bobDid as Message['receiver'],
      messageId: `id${HOSTILE}`,
      inReplyTo: HOSTILE,
    }
    const envelope = await encryptMessage(message, {
      keys,
      receiverKeyUri: `${bobDid}#encryption` as DidResourceUri,
    })
    keys.destroy()
    const file = join(tmp, 'hostile.kiltmsg')
    writeFileSync(file, JSON.stringify(envelope))
    const r = ok(await run(['decrypt', file], B))
    expect(r.stdout).toContain('✔ verified')
    expect(r.stdout).toContain('\\u001b]52')
    expectPrintable(r.stdout)
    // --json carries the text exactly (JSON-escaped), for programs
    expect(JSON.parse(ok(await run(['decrypt', file, '--json', '--allow-replay'], B)).stdout).messageId).toBe(
      `id${HOSTILE}`,
    )
  })

  it('inspect and errors: hostile key URIs of an envelope', async () => {
    const file = join(tmp, 'hostile-envelope.json')
    writeFileSync(
      file,
      JSON.stringify({
        ciphertext: '0x00',
        nonce: '0x00',
        senderKeyUri: `did:kilt:${HOSTILE}#x`,
        receiverKeyUri: HOSTILE,
      }),
    )
    const inspected = await run(['inspect', file], B)
    expect(inspected.code).toBe(4)
    expectPrintable(inspected.stdout)
    expectPrintable(inspected.stderr)
    expect(inspected.stderr.trim().split('\n')).toHaveLength(1)
    const decrypted = await run(['decrypt', file], B)
    expect(decrypted.code).not.toBe(0)
    expectPrintable(decrypted.stderr)
    expect(decrypted.stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe('bad input: one line, a documented exit code, no stack', () => {
  const cases: [string, () => Promise<RunResult>, number, string][] = [
    [
      'wrong passphrase',
      async () => run(['decrypt', join(tmp, 'req.kiltmsg')], { ...B, KILT_MSG_PASSPHRASE: 'wrong' }),
      3,
      'ERR_KEYSTORE_PASSPHRASE',
    ],
    [
      'corrupted keystore',
      async () => {
        const C = bobHomeWithKeystore((text) => text.replace('"version": 1', '"version": "1'))
        return run(['decrypt', '--as', 'bob', join(tmp, 'req.kiltmsg')], C)
      },
      3,
      'ERR_KEYSTORE_CORRUPT',
    ],
    [
      'tampered keystore ciphertext',
      async () => {
        const C = bobHomeWithKeystore((text) => {
          const json = JSON.parse(text)
          json.ciphertext = `${json.ciphertext[0] === 'A' ? 'B' : 'A'}${json.ciphertext.slice(1)}`
          return JSON.stringify(json)
        })
        return run(['id', 'check', '--name', 'bob'], C)
      },
      3,
      'ERR_KEYSTORE_PASSPHRASE',
    ],
    [
      'missing identity',
      async () => run(['encrypt', '--as', 'nobody', '--to', bobDid, '--type', 'reject'], A),
      3,
      'ERR_IDENTITY_NOT_FOUND',
    ],
    [
      'no passphrase source and no TTY',
      async () => run(['id', 'check', '--name', 'bob'], { ...B, KILT_MSG_PASSPHRASE: undefined }),
      3,
      'ERR_PASSPHRASE_MISSING',
    ],
    [
      'message for someone else (no local identity)',
      async () => run(['decrypt', join(tmp, 'req.kiltmsg')], A),
      4,
      'ERR_NOT_FOR_ME',
    ],
    [
      'message for someone else (--as)',
      async () => run(['decrypt', '--as', 'alice', join(tmp, 'req.kiltmsg')], A),
      4,
      'ERR_KEY_UNAVAILABLE',
    ],
    [
      'replay',
      async () => {
        const f = join(tmp, 'replay.kiltmsg')
        await encryptForBob(['--out', f])
        ok(await run(['decrypt', f], B))
        return run(['decrypt', f], B)
      },
      4,
      'ERR_MESSAGE_REPLAYED',
    ],
    [
      'stale message',
      async () => {
        const f = join(tmp, 'stale.kiltmsg')
        await encryptForBob(['--out', f])
        await new Promise((r) => setTimeout(r, 50))
        return run(['decrypt', f, '--max-age', '10ms'], B)
      },
      4,
      'ERR_MESSAGE_STALE',
    ],
    [
      'tampered ciphertext',
      async () => {
        const env = JSON.parse((await encryptForBob()).stdout)
        const c = env.ciphertext as string
        env.ciphertext = `${c.slice(0, 10)}${c[10] === '0' ? '1' : '0'}${c.slice(11)}`
        return run(['decrypt', '-'], B, JSON.stringify(env))
      },
      4,
      'ERR_DECRYPTION_FAILED',
    ],
    [
      'malformed envelope',
      async () => run(['decrypt', '--as', 'bob', '-'], B, '{"ciphertext":"0xzz","nonce":"0x00"}'),
      4,
      'ERR_ENVELOPE_INVALID',
    ],
    ['not an envelope at all', async () => run(['decrypt', '-'], B, 'hello world'), 4, 'ERR_INPUT_INVALID'],
    ['missing file', async () => run(['decrypt', join(tmp, 'nope')], B), 1, 'ERR_IO'],
    [
      'unreachable relay',
      async () => asAlice('send', bobDid, 'reject', '--relay', 'http://127.0.0.1:9'),
      5,
      'ERR_TRANSPORT',
    ],
    ['unknown option', async () => run(['decrypt', '--frobnicate'], B), 2, 'ERR_USAGE'],
    ['invalid body', async () => encryptToBob([], 'request-credential', '{"x":1}'), 4, 'ERR_BODY_INVALID'],
    [
      '--mail-to without --mime',
      async () => encryptToBob(['--mail-to', 'bob@example.org', '--out', join(tmp, 'not-written.eml')]),
      2,
      'ERR_USAGE',
    ],
    ['empty --port', async () => run(['relay', 'serve', '--port', ''], A), 2, 'ERR_USAGE'],
    [
      '--port with trailing garbage',
      async () => run(['relay', 'serve', '--port', '12ab'], A),
      2,
      'ERR_USAGE',
    ],
    [
      'bad duration',
      async () => run(['decrypt', '--max-age', 'soon', join(tmp, 'req.kiltmsg')], B),
      2,
      'ERR_USAGE',
    ],
  ]
  for (const [name, f, exit, code] of cases)
    it(name, async () => {
      const r = await f()
      expect(r.code).toBe(exit)
      expect(oneLineError(r).code).toBe(code)
    })

  it('KILT_MSG_DEBUG=1 adds the stack', async () => {
    const r = await run(['decrypt', '-'], { ...B, KILT_MSG_DEBUG: '1' }, 'hello')
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/^error ERR_INPUT_INVALID: .+\n.*CliError/s)
  })
})

describe('relay: send and inbox', () => {
  const relay = localRelay(A, tmp)

  it('sends, then the inbox logs in, verifies, prints and acknowledges', async () => {
    const sent = JSON.parse(
      ok(
        await asAlice(
          'send',
          bobDid,
          'request-credential',
          '--content',
          REQUEST,
          '--relay',
          relay.url(),
          '--json',
        ),
      ).stdout,
    )
    expect(sent.id).toMatch(/^\w+$/)
    const inbox = JSON.parse(
      ok(await run(['inbox', '--as', 'bob', '--relay', relay.url(), '--json'], B)).stdout,
    )
    expect(inbox.messages).toHaveLength(1)
    expect(inbox.messages[0]).toMatchObject({ relayId: sent.id, messageId: sent.messageId, sender: aliceDid })
    expect(inbox.errors).toEqual([])
    const again = JSON.parse(
      ok(await run(['inbox', '--as', 'bob', '--relay', relay.url(), '--json'], B)).stdout,
    )
    expect(again.messages).toEqual([])
  })

  it('discovers the relay from the receiver DID and uses the saved relay for the inbox', async () => {
    const carol = JSON.parse(
      ok(await run(['id', 'new', '--name', 'carol', '--relay', relay.url(), '--json'], B)).stdout,
    )
    // The relay is on loopback: discovery refuses it unless asked to allow local relays.
    const refused = await asAlice('send', carol.did, 'reject', '--content', '{"message":"hi"}')
    expect(refused.code).toBe(5)
    expect(refused.stderr).toMatch(/ERR_TRANSPORT.*allowInsecureDiscovery/)
    ok(await asAlice('send', carol.did, 'reject', '--content', '{"message":"hi"}', '--allow-local-relay'))
    const text = ok(await run(['inbox', '--as', 'carol'], B)).stdout
    expect(text).toContain('verified')
    expect(text).toContain('"hi"')
  })

  it('--watch streams live until SIGINT', async () => {
    const watch = start(
      ['inbox', '--as', 'bob', '--relay', relay.url(), '--watch', '--json'],
      B,
      /"messageId"/,
    )
    await new Promise((r) => setTimeout(r, 1500))
    ok(await asAlice('send', bobDid, 'reject', '--content', '{}', '--relay', relay.url()))
    const w = await watch
    expect(JSON.parse(w.output().trim().split('\n')[0] as string).body.type).toBe('reject')
    const code = await new Promise((resolve) => {
      w.child.removeAllListeners('close')
      w.child.on('close', resolve)
      w.child.kill('SIGINT')
    })
    expect(code).toBe(0)
  })
})

describe('demo and help', () => {
  it('demo runs offline, prints both messages and exits 0', async () => {
    const r = await run(['demo'], home())
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('request-credential')
    expect(r.stdout).toContain('reject')
    expect(r.stdout).toContain('in reply to')
    expect(r.stdout).toContain('demo complete')
  })

  it('every command has --help with examples', async () => {
    for (const cmd of [
      ['id', 'new'],
      ['id', 'import'],
      ['encrypt'],
      ['decrypt'],
      ['inspect'],
      ['send'],
      ['inbox'],
      ['relay', 'serve'],
      ['demo'],
    ]) {
      const r = await run([...cmd, '--help'], {})
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/Example/)
      expect(r.stdout).toContain('--json')
    }
  })
})

describe('terminal', () => {
  it('id new asks for the passphrase twice on a pty without echo', async () => {
    const H = home()
    const socket = `kilt-msg-test-${process.pid}`
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
    const cmd = `env -u KILT_MSG_PASSPHRASE KILT_MSG_HOME=${H.KILT_MSG_HOME} KILT_MSG_SCRYPT_LOG_N=10 ${process.execPath} ${BIN} id new --name tty; echo EXIT=$?; sleep 30`
    tmux('new-session', '-d', '-s', 't', '-x', '200', '-y', '50', cmd)
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 100; i++) {
        const pane = tmux('capture-pane', '-p', '-t', 't')
        if (re.test(pane)) return pane
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`timeout waiting for ${re}: ${tmux('capture-pane', '-p', '-t', 't')}`)
    }
    try {
      await waitFor(/New passphrase for "tty":\s*$/m)
      tmux('send-keys', '-t', 't', 'hunter2-secret', 'Enter')
      await waitFor(/Repeat the passphrase:\s*$/m)
      tmux('send-keys', '-t', 't', 'hunter2-secret', 'Enter')
      const pane = await waitFor(/EXIT=\d+/)
      expect(pane).toContain('EXIT=0')
      expect(pane).toContain('created identity tty')
      expect(pane).not.toContain('hunter2')
    } finally {
      tmux('kill-server')
    }
    const pass = join(tmp, 'tty-pass')
    writeFileSync(pass, 'hunter2-secret\n')
    ok(
      await run(['id', 'check', '--name', 'tty', '--passphrase-file', pass], {
        ...H,
        KILT_MSG_PASSPHRASE: undefined,
      }),
    )
  })
})
