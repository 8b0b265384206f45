/**
 * @module cli/lib/keystore-format
 * The keystore file format (version 1): a JSON object whose public header (name, DID, public keys,
 * KDF parameters) is in clear and bound as associated data to an XChaCha20-Poly1305 ciphertext of
 * the secrets. The key is scrypt(passphrase, 32-byte random salt); the nonce is 24 random bytes.
 * A wrong passphrase and any tampering with header or ciphertext both fail the Poly1305 tag.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { scrypt } from '@noble/hashes/scrypt.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { CliError } from './errors.js'

/** The format marker and version of a keystore file. */
export const KEYSTORE_FORMAT = 'kilt-msg-keystore'
/** The current version. */
export const KEYSTORE_VERSION = 1

/** Default scrypt cost: N = 2^17, r = 8, p = 1 (128 MiB, about a second). */
export const DEFAULT_SCRYPT = Object.freeze({ logN: 17, r: 8, p: 1 })

/** Scrypt parameters as stored. */
export interface ScryptParams {
  readonly logN: number
  readonly r: number
  readonly p: number
}

/** A public key in the header. */
export interface PublicKeyEntry {
  readonly type: 'sr25519' | 'ed25519' | 'x25519'
  /** 0x-prefixed lowercase hex, 32 bytes. */
  readonly publicKey: string
}

/** What a keystore shows without the passphrase. */
export interface KeystoreHeader {
  readonly name: string
  readonly did: string
  readonly createdAt: string
  readonly authentication: PublicKeyEntry
  readonly keyAgreement: PublicKeyEntry
  /** How the keys came to be: `random`, `mnemonic:<derivation>` or `seed`. */
  readonly origin: string
}

/** The secrets sealed inside. */
export interface KeystoreSecrets {
  /** sr25519: the 64-byte expanded secret; ed25519: the 32-byte seed; 0x hex. */
  readonly authSecret: string
  /** The 32-byte x25519 secret, 0x hex. */
  readonly keyAgreementSecret: string
  /** The mnemonic the keys came from, when imported from one. */
  readonly mnemonic?: string
}

/** The file, version 1. */
export interface KeystoreFile {
  readonly format: typeof KEYSTORE_FORMAT
  readonly version: 1
  readonly header: KeystoreHeader
  readonly kdf: {
    readonly name: 'scrypt'
    readonly logN: number
    readonly r: number
    readonly p: number
    readonly salt: string
  }
  readonly cipher: { readonly name: 'xchacha20-poly1305'; readonly nonce: string }
  readonly ciphertext: string
  /** Settings that are not secret and may change (the default relay); not bound to the ciphertext. */
  readonly settings?: { readonly relay?: string }
}

