/**
 * @module keys
 * Key pairs for KILT DIDs: x25519 key agreement, sr25519/ed25519 signing, Substrate derivation paths,
 * mnemonics and the derivation conventions of existing KILT wallets (spec §3.1). Secrets are
 * non-enumerable and never printed (`toJSON` and `util.inspect` show the public half only).
 */

export { deriveEd25519, deriveSr25519 } from './derive.js'
export {
  generateMnemonic,
  isValidMnemonic,
  type KeysFromMnemonicOptions,
  keysFromMnemonic,
  type MnemonicLength,
  mnemonicToMiniSecret,
} from './mnemonic.js'
export {
  ed25519FromSeed,
  randomSigningKeyPair,
  sr25519FromSecretKey,
  sr25519FromSeed,
} from './signing-pairs.js'
export type {
  KiltKeySet,
  MnemonicDerivation,
  SigningKeyPair,
  SigningKeyType,
  X25519KeyPair,
} from './types.js'
export { type VerifySignatureInput, verifySignature } from './verify-signature.js'
export { randomX25519, x25519FromSeed } from './x25519.js'
export { zeroize } from './zeroize.js'
