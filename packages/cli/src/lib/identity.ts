/**
 * @module cli/lib/identity
 * Identities: a light DID with its authentication and key agreement keys, kept in an encrypted
 * keystore `<home>/keys/<name>.json`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createKeyring,
  createLightDid,
  type DidDocument,
  type DidResourceUri,
  type DidUri,
  ed25519FromSeed,
  type Keyring,
  lightDidToDocument,
  RELAY_SERVICE_TYPE,
  type SigningKeyPair,
  sr25519FromSecretKey,
  toHex,
  type X25519KeyPair,
  x25519FromSeed,
} from '@kilt-messaging/core'
import { CliError } from './errors.js'
import { writeFileAtomic } from './files.js'
import {
  checkScrypt,
  DEFAULT_SCRYPT,
  IDENTITY_NAME,
  type KeystoreFile,
  type KeystoreHeader,
  openKeystore,
  parseKeystore,
  type ScryptParams,
  sealKeystore,
} from './keystore-format.js'

/**
 * Checks an identity name: 1..64 characters of `A-Z a-z 0-9 . _ -`, not starting with a symbol.
 * @throws CliError ERR_USAGE
 */
export function checkName(name: string): string {
  if (typeof name !== 'string' || !IDENTITY_NAME.test(name))
    throw new CliError(
      'ERR_USAGE',
      `invalid identity name "${String(name).slice(0, 70)}" (use letters, digits, . _ -)`,
    )
  return name
}

/** The keystore path of an identity. */
export function keystorePath(home: string, name: string): string {
  return join(home, 'keys', `${checkName(name)}.json`)
}

/**
 * The scrypt cost for new keystores: the default (N = 2^17), or N = 2^`KILT_MSG_SCRYPT_LOG_N`
 * (10..17). Lower values are for tests only: they make a stolen keystore's passphrase cheaper to
 * guess by the same factor (see {@link weakScryptWarning}).
 * @throws CliError ERR_USAGE for a value that is not an integer of 10..17
 */
export function scryptParamsFromEnv(env: NodeJS.ProcessEnv = process.env): ScryptParams {
  const raw = env.KILT_MSG_SCRYPT_LOG_N
  if (raw === undefined || raw === '') return DEFAULT_SCRYPT
  const logN = Number(raw)
  if (!Number.isInteger(logN) || logN < 10 || logN > DEFAULT_SCRYPT.logN)
    throw new CliError('ERR_USAGE', `KILT_MSG_SCRYPT_LOG_N must be an integer of 10..${DEFAULT_SCRYPT.logN}`)
  return checkScrypt({ ...DEFAULT_SCRYPT, logN })
}

/**
 * The warning for a keystore sealed below the default cost (`KILT_MSG_SCRYPT_LOG_N`), or undefined.
 * @example
 * const warning = weakScryptWarning(params, 'alice')
 */
export function weakScryptWarning(params: ScryptParams, name: string): string | undefined {
  if (params.logN >= DEFAULT_SCRYPT.logN) return undefined
  return `the keystore of "${name}" uses scrypt N=2^${params.logN} (KILT_MSG_SCRYPT_LOG_N) instead of 2^${DEFAULT_SCRYPT.logN}: its passphrase is ${2 ** (DEFAULT_SCRYPT.logN - params.logN)} times cheaper to guess if the file is stolen. For tests only; unset KILT_MSG_SCRYPT_LOG_N for real identities`
}

/** The DID of a key set (light DID, optionally announcing a relay). */
export function didDocumentFor(
  auth: SigningKeyPair,
  keyAgreement: X25519KeyPair,
  relay?: string,
): DidDocument {
  return createLightDid({
    authentication: [{ publicKey: auth.publicKey, type: auth.type }],
    keyAgreement: [{ publicKey: keyAgreement.publicKey, type: 'x25519' }],
    ...(relay === undefined
      ? {}
      : { service: [{ id: '#relay', type: [RELAY_SERVICE_TYPE], serviceEndpoint: [relay] }] }),
  })
}

/** Input of {@link createIdentity}. */
export interface NewIdentity {
  readonly home: string
  readonly name: string
  readonly auth: SigningKeyPair
  readonly keyAgreement: X25519KeyPair
  readonly origin: string
  readonly mnemonic?: string
  /** A relay URL announced in the DID (service `KiltMessagingRelay`) and kept as the default relay. */
  readonly relay?: string
  readonly passphrase: string
  readonly scrypt?: ScryptParams
}

/**
 * Creates an identity's keystore; never replaces an existing one.
 *
 * @returns the public header
 * @throws CliError ERR_IDENTITY_EXISTS, ERR_USAGE (name, passphrase)
 * @example
 * createIdentity({ home, name: 'alice', auth, keyAgreement, origin: 'random', passphrase })
 */
export function createIdentity(input: NewIdentity): KeystoreHeader {
  const path = keystorePath(input.home, input.name)
  const doc = didDocumentFor(input.auth, input.keyAgreement, input.relay)
  const header: KeystoreHeader = {
    name: input.name,
    did: doc.uri,
    createdAt: new Date().toISOString(),
    authentication: { type: input.auth.type, publicKey: toHex(input.auth.publicKey) },
    keyAgreement: { type: 'x25519', publicKey: toHex(input.keyAgreement.publicKey) },
    origin: input.origin,
  }
  const file = sealKeystore(
    header,
    {
      authSecret: toHex(input.auth.secretKey),
      keyAgreementSecret: toHex(input.keyAgreement.secretKey),
      ...(input.mnemonic === undefined ? {} : { mnemonic: input.mnemonic }),
    },
    input.passphrase,
    input.scrypt ?? scryptParamsFromEnv(),
    input.relay === undefined ? undefined : { relay: input.relay },
  )
  try {
    writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, { noClobber: true })
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST')
      throw new CliError(
        'ERR_IDENTITY_EXISTS',
        `an identity named "${input.name}" exists already (it is never overwritten)`,
      )
    throw e
  }
  return header
}

