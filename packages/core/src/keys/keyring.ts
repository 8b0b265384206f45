/**
 * @module keys/keyring
 * A keyring built from raw x25519 secrets: the KILT `encrypt`/`decrypt` callbacks (spec §4.1) plus
 * the fast path of the message layer (`sealFor`/`openFor`), which keeps precomputed box keys in a
 * bounded LRU per (own key, peer key) and answers synchronously when the key is cached (§3.1).
 * Secrets are copied in, live in private fields only and are wiped by `destroy()`.
 */
import { currentBoxBackend, getBoxBackend, nobleBackend } from '../crypto/backend.js'
import { BOX_METHODS, checkData, checkKey, checkNonce, hasMethods } from '../crypto/lib/checks.js'
import { randomBytes } from '../crypto/random.js'
import { cacheSizeOption, createSharedKeyCache } from '../crypto/shared-key-cache.js'
import type { BoxBackend, SharedKeyCache } from '../crypto/types.js'
import { parseDidShared } from '../did/lib/uri.js'
import { validateDidUri } from '../did/parse.js'
import type { DidResourceUri } from '../did/types.js'
import { isMessagingError, MessagingError } from '../errors.js'
import type {
  DecryptCallback,
  DecryptRequestData,
  DecryptResponseData,
  EncryptCallback,
  EncryptRequestData,
  EncryptResponseData,
} from './types.js'

/** One key of a keyring: the key URI (`did…#fragment`) and its 32-byte x25519 secret. */
export interface KeyringEntry {
  readonly keyUri: DidResourceUri
  /** 32 bytes; copied into the keyring. */
  readonly secretKey: Uint8Array
}

/** Options of {@link createKeyring}. */
export interface KeyringOptions {
  /** The box backend. Default: {@link getBoxBackend} (chosen once, asynchronously). */
  backend?: BoxBackend
  /** Most precomputed shared keys kept (LRU of two generations: the newest half always stay). Default 4096. */
  cacheSize?: number
  /** Random source for nonces. Default: `randomBytes` (`crypto.getRandomValues`). */
  random?: (n: number) => Uint8Array
}

