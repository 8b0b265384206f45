/**
 * @module web/vault
 * The identity secret (mnemonic + derivation) kept in IndexedDB, encrypted with a passphrase:
 * PBKDF2-SHA-256 (600 000 iterations, OWASP's figure for PBKDF2-HMAC-SHA256; 16-byte salt) → AES-256-GCM
 * (12-byte IV), all WebCrypto. A record keeps its own iteration count, so records made with the former
 * 310 000 still open.
 * A wrong passphrase fails the GCM tag check and is reported as such.
 */
const DB = 'kilt-messaging-web'
const STORE = 'vault'
const KEY = 'identity'
const ITERATIONS = 600_000
/** Iteration counts a stored record may name: what this app wrote (310,000, then 600,000) up to ~10 s of work. */
const MIN_ITERATIONS = 310_000
const MAX_ITERATIONS = 10_000_000

/** What is encrypted. */
export interface VaultSecret {
  readonly mnemonic: string
  readonly derivation: 'sporran' | 'kilt-docs'
}

interface VaultRecord {
  readonly v: 1
  readonly did: string
  readonly salt: Uint8Array
  readonly iv: Uint8Array
  readonly ciphertext: Uint8Array
  readonly iterations: number
}

/** A wrong passphrase (or a damaged vault). */
export class WrongPassphraseError extends Error {
  override readonly name = 'WrongPassphraseError'
}

function db(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE)
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'))
  })
}

async function tx<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const d = await db()
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = run(d.transaction(STORE, mode).objectStore(STORE))
      req.onsuccess = () => resolve(req.result as T)
      req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'))
    })
  } finally {
    d.close()
  }
}

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, [
    'deriveKey',
  ])
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

/** The DID of the stored identity, or null when there is none. */
export async function storedDid(): Promise<string | null> {
  const r = await tx<VaultRecord | undefined>('readonly', (s) => s.get(KEY))
  return r?.did ?? null
}

/**
 * Encrypts and stores the identity (replacing any earlier one).
 * @param passphrase - at least 8 characters
 */
export async function saveIdentity(did: string, secret: VaultSecret, passphrase: string): Promise<void> {
  if (passphrase.length < 8) throw new Error('The passphrase must have at least 8 characters.')
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await deriveKey(passphrase, salt, ITERATIONS)
  const plaintext = new TextEncoder().encode(JSON.stringify(secret))
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(did) },
      key,
      plaintext,
    ),
  )
  plaintext.fill(0)
  const record: VaultRecord = { v: 1, did, salt, iv, ciphertext, iterations: ITERATIONS }
  await tx('readwrite', (s) => s.put(record, KEY))
}

/**
 * Decrypts the stored identity.
 * @throws WrongPassphraseError when the passphrase does not open the vault
 */
export async function unlockIdentity(passphrase: string): Promise<{ did: string; secret: VaultSecret }> {
  const r = await tx<VaultRecord | undefined>('readonly', (s) => s.get(KEY))
  if (r === undefined) throw new Error('No identity is stored in this browser.')
  // The record is stored data, not trusted: a count outside what this app ever wrote (310,000 before
  // 600,000) would fail oddly (0) or take forever (huge).
  if (!Number.isSafeInteger(r.iterations) || r.iterations < MIN_ITERATIONS || r.iterations > MAX_ITERATIONS)
    throw new Error('The stored identity is damaged (its key derivation settings are out of range).')
  const key = await deriveKey(passphrase, r.salt, r.iterations)
  let plaintext: Uint8Array
  try {
    plaintext = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: r.iv as BufferSource, additionalData: new TextEncoder().encode(r.did) },
        key,
        r.ciphertext as BufferSource,
      ),
    )
  } catch {
    throw new WrongPassphraseError('Wrong passphrase: the stored identity could not be unlocked.')
  }
  const secret = JSON.parse(new TextDecoder().decode(plaintext)) as VaultSecret
  plaintext.fill(0)
  return { did: r.did, secret }
}

/** Deletes the stored identity. */
export async function forgetIdentity(): Promise<void> {
  await tx('readwrite', (s) => s.delete(KEY))
}
