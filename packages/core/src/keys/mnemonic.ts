/**
 * @module keys/mnemonic
 * BIP39 mnemonics (English) and the DID key sets that existing KILT tools derive from them
 * (spec §3.1). Mnemonic → mini secret is Substrate's `mnemonicToMiniSecret`:
 * `PBKDF2-HMAC-SHA512(entropy, "mnemonic" + password, 2048)[0..32]` — the BIP39 *entropy*, not the
 * phrase, is the PBKDF2 password (unlike BIP39's own seed).
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { MessagingError } from '../errors.js'
import { utf8 } from '../lib/bytes.js'
import { describe } from './lib/describe.js'
import { deriveEd25519Seed, deriveSr25519Secret } from './lib/hdkd.js'
import { parsePath } from './lib/junctions.js'
import { makeEd25519, makeSr25519FromMiniSecret, makeSr25519FromSecret, makeX25519 } from './lib/make.js'
import { randomBytes } from './lib/random.js'
import type { KiltKeySet, MnemonicDerivation } from './types.js'

/** Word counts BIP39 defines. */
export type MnemonicLength = 12 | 15 | 18 | 21 | 24

/** Longest accepted mnemonic and password, in characters (24 English words fit in ~220). */
const MAX_MNEMONIC_LENGTH = 1024
const MAX_PASSWORD_LENGTH = 1024

/**
 * Generates an English BIP39 mnemonic from the platform CSPRNG.
 * @param words - 12 (128-bit entropy, default), 15, 18, 21 or 24 (256-bit)
 * @returns the space-separated phrase
 * @throws MessagingError ERR_ARGUMENT_INVALID for another word count; TypeError without a CSPRNG
 * @example
 * const phrase = generateMnemonic(24)
 */
export function generateMnemonic(words: MnemonicLength = 12): string {
  if (words !== 12 && words !== 15 && words !== 18 && words !== 21 && words !== 24)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"words" expected 12, 15, 18, 21 or 24, got ${String(words)}`,
    )
  const entropy = randomBytes((words / 3) * 4)
  const phrase = entropyToMnemonic(entropy, wordlist)
  entropy.fill(0)
  return phrase
}

function entropyOf(mnemonic: unknown): Uint8Array {
  if (typeof mnemonic !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"mnemonic" expected a string, got ${typeof mnemonic}`)
  if (mnemonic.length > MAX_MNEMONIC_LENGTH)
    throw new MessagingError('ERR_MNEMONIC_INVALID', 'the mnemonic is too long')
  try {
    return mnemonicToEntropy(mnemonic, wordlist)
  } catch {
    // No cause and no detail: the underlying error may quote words of the phrase.
    throw new MessagingError(
      'ERR_MNEMONIC_INVALID',
      'the mnemonic is not a valid English BIP39 phrase (words, count or checksum)',
    )
  }
}

/**
 * True when `mnemonic` is a valid English BIP39 phrase (word list, 12–24 words, checksum).
 * @param mnemonic - the phrase (single spaces between words)
 * @returns whether {@link mnemonicToMiniSecret} would accept it
 * @example
 * isValidMnemonic(generateMnemonic()) // true
 */
export function isValidMnemonic(mnemonic: string): boolean {
  try {
    entropyOf(mnemonic).fill(0)
    return true
  } catch {
    return false
  }
}

function passwordOf(password: unknown): string {
  if (password === undefined) return ''
  if (typeof password !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"password" expected a string, got ${typeof password}`)
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"password" expected at most ${MAX_PASSWORD_LENGTH} characters`,
    )
  return password
}

/**
 * Substrate's mini secret of a mnemonic (`@polkadot/util-crypto` `mnemonicToMiniSecret`):
 * PBKDF2-HMAC-SHA512 over the BIP39 entropy, salt `"mnemonic" + password`, 2048 rounds, first 32 bytes.
 * @param mnemonic - an English BIP39 phrase
 * @param password - optional BIP39 password (default `''`), at most 1024 characters
 * @returns the 32-byte mini secret (a secret: wipe it when done)
 * @throws MessagingError ERR_MNEMONIC_INVALID for an invalid phrase; ERR_ARGUMENT_INVALID for non-string arguments
 * @example
 * const auth = sr25519FromSeed(mnemonicToMiniSecret(phrase))
 */