/** A set of x25519 secrets keyed by DID key URI, usable as KILT callbacks or through the fast path. */
export interface Keyring {
  /** KILT `EncryptCallback`: boxes `data` with the key of `did` (or of the same subject) and a fresh nonce. */
  readonly encrypt: EncryptCallback
  /** KILT `DecryptCallback`: opens `data` with the key named by `keyUri`; throws on failure. */
  readonly decrypt: DecryptCallback
  /** The key URIs held, in the order given. */
  readonly keyUris: readonly DidResourceUri[]
  /** True after {@link Keyring.destroy}. */
  readonly destroyed: boolean
  /**
   * True when the keyring holds the secret of `keyUri` (false once destroyed).
   * @example keyring.has(envelope.receiverKeyUri)
   */
  has(keyUri: string): boolean
  /**
   * The key URI to encrypt with for `did`: an exact DID match first, else the first key of the same
   * subject (same SS58 address: a light DID with or without details, or its full DID).
   * @param did - a KILT DID (a fragment, if any, is ignored)
   * @throws MessagingError ERR_ARGUMENT_INVALID when `did` is not a string
   * @example keyring.keyUriFor(message.sender) // 'did:kilt:light:00…#encryption'
   */
  keyUriFor(did: string): DidResourceUri | undefined
  /**
   * The 32-byte x25519 public key of a held key (a copy).
   * @throws MessagingError ERR_KEY_UNAVAILABLE when the key is not held or the keyring was destroyed
   * @example keyring.publicKey(`${did}#encryption`)
   */
  publicKey(keyUri: DidResourceUri): Uint8Array
  /**
   * `crypto_box_easy` (= `nacl.box`) with the held key, through the shared-key cache. Returns
   * synchronously when the shared key is cached or the backend is synchronous.
   * @param ownKeyUri - a held key URI (the sender key)
   * @param peerPublicKey - 32 bytes (the receiver's key agreement key)
   * @param plaintext - any length
   * @param nonce - 24 bytes
   * @param out - optional destination of exactly `plaintext.length + 16` bytes (the result may be
   *   written there; always use the returned array)
   * @returns tag16 || ciphertext
   * @throws MessagingError ERR_KEY_UNAVAILABLE (key not held, keyring destroyed), ERR_KEY_INVALID (peer key length or low order), ERR_ARGUMENT_INVALID (nonce, plaintext)
   * @example const box = await keyring.sealFor(myKeyUri, peerPublicKey, utf8(json), randomBytes(24))
   */
  sealFor(
    ownKeyUri: DidResourceUri,
    peerPublicKey: Uint8Array,
    plaintext: Uint8Array,
    nonce: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array | Promise<Uint8Array>
  /**
   * `crypto_box_open_easy` (= `nacl.box.open`) with the held key, through the shared-key cache.
   * @param ownKeyUri - a held key URI (the receiver key)
   * @param peerPublicKey - 32 bytes (the sender's key agreement key)
   * @param box - tag16 || ciphertext
   * @param nonce - 24 bytes
   * @param out - optional destination of exactly `box.length - 16` bytes, as for `sealFor`
   * @returns the plaintext, or `null` when the box does not authenticate
   * @throws MessagingError ERR_KEY_UNAVAILABLE, ERR_KEY_INVALID, ERR_ARGUMENT_INVALID as {@link Keyring.sealFor}
   * @example const plaintext = await keyring.openFor(receiverKeyUri, senderPublicKey, box, nonce)
   */
  openFor(
    ownKeyUri: DidResourceUri,
    peerPublicKey: Uint8Array,
    box: Uint8Array,
    nonce: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array | null | Promise<Uint8Array | null>
  /**
   * Wipes every secret and drops every cached shared key; later calls throw ERR_KEY_UNAVAILABLE.
   * @example keyring.destroy()
   */
  destroy(): void
}

interface Entry {
  readonly id: string
  readonly keyUri: DidResourceUri
  readonly did: string
  readonly address: string | undefined
  readonly secret: Uint8Array
  publicKey: Uint8Array | undefined
}

/** The SS58 address (subject) of a KILT DID, or undefined when `did` is not a valid one. */
function addressOf(did: string): string | undefined {
  try {
    return parseDidShared(did).address
  } catch {
    return undefined
  }
}

function unavailable(what: string): MessagingError {
  return new MessagingError('ERR_KEY_UNAVAILABLE', what)
}

function checkRequest(req: unknown, name: string): Record<string, unknown> {
  if (typeof req !== 'object' || req === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"${name}" expected an object`)
  return req as Record<string, unknown>
}

class KeyringImpl implements Keyring {
  readonly #entries = new Map<string, Entry>()
  // Created on first use: an idle keyring (e.g. one per known peer) costs no cache.
  #cache: SharedKeyCache | undefined
  readonly #cacheSize: number
  readonly #random: (n: number) => Uint8Array
  readonly #fixedBackend: BoxBackend | undefined
  #backend: BoxBackend | undefined
  #pendingBackend: Promise<BoxBackend> | undefined
  #destroyed = false

  /** @param cacheSize - checked by createKeyring (`cacheSizeOption`) */
  constructor(entries: readonly KeyringEntry[], options: KeyringOptions, cacheSize: number) {
    this.#cacheSize = cacheSize
    this.#random = options.random ?? randomBytes
    this.#fixedBackend = options.backend
    this.#backend = options.backend ?? currentBoxBackend()
    entries.forEach((e, i) => {
      const uri = e.keyUri
      const did = uri.slice(0, uri.indexOf('#'))
      this.#entries.set(uri, {
        id: String(i),
        keyUri: uri,
        did,
        address: addressOf(did),
        secret: e.secretKey.slice(),
        publicKey: undefined,
      })
    })
    if (this.#backend === undefined) void this.#ready()
  }

  /** True for an instance of this class (a private-field brand check, not a registry of instances). */
  static is(x: object): boolean {
    return #entries in x
  }

  #sharedKeys(): SharedKeyCache {
    this.#cache ??= createSharedKeyCache({ maxEntries: this.#cacheSize })
    return this.#cache
  }

  get keyUris(): readonly DidResourceUri[] {
    return [...this.#entries.keys()] as DidResourceUri[]
  }

  get destroyed(): boolean {
    return this.#destroyed
  }

  // The KILT callbacks are functions bound to this keyring, made when first read (most keyrings only
  // ever take the fast path).
  #encrypt: EncryptCallback | undefined
  #decrypt: DecryptCallback | undefined

  get encrypt(): EncryptCallback {
    this.#encrypt ??= (req) => this.#encryptRequest(req)
    return this.#encrypt
  }

  get decrypt(): DecryptCallback {
    this.#decrypt ??= (req) => this.#decryptRequest(req)
    return this.#decrypt
  }

  async #encryptRequest(req: EncryptRequestData): Promise<EncryptResponseData> {
    const r = checkRequest(req, 'request')
    checkData(r.data, 'data')
    checkKey(r.peerPublicKey, 'peerPublicKey')
    if (typeof r.did !== 'string') throw new MessagingError('ERR_ARGUMENT_INVALID', '"did" expected a string')
    const keyUri = this.keyUriFor(r.did)
    if (keyUri === undefined) throw unavailable('the keyring holds no key agreement key of this DID')
    const nonce = this.#random(24)
    checkNonce(nonce, 'random(24)')
    const data = await this.sealFor(keyUri, r.peerPublicKey as Uint8Array, r.data as Uint8Array, nonce)
    return { data, nonce, keyUri }
  }

  async #decryptRequest(req: DecryptRequestData): Promise<DecryptResponseData> {
    const r = checkRequest(req, 'request')
    if (typeof r.keyUri !== 'string' || !this.has(r.keyUri))
      throw unavailable('the keyring holds no secret for the receiver key URI')
    const data = await this.openFor(
      r.keyUri as DidResourceUri,
      r.peerPublicKey as Uint8Array,
      r.data as Uint8Array,
      r.nonce as Uint8Array,
    )
    if (data === null) throw new MessagingError('ERR_DECRYPTION_FAILED', 'the box does not authenticate')
    return { data }
  }

  has(keyUri: string): boolean {
    return !this.#destroyed && typeof keyUri === 'string' && this.#entries.has(keyUri)
  }

  keyUriFor(did: string): DidResourceUri | undefined {
    if (typeof did !== 'string') throw new MessagingError('ERR_ARGUMENT_INVALID', '"did" expected a string')
    if (this.#destroyed) return undefined
    const hash = did.indexOf('#')
    const bare = hash < 0 ? did : did.slice(0, hash)
    for (const e of this.#entries.values()) if (e.did === bare) return e.keyUri
    const address = addressOf(bare)
    if (address === undefined) return undefined
    for (const e of this.#entries.values()) if (e.address === address) return e.keyUri
    return undefined
  }

  publicKey(keyUri: DidResourceUri): Uint8Array {
    const e = this.#entry(keyUri)
    if (e.publicKey === undefined) {
      // Synchronous answer required: use the backend when it answers synchronously, else noble.
      const fast = this.#backend?.publicKey(e.secret)
      if (fast instanceof Promise) fast.catch(() => undefined)
      e.publicKey =
        fast instanceof Uint8Array ? fast.slice() : (nobleBackend.publicKey(e.secret) as Uint8Array).slice()
    }
    return e.publicKey.slice()
  }

  sealFor(
    ownKeyUri: DidResourceUri,
    peerPublicKey: Uint8Array,
    plaintext: Uint8Array,
    nonce: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array | Promise<Uint8Array> {
    this.#entry(ownKeyUri)
    checkKey(peerPublicKey, 'peerPublicKey')
    checkData(plaintext, 'plaintext')
    checkNonce(nonce)
    const b = this.#backend
    if (b === undefined)
      return this.#ready().then((b2) => this.#seal(b2, ownKeyUri, peerPublicKey, plaintext, nonce, out))
    return this.#seal(b, ownKeyUri, peerPublicKey, plaintext, nonce, out)
  }

  openFor(
    ownKeyUri: DidResourceUri,
    peerPublicKey: Uint8Array,
    box: Uint8Array,
    nonce: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array | null | Promise<Uint8Array | null> {
    this.#entry(ownKeyUri)
    checkKey(peerPublicKey, 'peerPublicKey')
    checkData(box, 'box')
    checkNonce(nonce)
    const b = this.#backend
    if (b === undefined)
      return this.#ready().then((b2) => this.#open(b2, ownKeyUri, peerPublicKey, box, nonce, out))
    return this.#open(b, ownKeyUri, peerPublicKey, box, nonce, out)
  }

  destroy(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    this.#cache?.clear()
    for (const e of this.#entries.values()) {
      this.#backend?.forgetSecret?.(e.secret)
      e.secret.fill(0)
    }
    this.#entries.clear()
  }

  toJSON(): { type: 'Keyring'; keyUris: readonly DidResourceUri[] } {
    return { type: 'Keyring', keyUris: this.keyUris }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Keyring { keyUris: ${JSON.stringify(this.keyUris)}${this.#destroyed ? ', destroyed' : ''} }`
  }

  #entry(keyUri: string): Entry {
    if (this.#destroyed) throw unavailable('the keyring was destroyed')
    if (typeof keyUri !== 'string')
      throw new MessagingError('ERR_ARGUMENT_INVALID', '"keyUri" expected a DID resource URI string')
    const e = this.#entries.get(keyUri)
    if (e === undefined) throw unavailable('the keyring holds no secret for this key URI')
    return e
  }

  #ready(): Promise<BoxBackend> {
    if (this.#backend !== undefined) return Promise.resolve(this.#backend)
    if (this.#pendingBackend === undefined)
      this.#pendingBackend = getBoxBackend().then((b) => {
        this.#backend = this.#fixedBackend ?? b
        return this.#backend
      })
    return this.#pendingBackend
  }

  #seal(
    b: BoxBackend,
    ownKeyUri: DidResourceUri,
    peerPublicKey: Uint8Array,
    plaintext: Uint8Array,
    nonce: Uint8Array,
    out: Uint8Array | undefined,
  ): Uint8Array | Promise<Uint8Array> {
    // Looked up again: the keyring may have been destroyed while waiting for the backend.
    const e = this.#entry(ownKeyUri)
    const key = this.#sharedKeys().get(e.id, e.secret, peerPublicKey, b)
    if (key instanceof Promise) return key.then((k) => b.sealAfternm(plaintext, nonce, this.#alive(k), out))
    return b.sealAfternm(plaintext, nonce, key, out)
  }

  #open(
    b: BoxBackend,
    ownKeyUri: DidResourceUri,
    peerPublicKey: Uint8Array,
    box: Uint8Array,
    nonce: Uint8Array,
    out: Uint8Array | undefined,
  ): Uint8Array | null | Promise<Uint8Array | null> {
    const e = this.#entry(ownKeyUri)
    const key = this.#sharedKeys().get(e.id, e.secret, peerPublicKey, b)
    if (key instanceof Promise) return key.then((k) => b.openAfternm(box, nonce, this.#alive(k), out))
    return b.openAfternm(box, nonce, key, out)
  }

  /** A key computed asynchronously may come from a secret wiped meanwhile: never use it then. */
  #alive<T>(value: T): T {
    if (this.#destroyed) throw unavailable('the keyring was destroyed')
    return value
  }
}

/**
 * Builds a keyring from x25519 secrets (KILT: the 32-byte seed given to
 * `makeEncryptionKeypairFromSeed`). The secrets are copied; wipe yours afterwards if you like.
 *
 * @param entries - `{ keyUri: 'did:kilt:…#fragment', secretKey: 32 bytes }`, key URIs unique
 * @param options - `backend` (default: the fastest available), `cacheSize` (default 4096), `random`
 * @throws MessagingError ERR_ARGUMENT_INVALID for a malformed argument or a duplicate key URI;
 *   ERR_DID_INVALID / ERR_DID_FRAGMENT for a key URI that is not `did:kilt:…#fragment`;
 *   ERR_KEY_INVALID for a secret that is not 32 bytes
 * @example
 * const keyring = createKeyring([{ keyUri: `${myDid}#encryption`, secretKey: mySecret }])
 * const encrypted = await Message.encrypt(message, keyring.encrypt, receiverKeyUri) // SDK-compatible callback
 * const box = await keyring.sealFor(`${myDid}#encryption`, peerPublicKey, plaintext, randomBytes(24))
 */
export function createKeyring(entries: readonly KeyringEntry[], options: KeyringOptions = {}): Keyring {
  if (!Array.isArray(entries))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"entries" expected an array of { keyUri, secretKey }')
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  if (options.random !== undefined && typeof options.random !== 'function')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"random" expected a function')
  if (options.backend !== undefined && !hasMethods<BoxBackend>(options.backend, BOX_METHODS))
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"backend" expected a BoxBackend')
  // The cache itself is made on first use; its size is checked now.
  const cacheSize = cacheSizeOption(options.cacheSize)
  const seen = new Set<string>()
  entries.forEach((e: unknown, i) => {
    if (typeof e !== 'object' || e === null)
      throw new MessagingError('ERR_ARGUMENT_INVALID', `"entries[${i}]" expected { keyUri, secretKey }`)
    const { keyUri, secretKey } = e as Record<string, unknown>
    if (typeof keyUri !== 'string')
      throw new MessagingError('ERR_ARGUMENT_INVALID', `"entries[${i}].keyUri" expected a string`)
    try {
      validateDidUri(keyUri, 'ResourceUri')
    } catch (cause) {
      const code = isMessagingError(cause) ? cause.code : 'ERR_DID_INVALID'
      throw new MessagingError(
        code,
        `"entries[${i}].keyUri" expected a KILT DID resource URI (did:kilt:…#fragment)`,
        { cause },
      )
    }
    if (seen.has(keyUri))
      throw new MessagingError('ERR_ARGUMENT_INVALID', `"entries[${i}].keyUri" is a duplicate`)
    seen.add(keyUri)
    checkKey(secretKey, `entries[${i}].secretKey`)
  })
  return new KeyringImpl(entries, options, cacheSize)
}

/**
 * True for a keyring made by {@link createKeyring} (not for look-alike objects).
 *
 * @example
 * if (isKeyring(keys)) keys.sealFor(uri, peer, plaintext, nonce)
 */
export function isKeyring(x: unknown): x is Keyring {
  return typeof x === 'object' && x !== null && KeyringImpl.is(x)
}
