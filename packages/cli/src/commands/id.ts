/**
 * @module cli/commands/id
 * `kilt-msg id …`: create, import, list, show and export identities; set the default relay.
 */
import {
  ed25519FromSeed,
  exportToW3C,
  isValidMnemonic,
  keysFromMnemonic,
  lightDidToDocument,
  printable,
  randomSigningKeyPair,
  randomX25519,
  sr25519FromSecretKey,
  sr25519FromSeed,
  x25519FromSeed,
} from '@kilt-messaging/core'
import { type Command, Option } from 'commander'
import { openIdentity } from '../lib/context.js'
import { CliError } from '../lib/errors.js'
import { kiltMsgHome } from '../lib/files.js'
import { parseHex } from '../lib/hex.js'
import {
  checkName,
  createIdentity,
  listKeystores,
  loadKeystore,
  scryptParamsFromEnv,
  updateSettings,
  weakScryptWarning,
} from '../lib/identity.js'
import { DEFAULT_SCRYPT, type KeystoreHeader, type ScryptParams } from '../lib/keystore-format.js'
import { printJson, println, shortDid, style } from '../lib/output.js'
import { getPassphrase, readSecret } from '../lib/prompt.js'
import { checkRelayUrl } from '../lib/relay.js'

interface Common {
  json?: boolean
  name: string
  passphraseFile?: string
}

function printCreated(
  header: KeystoreHeader,
  json: boolean | undefined,
  verb: string,
  scrypt: ScryptParams,
): void {
  const warning = weakScryptWarning(scrypt, header.name)
  if (warning !== undefined) process.stderr.write(`warning: ${printable(warning)}\n`)
  if (json) {
    printJson({ name: header.name, did: header.did, origin: header.origin })
    return
  }
  const c = style(process.stdout, false)
  println(
    `${c.green('✔')} ${verb} identity ${c.bold(header.name)}`,
    `  DID             ${header.did}`,
    `  authentication  ${header.authentication.type} ${header.authentication.publicKey}`,
    `  key agreement   x25519 ${header.keyAgreement.publicKey}`,
    `  keystore        ${kiltMsgHome()}/keys/${header.name}.json (encrypted, mode 0600)`,
  )
}

/**
 * The DID document of a keystore's DID (a keystore problem when the header's DID is broken).
 * @throws CliError ERR_KEYSTORE_CORRUPT
 */
function documentOf(header: KeystoreHeader): ReturnType<typeof lightDidToDocument> {
  try {
    return lightDidToDocument(header.did)
  } catch (cause) {
    throw new CliError('ERR_KEYSTORE_CORRUPT', `the keystore of "${header.name}" holds an invalid DID`, {
      cause,
    })
  }
}

function publicExport(header: KeystoreHeader): Record<string, unknown> {
  const doc = documentOf(header)
  return {
    name: header.name,
    did: header.did,
    shortDid: shortDid(header.did),
    authentication: { keyUri: `${header.did}${doc.authentication[0].id}`, ...header.authentication },
    keyAgreement: {
      keyUri: `${header.did}${doc.keyAgreement?.[0]?.id ?? '#encryption'}`,
      ...header.keyAgreement,
    },
    ...(doc.service !== undefined && doc.service.length > 0 ? { service: doc.service } : {}),
  }
}