const b64 = {
  encode: (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64'),
  decode: (text: unknown, name: string, length?: number): Uint8Array => {
    if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
      throw corrupt(`"${name}" is not base64`)
    const bytes = new Uint8Array(Buffer.from(text, 'base64'))
    if (length !== undefined && bytes.length !== length) throw corrupt(`"${name}" has the wrong length`)
    return bytes
  },
}

function corrupt(detail: string): CliError {
  return new CliError(
    'ERR_KEYSTORE_CORRUPT',
    `the keystore file is corrupted or not a kilt-msg keystore (${detail})`,
  )
}

/**
 * The most scrypt work a keystore may ask for, as `p · 128 · r · N` bytes mixed: 256 MiB, twice
 * what {@link DEFAULT_SCRYPT} costs (128 MiB of memory, about a second). The memory, `128 · r · N`,
 * stays below it too. Every keystore kilt-msg writes (N = 2^10..2^17, r = 8, p = 1) is inside.
 */
export const MAX_SCRYPT_WORK_BYTES = 256 * 1024 * 1024

/**
 * Checks scrypt parameters before any derivation: integers with N = 2^logN, logN 10..20, r 1..16,
 * p 1..4, and `p · 128 · r · N` at most {@link MAX_SCRYPT_WORK_BYTES} — the header of a keystore is
 * untrusted, and a tampered one must not make opening it cost a gigabyte and seconds before the
 * passphrase check fails.
 *
 * @param params - as stored in the keystore's `kdf`
 * @returns the checked parameters
 * @throws CliError ERR_KEYSTORE_CORRUPT when they are out of bounds
 * @example
 * checkScrypt({ logN: 17, r: 8, p: 1 })
 */
export function checkScrypt(params: ScryptParams): ScryptParams {
  const { logN, r, p } = params
  if (!Number.isInteger(logN) || logN < 10 || logN > 20) throw corrupt('scrypt logN outside 10..20')
  if (!Number.isInteger(r) || r < 1 || r > 16) throw corrupt('scrypt r outside 1..16')
  if (!Number.isInteger(p) || p < 1 || p > 4) throw corrupt('scrypt p outside 1..4')
  if (p * 128 * r * 2 ** logN > MAX_SCRYPT_WORK_BYTES)
    throw corrupt(
      `scrypt cost N=2^${logN}, r=${r}, p=${p} above the limit of ${MAX_SCRYPT_WORK_BYTES / 1024 ** 2} MiB (p·128·r·N)`,
    )
  return { logN, r, p }
}

function deriveKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Uint8Array {
  const { logN, r, p } = params
  return scrypt(passphrase.normalize('NFKC'), salt, {
    N: 2 ** logN,
    r,
    p,
    dkLen: 32,
    // noble counts 128·r·(N + p + 1) bytes; checkScrypt bounds 128·r·N, r ≤ 16, p ≤ 4
    maxmem: MAX_SCRYPT_WORK_BYTES + 128 * 16 * 5,
  })
}

function aad(header: KeystoreHeader, kdf: KeystoreFile['kdf']): Uint8Array {
  // Canonical order, so the tag covers exactly the fields shown in clear.
  const bound = {
    format: KEYSTORE_FORMAT,
    version: KEYSTORE_VERSION,
    header: {
      name: header.name,
      did: header.did,
      createdAt: header.createdAt,
      authentication: { type: header.authentication.type, publicKey: header.authentication.publicKey },
      keyAgreement: { type: header.keyAgreement.type, publicKey: header.keyAgreement.publicKey },
      origin: header.origin,
    },
    kdf: { name: kdf.name, logN: kdf.logN, r: kdf.r, p: kdf.p, salt: kdf.salt },
  }
  return new TextEncoder().encode(JSON.stringify(bound))
}

/**
 * Seals secrets under a passphrase into a keystore file object.
 *
 * @param header - the public part
 * @param secrets - the secrets (hex strings; a mnemonic)
 * @param passphrase - non-empty
 * @param params - scrypt cost (default {@link DEFAULT_SCRYPT})
 * @returns the file object (serialize with `JSON.stringify(file, null, 2)`)
 * @throws CliError ERR_USAGE for an empty passphrase
 * @example
 * const file = sealKeystore(header, { authSecret, keyAgreementSecret }, 'correct horse')
 */
export function sealKeystore(
  header: KeystoreHeader,
  secrets: KeystoreSecrets,
  passphrase: string,
  params: ScryptParams = DEFAULT_SCRYPT,
  settings?: KeystoreFile['settings'],
): KeystoreFile {
  if (typeof passphrase !== 'string' || passphrase.length === 0)
    throw new CliError('ERR_USAGE', 'the passphrase must not be empty')
  const p = checkScrypt(params)
  const salt = randomBytes(32)
  const nonce = randomBytes(24)
  const kdf = { name: 'scrypt' as const, logN: p.logN, r: p.r, p: p.p, salt: b64.encode(salt) }
  const key = deriveKey(passphrase, salt, p)
  const plaintext = new TextEncoder().encode(JSON.stringify(secrets))
  const ciphertext = xchacha20poly1305(key, nonce, aad(header, kdf)).encrypt(plaintext)
  key.fill(0)
  plaintext.fill(0)
  return {
    format: KEYSTORE_FORMAT,
    version: KEYSTORE_VERSION,
    header,
    kdf,
    cipher: { name: 'xchacha20-poly1305', nonce: b64.encode(nonce) },
    ciphertext: b64.encode(ciphertext),
    ...(settings === undefined ? {} : { settings }),
  }
}

const HEX32 = /^0x[0-9a-f]{64}$/

/** An identity name: 1..64 characters of `A-Z a-z 0-9 . _ -`, not starting with a symbol. */
export const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

function checkKeyEntry(value: unknown, name: string, types: readonly string[]): PublicKeyEntry {
  if (typeof value !== 'object' || value === null) throw corrupt(`"${name}" missing`)
  const { type, publicKey } = value as Record<string, unknown>
  if (typeof type !== 'string' || !types.includes(type)) throw corrupt(`"${name}.type" invalid`)
  if (typeof publicKey !== 'string' || !HEX32.test(publicKey)) throw corrupt(`"${name}.publicKey" invalid`)
  return { type: type as PublicKeyEntry['type'], publicKey }
}

/**
 * Parses and checks a keystore file's text (without opening it).
 *
 * @param text - the file content
 * @returns the checked file object
 * @throws CliError ERR_KEYSTORE_CORRUPT for anything that is not a well-formed version 1 keystore
 * @example
 * const file = parseKeystore(readFileSync(path, 'utf8'))
 */
export function parseKeystore(text: string): KeystoreFile {
  if (typeof text !== 'string' || text.length > 64 * 1024) throw corrupt('too large')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw corrupt('not JSON')
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt('not an object')
  const o = json as Record<string, unknown>
  if (o.format !== KEYSTORE_FORMAT) throw corrupt('unknown format')
  if (o.version !== KEYSTORE_VERSION) throw corrupt(`unsupported version ${String(o.version).slice(0, 10)}`)
  const h = o.header as Record<string, unknown> | null
  if (typeof h !== 'object' || h === null) throw corrupt('"header" missing')
  for (const field of ['name', 'did', 'createdAt', 'origin'] as const)
    if (typeof h[field] !== 'string' || (h[field] as string).length > 4096)
      throw corrupt(`"header.${field}" invalid`)
  // The name names files (the replay file of the identity): the rules of identity names, so a
  // keystore can never point a path outside the home folder.
  if (!IDENTITY_NAME.test(h.name as string)) throw corrupt('"header.name" invalid')
  const header: KeystoreHeader = {
    name: h.name as string,
    did: h.did as string,
    createdAt: h.createdAt as string,
    authentication: checkKeyEntry(h.authentication, 'header.authentication', ['sr25519', 'ed25519']),
    keyAgreement: checkKeyEntry(h.keyAgreement, 'header.keyAgreement', ['x25519']),
    origin: h.origin as string,
  }
  const k = o.kdf as Record<string, unknown> | null
  if (typeof k !== 'object' || k === null || k.name !== 'scrypt') throw corrupt('"kdf" invalid')
  const params = checkScrypt({ logN: k.logN as number, r: k.r as number, p: k.p as number })
  b64.decode(k.salt, 'kdf.salt', 32)
  const c = o.cipher as Record<string, unknown> | null
  if (typeof c !== 'object' || c === null || c.name !== 'xchacha20-poly1305')
    throw corrupt('"cipher" invalid')
  b64.decode(c.nonce, 'cipher.nonce', 24)
  const ct = b64.decode(o.ciphertext, 'ciphertext')
  if (ct.length < 17) throw corrupt('"ciphertext" too short')
  let settings: KeystoreFile['settings']
  if (o.settings !== undefined) {
    const s = o.settings as Record<string, unknown> | null
    if (typeof s !== 'object' || s === null) throw corrupt('"settings" invalid')
    if (s.relay !== undefined && typeof s.relay !== 'string') throw corrupt('"settings.relay" invalid')
    settings = s.relay === undefined ? {} : { relay: s.relay as string }
  }
  return {
    format: KEYSTORE_FORMAT,
    version: KEYSTORE_VERSION,
    header,
    kdf: { name: 'scrypt', ...params, salt: k.salt as string },
    cipher: { name: 'xchacha20-poly1305', nonce: c.nonce as string },
    ciphertext: o.ciphertext as string,
    ...(settings === undefined ? {} : { settings }),
  }
}

/**
 * Opens a keystore with its passphrase.
 *
 * @param file - from {@link parseKeystore} or {@link sealKeystore}
 * @param passphrase - the passphrase
 * @returns the secrets
 * @throws CliError ERR_KEYSTORE_PASSPHRASE when the passphrase is wrong or the file was tampered
 *   with (one failure for both: the tag cannot tell them apart); ERR_KEYSTORE_CORRUPT when the
 *   opened content is malformed
 * @example
 * const { authSecret } = openKeystore(file, passphrase)
 */
export function openKeystore(file: KeystoreFile, passphrase: string): KeystoreSecrets {
  const params = checkScrypt(file.kdf)
  const salt = b64.decode(file.kdf.salt, 'kdf.salt', 32)
  const nonce = b64.decode(file.cipher.nonce, 'cipher.nonce', 24)
  const ct = b64.decode(file.ciphertext, 'ciphertext')
  const key = deriveKey(passphrase, salt, params)
  let plaintext: Uint8Array
  try {
    plaintext = xchacha20poly1305(key, nonce, aad(file.header, file.kdf)).decrypt(ct)
  } catch {
    throw new CliError(
      'ERR_KEYSTORE_PASSPHRASE',
      `wrong passphrase for identity "${file.header.name}" (or the keystore file was modified)`,
    )
  } finally {
    key.fill(0)
  }
  let secrets: unknown
  try {
    secrets = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext))
  } catch {
    throw corrupt('sealed content is not JSON')
  } finally {
    plaintext.fill(0)
  }
  const s = secrets as Record<string, unknown> | null
  if (typeof s !== 'object' || s === null) throw corrupt('sealed content invalid')
  if (typeof s.authSecret !== 'string' || !/^0x([0-9a-f]{64}|[0-9a-f]{128})$/.test(s.authSecret))
    throw corrupt('sealed authentication secret invalid')
  if (typeof s.keyAgreementSecret !== 'string' || !HEX32.test(s.keyAgreementSecret))
    throw corrupt('sealed key agreement secret invalid')
  if (s.mnemonic !== undefined && typeof s.mnemonic !== 'string') throw corrupt('sealed mnemonic invalid')
  return {
    authSecret: s.authSecret,
    keyAgreementSecret: s.keyAgreementSecret,
    ...(typeof s.mnemonic === 'string' ? { mnemonic: s.mnemonic } : {}),
  }
}
