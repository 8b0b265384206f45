/**
 * @module crypto/box
 * One-shot NaCl box (`crypto_box_easy` / `crypto_box_open_easy`, spec §3.1): exactly what
 * `nacl.box` / `nacl.box.open` (tweetnacl, used by KILT's SDK callbacks) produce and accept.
 */
import { MessagingError } from '../errors.js'
import { typeName } from '../lib/type-name.js'
import { getBoxBackend, isBoxBackend } from './backend.js'
import { BOX_METHODS, checkData, checkKey, checkNonce } from './lib/checks.js'
import type { BoxBackend } from './types.js'

/** Asserts an injected backend (`undefined` means the default). @throws MessagingError ERR_ARGUMENT_INVALID */
function checkBackend(backend: unknown): BoxBackend | undefined {
  if (backend === undefined || isBoxBackend(backend)) return backend
  throw new MessagingError(
    'ERR_ARGUMENT_INVALID',
    `"backend" expected a BoxBackend (${BOX_METHODS.join(', ')}, name), got ${typeName(backend)}`,
  )
}

async function pick(backend: BoxBackend | undefined): Promise<BoxBackend> {
  return backend ?? getBoxBackend()
}

/**
 * Encrypts and authenticates `plaintext` for `peerPublicKey` (`nacl.box`).
 *
 * @param plaintext - any length
 * @param nonce - 24 bytes, never reused with the same key pair
 * @param peerPublicKey - 32-byte X25519 public key of the receiver
 * @param secretKey - 32-byte X25519 secret key of the sender
 * @param backend - default: {@link getBoxBackend}
 * @returns tag16 || ciphertext (plaintext length + 16)
 * @throws MessagingError ERR_KEY_INVALID for a key that is not 32 bytes or a low-order peer key; ERR_ARGUMENT_INVALID for a bad nonce, plaintext or backend
 * @example
 * const box = await seal(utf8('hi'), randomBytes(24), receiverPublicKey, senderSecretKey)
 */
export async function seal(
  plaintext: Uint8Array,
  nonce: Uint8Array,
  peerPublicKey: Uint8Array,
  secretKey: Uint8Array,
  backend?: BoxBackend,
): Promise<Uint8Array> {
  checkData(plaintext, 'plaintext')
  checkNonce(nonce)
  checkKey(peerPublicKey, 'peerPublicKey')
  checkKey(secretKey, 'secretKey')
  const b = await pick(checkBackend(backend))
  const key = await b.beforenm(peerPublicKey, secretKey)
  return b.sealAfternm(plaintext, nonce, key)
}

/**
 * Verifies and decrypts a box from `peerPublicKey` (`nacl.box.open`).
 *
 * @param box - tag16 || ciphertext (at least 16 bytes to succeed)
 * @param nonce - 24 bytes
 * @param peerPublicKey - 32-byte X25519 public key of the sender
 * @param secretKey - 32-byte X25519 secret key of the receiver
 * @param backend - default: {@link getBoxBackend}
 * @returns the plaintext, or `null` when the box does not authenticate (wrong key, nonce, tampering, truncation)
 * @throws MessagingError ERR_KEY_INVALID for a key that is not 32 bytes or a low-order peer key; ERR_ARGUMENT_INVALID for a bad nonce, box or backend
 * @example
 * const plaintext = await open(box, nonce, senderPublicKey, receiverSecretKey)
 * if (plaintext === null) throw new Error('not authentic')
 */
export async function open(
  box: Uint8Array,
  nonce: Uint8Array,
  peerPublicKey: Uint8Array,
  secretKey: Uint8Array,
  backend?: BoxBackend,
): Promise<Uint8Array | null> {
  checkData(box, 'box')
  checkNonce(nonce)
  checkKey(peerPublicKey, 'peerPublicKey')
  checkKey(secretKey, 'secretKey')
  const b = await pick(checkBackend(backend))
  const key = await b.beforenm(peerPublicKey, secretKey)
  return b.openAfternm(box, nonce, key)
}