/** Registers `id` and its subcommands on `program`. */
export function registerId(program: Command): void {
  const id = program
    .command('id')
    .description('manage identities (light DIDs with keys in encrypted keystores)')
    .addHelpText(
      'after',
      `
Examples:
  $ kilt-msg id new --name alice
  $ kilt-msg id import --mnemonic --name alice --derivation sporran < phrase.txt
  $ kilt-msg id list
  $ kilt-msg id show --name alice --document
  $ kilt-msg id export-public --name alice > alice.public.json
  $ kilt-msg id set-relay https://relay.example.org --name alice`,
    )

  const passOpt = (): Option =>
    new Option('--passphrase-file <file>', 'read the passphrase from the first line of a file')

  id.command('new')
    .description('create a new identity: random authentication and x25519 key agreement keys, light DID')
    .option('--name <name>', 'identity name', 'default')
    .addOption(
      new Option('--auth <type>', 'authentication key type')
        .choices(['sr25519', 'ed25519'])
        .default('sr25519'),
    )
    .option(
      '--relay <url>',
      'announce this relay in the DID (KiltMessagingRelay service) and use it by default',
    )
    .addOption(passOpt())
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
The passphrase is asked twice on a terminal, or read from --passphrase-file or KILT_MSG_PASSPHRASE.
Examples:
  $ kilt-msg id new --name alice
  $ kilt-msg id new --name bob --auth ed25519 --relay https://relay.example.org`,
    )
    .action(async (opts: Common & { auth: 'sr25519' | 'ed25519'; relay?: string }) => {
      const name = checkName(opts.name)
      const relay = checkRelayUrl(opts.relay, '--relay')
      const scrypt = scryptParamsFromEnv()
      const passphrase = await getPassphrase({ passphraseFile: opts.passphraseFile, confirm: true, name })
      const header = createIdentity({
        home: kiltMsgHome(),
        name,
        auth: randomSigningKeyPair(opts.auth),
        keyAgreement: randomX25519(),
        origin: 'random',
        passphrase,
        scrypt,
        ...(relay === undefined ? {} : { relay }),
      })
      printCreated(header, opts.json, 'created', scrypt)
    })

  id.command('import')
    .description('import an identity from a mnemonic or from raw seeds (secrets never on the command line)')
    .option('--name <name>', 'identity name', 'default')
    .option('--mnemonic', 'read a BIP39 mnemonic from a prompt, KILT_MSG_MNEMONIC, --secret-file or stdin')
    .addOption(
      new Option('--derivation <recipe>', 'how the mnemonic maps to keys')
        .choices(['kilt-docs', 'sporran'])
        .default('kilt-docs'),
    )
    .option(
      '--auth-seed-env <var>',
      'read the authentication seed (0x + 32 bytes; sr25519: mini secret or 64-byte expanded secret) from this environment variable (default KILT_MSG_AUTH_SEED)',
    )
    .addOption(new Option('--auth-type <type>', 'authentication key type').choices(['sr25519', 'ed25519']))
    .option(
      '--key-agreement-secret-env <var>',
      'read the x25519 secret (0x + 32 bytes, KILT makeEncryptionKeypairFromSeed) from this environment variable (default KILT_MSG_KEY_AGREEMENT_SECRET)',
    )
    .option(
      '--secret-file <file>',
      'read the mnemonic, or "authSeed keyAgreementSecret" (two lines), from a file',
    )
    .option('--relay <url>', 'announce this relay in the DID and use it by default')
    .addOption(passOpt())
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Examples:
  $ kilt-msg id import --mnemonic --name alice                 # prompts for the phrase
  $ echo "$PHRASE" | kilt-msg id import --mnemonic --derivation sporran --passphrase-file pass.txt
  $ KILT_MSG_AUTH_SEED=0x… KILT_MSG_KEY_AGREEMENT_SECRET=0x… \\
      kilt-msg id import --auth-type sr25519 --name alice
