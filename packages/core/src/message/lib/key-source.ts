/**
 * @module message/lib/key-source
 * The two kinds of key source: a `Keyring` (fast path: cached shared keys, synchronous when warm)
 * or KILT-style `encrypt`/`decrypt` callbacks (wallets, extensions, HSMs).
 */
import { MessagingError } from '../../errors.js'
import { isKeyring, type Keyring } from '../../keys/keyring.js'
import type { CallbackKeySource, DecryptCallback, EncryptCallback } from '../../keys/types.js'

/** What `encryptMessage` and `decryptMessage` accept as `keys`. */
export type KeySource = Keyring | CallbackKeySource

export type SourceKind =
  | { readonly kind: 'keyring'; readonly keyring: Keyring }
  | { readonly kind: 'callbacks'; readonly encrypt?: EncryptCallback; readonly decrypt?: DecryptCallback }

/** @throws MessagingError ERR_ARGUMENT_INVALID */
export function keySource(keys: unknown, need: 'encrypt' | 'decrypt'): SourceKind {
  if (isKeyring(keys)) return { kind: 'keyring', keyring: keys }
  if (typeof keys !== 'object' || keys === null)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      '"keys" expected a Keyring or { encrypt, decrypt } callbacks',
    )
  const { encrypt, decrypt } = keys as CallbackKeySource
  const fn = need === 'encrypt' ? encrypt : decrypt
  if (typeof fn !== 'function')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"keys.${need}" expected a KILT ${need} callback`)
  return need === 'encrypt'
    ? { kind: 'callbacks', encrypt: fn as EncryptCallback }
    : { kind: 'callbacks', decrypt: fn as DecryptCallback }
}