/**
 * Reads an identity's keystore (no passphrase needed).
 * @throws CliError ERR_IDENTITY_NOT_FOUND, ERR_KEYSTORE_CORRUPT
 */
export function loadKeystore(home: string, name: string): KeystoreFile {
  const path = keystorePath(home, name)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw new CliError(
      'ERR_IDENTITY_NOT_FOUND',
      `no identity named "${name}" (create one with: kilt-msg id new --name ${name})`,
    )
  }
  return parseKeystore(text)
}

/** All keystores of the home folder, sorted by name; unreadable ones are reported, not fatal. */
export function listKeystores(home: string): { file?: KeystoreFile; name: string; error?: string }[] {
  let names: string[]
  try {
    names = readdirSync(join(home, 'keys'))
  } catch {
    return []
  }
  return names
    .filter((n) => n.endsWith('.json') && IDENTITY_NAME.test(n.slice(0, -5)))
    .sort()
    .map((n) => {
      const name = n.slice(0, -5)
      try {
        return { name, file: parseKeystore(readFileSync(join(home, 'keys', n), 'utf8')) }
      } catch (e) {
        return { name, error: (e as Error).message }
      }
    })
}

/** Rewrites the non-secret settings of a keystore (atomically). */
export function updateSettings(home: string, name: string, settings: KeystoreFile['settings']): KeystoreFile {
  const file = loadKeystore(home, name)
  const next: KeystoreFile = { ...file, settings: { ...file.settings, ...settings } }
  writeFileAtomic(keystorePath(home, name), `${JSON.stringify(next, null, 2)}\n`)
  return next
}

/** An opened identity. */
export interface UnlockedIdentity {
  readonly name: string
  readonly did: DidUri
  readonly document: DidDocument
  readonly auth: SigningKeyPair
  readonly keyAgreement: X25519KeyPair
  readonly authKeyUri: DidResourceUri
  readonly encryptionKeyUri: DidResourceUri
  readonly keyring: Keyring
  readonly relay?: string
}

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'))
}

/**
 * Builds an identity from its keys (used for opened keystores and the demo).
 * @throws CliError ERR_KEYSTORE_CORRUPT when `expectDid` is given and differs
 */
export function identityFromKeys(
  name: string,
  auth: SigningKeyPair,
  keyAgreement: X25519KeyPair,
  options: { did?: string; relay?: string } = {},
): UnlockedIdentity {
  const did = (options.did ?? didDocumentFor(auth, keyAgreement, options.relay).uri) as DidUri
  const document = lightDidToDocument(did)
  const docAuth = document.authentication[0]
  const docEnc = document.keyAgreement?.[0]
  if (
    docEnc === undefined ||
    toHex(docAuth.publicKey) !== toHex(auth.publicKey) ||
    toHex(docEnc.publicKey) !== toHex(keyAgreement.publicKey)
  )
    throw new CliError('ERR_KEYSTORE_CORRUPT', `the keys of "${name}" do not match its DID`)
  const encryptionKeyUri = `${did}${docEnc.id}` as DidResourceUri
  return {
    name,
    did,
    document,
    auth,
    keyAgreement,
    authKeyUri: `${did}${docAuth.id}` as DidResourceUri,
    encryptionKeyUri,
    keyring: createKeyring([{ keyUri: encryptionKeyUri, secretKey: keyAgreement.secretKey }]),
    ...(options.relay === undefined ? {} : { relay: options.relay }),
  }
}

/**
 * Opens a keystore with the passphrase and checks that the keys match the DID.
 * @param name - the (checked) name the keystore was opened by; it names the identity's files
 *   (default: the name in the keystore's header)
 * @throws CliError ERR_KEYSTORE_PASSPHRASE, ERR_KEYSTORE_CORRUPT
 */
export function unlockIdentity(
  file: KeystoreFile,
  passphrase: string,
  name: string = file.header.name,
): UnlockedIdentity {
  const secrets = openKeystore(file, passphrase)
  const authSecret = hexBytes(secrets.authSecret)
  const auth =
    file.header.authentication.type === 'sr25519'
      ? authSecret.length === 64
        ? sr25519FromSecretKey(authSecret)
        : undefined
      : authSecret.length === 32
        ? ed25519FromSeed(authSecret)
        : undefined
  authSecret.fill(0)
  if (auth === undefined)
    throw new CliError('ERR_KEYSTORE_CORRUPT', 'the sealed authentication secret has the wrong length')
  const kaSecret = hexBytes(secrets.keyAgreementSecret)
  const keyAgreement = x25519FromSeed(kaSecret)
  kaSecret.fill(0)
  const relay = file.settings?.relay
  return identityFromKeys(checkName(name), auth, keyAgreement, {
    did: file.header.did,
    ...(relay === undefined ? {} : { relay }),
  })
}