Seeds are never taken as flags (they would end up in your shell history): give them in the
environment (KILT_MSG_AUTH_SEED, KILT_MSG_KEY_AGREEMENT_SECRET, KILT_MSG_MNEMONIC) or --secret-file.`,
    )
    .action(
      async (
        opts: Common & {
          mnemonic?: boolean
          derivation: 'kilt-docs' | 'sporran'
          authSeedEnv?: string
          authType?: 'sr25519' | 'ed25519'
          keyAgreementSecretEnv?: string
          secretFile?: string
          relay?: string
        },
      ) => {
        const name = checkName(opts.name)
        const relay = checkRelayUrl(opts.relay, '--relay')
        const home = kiltMsgHome()
        const scrypt = scryptParamsFromEnv()
        const common = { home, name, scrypt, ...(relay === undefined ? {} : { relay }) }
        if (opts.mnemonic) {
          if (opts.authSeedEnv !== undefined || opts.keyAgreementSecretEnv !== undefined)
            throw new CliError('ERR_USAGE', '--mnemonic cannot be combined with seeds')
          const phrase = (
            await readSecret('mnemonic', { file: opts.secretFile, envName: 'KILT_MSG_MNEMONIC' })
          )
            .split(/\s+/)
            .join(' ')
          if (!isValidMnemonic(phrase))
            throw new CliError('ERR_USAGE', 'the mnemonic is not a valid BIP39 phrase')
          const keys = keysFromMnemonic(phrase, { derivation: opts.derivation })
          const passphrase = await getPassphrase({ passphraseFile: opts.passphraseFile, confirm: true, name })
          const header = createIdentity({
            ...common,
            auth: keys.authentication,
            keyAgreement: keys.keyAgreement,
            origin: `mnemonic:${opts.derivation}`,
            mnemonic: phrase,
            passphrase,
          })
          return printCreated(header, opts.json, 'imported', scrypt)
        }
        if (opts.authType === undefined)
          throw new CliError(
            'ERR_USAGE',
            'give --mnemonic, or --auth-type with an authentication seed and a key agreement secret',
          )
        let fileLines: string[] = []
        if (opts.secretFile !== undefined)
          fileLines = (await readSecret('seeds', { file: opts.secretFile }))
            .split(/\s+/)
            .filter((l) => l !== '')
        const fromEnv = (envFlag: string | undefined, envDefault: string) =>
          (envFlag !== undefined ? process.env[envFlag] : undefined) ?? (process.env[envDefault] || undefined)
        const authHex = fromEnv(opts.authSeedEnv, 'KILT_MSG_AUTH_SEED') ?? fileLines[0]
        const kaHex = fromEnv(opts.keyAgreementSecretEnv, 'KILT_MSG_KEY_AGREEMENT_SECRET') ?? fileLines[1]
        if (authHex === undefined) throw new CliError('ERR_USAGE', 'no authentication seed given')
        if (kaHex === undefined) throw new CliError('ERR_USAGE', 'no key agreement secret given')
        const authBytes = parseHex(
          authHex,
          'the authentication seed',
          opts.authType === 'sr25519' ? [32, 64] : [32],
        )
        const auth =
          opts.authType === 'ed25519'
            ? ed25519FromSeed(authBytes)
            : authBytes.length === 64
              ? sr25519FromSecretKey(authBytes)
              : sr25519FromSeed(authBytes)
        const keyAgreement = x25519FromSeed(parseHex(kaHex, 'the key agreement secret', [32]))
        authBytes.fill(0)
        const passphrase = await getPassphrase({ passphraseFile: opts.passphraseFile, confirm: true, name })
        const header = createIdentity({ ...common, auth, keyAgreement, origin: 'seed', passphrase })
        printCreated(header, opts.json, 'imported', scrypt)
      },
    )

  id.command('list')
    .description('list the identities of this machine (no passphrase needed)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ kilt-msg id list')
    .action((opts: { json?: boolean }) => {
      const entries = listKeystores(kiltMsgHome())
      if (opts.json)
        return printJson(
          entries.map((e) =>
            e.file === undefined
              ? { name: e.name, error: e.error }
              : { name: e.name, did: e.file.header.did, relay: e.file.settings?.relay ?? null },
          ),
        )
      if (entries.length === 0) return println('no identities yet: kilt-msg id new --name <name>')
      const c = style(process.stdout, false)
      for (const e of entries)
        println(
          e.file === undefined
            ? `${c.red(printable(e.name))}  (unreadable: ${printable(e.error ?? '')})`
            : `${c.bold(printable(e.name).padEnd(16))} ${printable(shortDid(e.file.header.did))}`,
        )
    })

  id.command('show')
    .description('show an identity: DID, public keys, relay; --document prints the W3C DID document')
    .option('--name <name>', 'identity name', 'default')
    .option('--document', 'print the W3C DID document (exportToW3C)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  $ kilt-msg id show --name alice\n  $ kilt-msg id show --name alice --document',
    )
    .action((opts: { name: string; document?: boolean; json?: boolean }) => {
      const file = loadKeystore(kiltMsgHome(), checkName(opts.name))
      const h = file.header
      if (opts.document) return printJson(exportToW3C(documentOf(h)))
      const { logN, r, p } = file.kdf
      const info = {
        ...publicExport(h),
        createdAt: h.createdAt,
        origin: h.origin,
        relay: file.settings?.relay ?? null,
        kdf: { name: file.kdf.name, logN, r, p },
      }
      if (opts.json) return printJson(info)
      const c = style(process.stdout, false)
      println(
        `${c.bold(printable(h.name))}`,
        `  DID             ${printable(h.did)}`,
        `  short DID       ${printable(shortDid(h.did))}`,
        `  authentication  ${h.authentication.type} ${h.authentication.publicKey}`,
        `  key agreement   x25519 ${h.keyAgreement.publicKey}`,
        `  created         ${printable(h.createdAt)} (${printable(h.origin)})`,
        `  relay           ${printable(file.settings?.relay ?? '(none; set with kilt-msg id set-relay <url>)')}`,
        `  keystore        scrypt N=2^${logN}, r=${r}, p=${p}${logN >= DEFAULT_SCRYPT.logN ? '' : ` ${c.yellow(`(weaker than the default 2^${DEFAULT_SCRYPT.logN}: for tests only)`)}`}`,
      )
    })

  id.command('export-public')
    .description('print the DID and public keys as JSON (no secrets) to share with peers')
    .option('--name <name>', 'identity name', 'default')
    .option('--json', 'machine-readable output (the default for this command)')
    .addHelpText('after', '\nExample:\n  $ kilt-msg id export-public --name alice > alice.public.json')
    .action((opts: { name: string }) => {
      const file = loadKeystore(kiltMsgHome(), checkName(opts.name))
      printJson(publicExport(file.header))
    })

  id.command('set-relay')
    .description('save the default relay URL of an identity (used by send and inbox)')
    .argument('<url>', 'relay base URL')
    .option('--name <name>', 'identity name', 'default')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ kilt-msg id set-relay http://127.0.0.1:8080 --name alice')
    .action((url: string, opts: { name: string; json?: boolean }) => {
      const relay = checkRelayUrl(url, 'the relay URL') as string
      updateSettings(kiltMsgHome(), checkName(opts.name), { relay })
      if (opts.json) printJson({ name: opts.name, relay })
      else println(`default relay of ${opts.name}: ${relay}`)
    })

  // Keep the unlock path exercised by `id check` (verifies the passphrase without printing secrets).
  id.command('check')
    .description('check that the passphrase opens the keystore and the keys match the DID')
    .option('--name <name>', 'identity name', 'default')
    .addOption(passOpt())
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ kilt-msg id check --name alice')
    .action(async (opts: Common) => {
      const identity = await openIdentity({
        name: opts.name,
        ...(opts.passphraseFile ? { passphraseFile: opts.passphraseFile } : {}),
      })
      identity.keyring.destroy()
      if (opts.json) printJson({ name: identity.name, did: identity.did, ok: true })
      else println(`✔ the passphrase opens "${identity.name}" and its keys match ${shortDid(identity.did)}`)
    })
}