export function mnemonicToMiniSecret(mnemonic: string, password?: string): Uint8Array {
  const pw = passwordOf(password)
  const entropy = entropyOf(mnemonic)
  const miniSecret = pbkdf2(sha512, entropy, utf8(`mnemonic${pw}`), { c: 2048, dkLen: 32 })
  entropy.fill(0)
  return miniSecret
}

/** Options of {@link keysFromMnemonic}. */
export interface KeysFromMnemonicOptions {
  /**
   * `'kilt-docs'`: KILT docs `generateKeypairs` — ed25519 authentication from the mini secret (the
   * polkadot keyring's default type), x25519 key agreement with the mini secret as secret, ed25519
   * `//attestation` (assertionMethod) and `//delegation` (capabilityDelegation) derived from it.
   * `'sporran'`: Sporran wallet — sr25519 base pair from the mini secret; authentication `//did//0`;
   * key agreement secret `blake2b-256(secretKey of //did//keyAgreement//0)`; assertionMethod
   * `//did//assertion//0`; no capabilityDelegation.
   */
  readonly derivation: MnemonicDerivation
  /** BIP39 password (default `''`; KILT docs and Sporran use none). */
  readonly password?: string
}

/**
 * Derives the DID keys of a mnemonic the way an existing KILT tool does (spec §3.1).
 * @param mnemonic - an English BIP39 phrase
 * @param options - `{ derivation: 'kilt-docs' | 'sporran', password? }`
 * @returns `{ authentication, keyAgreement, assertionMethod?, capabilityDelegation? }`
 * @throws MessagingError ERR_MNEMONIC_INVALID for an invalid phrase; ERR_ARGUMENT_INVALID for bad options
 * @example
 * const keys = keysFromMnemonic(phrase, { derivation: 'sporran' })
 * keys.authentication.type // 'sr25519'
 */
export function keysFromMnemonic(mnemonic: string, options: KeysFromMnemonicOptions): KiltKeySet {
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object with a "derivation"')
  const { derivation } = options
  if (derivation !== 'kilt-docs' && derivation !== 'sporran')
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"options.derivation" expected 'kilt-docs' or 'sporran', got ${describe(derivation)}`,
    )
  const miniSecret = mnemonicToMiniSecret(mnemonic, options.password)
  try {
    return derivation === 'kilt-docs' ? kiltDocsKeys(miniSecret) : sporranKeys(miniSecret)
  } finally {
    miniSecret.fill(0)
  }
}

function kiltDocsKeys(miniSecret: Uint8Array): KiltKeySet {
  const derivedEd = (path: string) => {
    const seed = deriveEd25519Seed(miniSecret, parsePath(path))
    const pair = makeEd25519(seed)
    seed.fill(0)
    return pair
  }
  return {
    authentication: makeEd25519(miniSecret),
    keyAgreement: makeX25519(miniSecret),
    assertionMethod: derivedEd('//attestation'),
    capabilityDelegation: derivedEd('//delegation'),
  }
}

function sporranKeys(miniSecret: Uint8Array): KiltKeySet {
  const base = makeSr25519FromMiniSecret(miniSecret)
  const derived = (path: string) => deriveSr25519Secret(base.secretKey, parsePath(path))
  const agreementSr = derived('//did//keyAgreement//0')
  const agreementSecret = blake2b(agreementSr, { dkLen: 32 })
  agreementSr.fill(0)
  const keyAgreement = makeX25519(agreementSecret)
  agreementSecret.fill(0)
  const keys: KiltKeySet = {
    authentication: makeSr25519FromSecret(derived('//did//0')),
    keyAgreement,
    assertionMethod: makeSr25519FromSecret(derived('//did//assertion//0')),
  }
  base.secretKey.fill(0)
  return keys
}
