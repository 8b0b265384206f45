import { inspect } from 'node:util'
import nacl from 'tweetnacl'
import { afterEach, describe, expect, it } from 'vitest'
import {
  getBoxBackend,
  loadBoxBackend,
  nobleBackend,
  randomBytes,
  setBoxBackend,
} from '../../src/crypto/index.js'
import type { BoxBackend } from '../../src/crypto/types.js'
import type { DidResourceUri } from '../../src/did/types.js'
import { isMessagingError, MessagingError } from '../../src/errors.js'
import { createKeyring, isKeyring } from '../../src/keys/keyring.js'
import { toHex, utf8 } from '../../src/lib/bytes.js'
import { thrownCode } from '../helpers/expect-error.js'
import { loadVectors } from '../helpers/vectors.js'

const v = loadVectors()
interface VecKey {
  keyUri: DidResourceUri
  secretKey: string
  publicKey: string
}
const vecDids = Object.values(v.dids as Record<string, { keyAgreement?: VecKey }>)
const alice = v.dids.alice
const bob = v.dids.bob
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.slice(2), 'hex'))

async function codeOf(p: unknown): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    return e instanceof MessagingError ? e.code : `other: ${String(e)}`
  }
  return undefined
}

describe('createKeyring', () => {
  afterEach(() => setBoxBackend(undefined))

  it('encrypt callback boxes with the key of req.did and a fresh nonce (tweetnacl opens it)', async () => {
    const ring = createKeyring([
      { keyUri: alice.keyAgreement.keyUri, secretKey: hex(alice.keyAgreement.secretKey) },
    ])
    const bobPub = hex(bob.keyAgreement.publicKey)
    const data = utf8('{"hello":"bob"}')
    const r1 = await ring.encrypt({ data, peerPublicKey: bobPub, did: alice.uri })
    const r2 = await ring.encrypt({ data, peerPublicKey: bobPub, did: alice.uri })
    expect(r1.keyUri).toBe(alice.keyAgreement.keyUri)
    expect(r1.nonce).toHaveLength(24)
    expect(r1.nonce).not.toEqual(r2.nonce)
    const opened = nacl.box.open(
      r1.data,
      r1.nonce,
      hex(alice.keyAgreement.publicKey),
      hex(bob.keyAgreement.secretKey),
    )
    expect(opened).toEqual(data)
    // same subject: the short light DID of alice
    const r3 = await ring.encrypt({ data, peerPublicKey: bobPub, did: alice.shortUri })
    expect(r3.keyUri).toBe(alice.keyAgreement.keyUri)
    expect(await codeOf(ring.encrypt({ data, peerPublicKey: bobPub, did: bob.uri }))).toBe(
      'ERR_KEY_UNAVAILABLE',
    )
  })

  it('uses the injected random source and checks its output', async () => {
    const ring = createKeyring(
      [{ keyUri: alice.keyAgreement.keyUri, secretKey: hex(alice.keyAgreement.secretKey) }],
      {
        random: (n) => new Uint8Array(n).fill(7),
      },
    )
    const r = await ring.encrypt({
      data: utf8('x'),
      peerPublicKey: hex(bob.keyAgreement.publicKey),
      did: alice.uri,
    })
    expect(r.nonce).toEqual(new Uint8Array(24).fill(7))
    const bad = createKeyring(
      [{ keyUri: alice.keyAgreement.keyUri, secretKey: hex(alice.keyAgreement.secretKey) }],
      {
        random: () => new Uint8Array(12),
      },
    )
    expect(
      await codeOf(
        bad.encrypt({ data: utf8('x'), peerPublicKey: hex(bob.keyAgreement.publicKey), did: alice.uri }),
      ),
    ).toBe('ERR_ARGUMENT_INVALID')
  })

  it('decrypt callback opens every vector addressed to a held key; wrong input throws', async () => {
    const entries = vecDids.flatMap((d) =>
      d.keyAgreement ? [{ keyUri: d.keyAgreement.keyUri, secretKey: hex(d.keyAgreement.secretKey) }] : [],
    )
    const ring = createKeyring(entries)
    for (const m of v.messages) {
      const sender = v.dids[m.sender]
      const res = await ring.decrypt({
        data: hex(m.encrypted.ciphertext),
        nonce: hex(m.encrypted.nonce),
        peerPublicKey: hex(sender.keyAgreement.publicKey),
        keyUri: m.encrypted.receiverKeyUri,
      })
      expect(new TextDecoder().decode(res.data)).toBe(m.serializedPlaintext)
    }
    const m = v.messages[0]
    const req = {
      data: hex(m.encrypted.ciphertext),
      nonce: hex(m.encrypted.nonce),
      peerPublicKey: hex(v.dids[m.sender].keyAgreement.publicKey),
      keyUri: m.encrypted.receiverKeyUri,
    }
    const tampered = req.data.slice()
    tampered[30] = tampered[30]! ^ 4
    expect(await codeOf(ring.decrypt({ ...req, data: tampered }))).toBe('ERR_DECRYPTION_FAILED')
    expect(await codeOf(ring.decrypt({ ...req, nonce: req.nonce.subarray(1) }))).toBe('ERR_ARGUMENT_INVALID')
    expect(await codeOf(ring.decrypt({ ...req, peerPublicKey: new Uint8Array(31) }))).toBe('ERR_KEY_INVALID')
    expect(await codeOf(ring.decrypt({ ...req, peerPublicKey: new Uint8Array(32) }))).toBe('ERR_KEY_INVALID')
    expect(
      await codeOf(
        ring.decrypt({ ...req, keyUri: 'did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B#x' }),
      ),
    ).toBe('ERR_KEY_UNAVAILABLE')
    expect(await codeOf(ring.decrypt(null as never))).toBe('ERR_ARGUMENT_INVALID')
  })

  it('callbacks work detached (as passed to the SDK)', async () => {
    const ring = createKeyring([
      { keyUri: alice.keyAgreement.keyUri, secretKey: hex(alice.keyAgreement.secretKey) },
    ])
    const { encrypt } = ring
    const r = await encrypt({
      data: utf8('x'),
      peerPublicKey: hex(bob.keyAgreement.publicKey),
      did: alice.uri,
    })
    expect(r.data).toHaveLength(17)
    // the same function on every read, bound to its keyring
    expect(ring.encrypt).toBe(encrypt)
    expect(ring.decrypt).toBe(ring.decrypt)
    const other = createKeyring([
      { keyUri: bob.keyAgreement.keyUri, secretKey: hex(bob.keyAgreement.secretKey) },
    ])
    expect(other.encrypt).not.toBe(encrypt)
  })

  it('fast path: sealFor/openFor are synchronous once the shared key is cached', async () => {
    const backend = await getBoxBackend()
    const ring = createKeyring(
      [
        { keyUri: alice.keyAgreement.keyUri, secretKey: hex(alice.keyAgreement.secretKey) },
        { keyUri: bob.keyAgreement.keyUri, secretKey: hex(bob.keyAgreement.secretKey) },
      ],
      { backend },
    )
    const nonce = randomBytes(24)
    const pt = utf8('fast')
    const bobPub = hex(bob.keyAgreement.publicKey)
    const alicePub = hex(alice.keyAgreement.publicKey)
    const box = ring.sealFor(alice.keyAgreement.keyUri, bobPub, pt, nonce)
    expect(box).toBeInstanceOf(Uint8Array) // sync backend: sync even on a miss
    expect(box).toEqual(nacl.box(pt, nonce, bobPub, hex(alice.keyAgreement.secretKey)))
    const opened = ring.openFor(bob.keyAgreement.keyUri, alicePub, box as Uint8Array, nonce)
    expect(opened).toEqual(pt)
    const bad = (box as Uint8Array).slice()
    bad[0] = bad[0]! ^ 1
    expect(ring.openFor(bob.keyAgreement.keyUri, alicePub, bad, nonce)).toBeNull()
    expect(ring.has(alice.keyAgreement.keyUri)).toBe(true)
    expect(ring.has(`${alice.uri}#nope`)).toBe(false)
    expect(ring.publicKey(alice.keyAgreement.keyUri)).toEqual(alicePub)
    expect(ring.keyUriFor(bob.uri)).toBe(bob.keyAgreement.keyUri)
    expect(ring.keyUriFor(bob.shortUri)).toBe(bob.keyAgreement.keyUri)
    expect(ring.keyUriFor(`did:kilt:${bob.address}`)).toBe(bob.keyAgreement.keyUri)
    expect(ring.keyUriFor('did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B')).toBeUndefined()
    expect(ring.keyUris).toEqual([alice.keyAgreement.keyUri, bob.keyAgreement.keyUri])
    expect(() => ring.sealFor(`${alice.uri}#x` as DidResourceUri, bobPub, pt, nonce)).toThrow(MessagingError)
    expect(() => ring.sealFor(alice.keyAgreement.keyUri, bobPub, pt, nonce.subarray(2))).toThrow(
      MessagingError,
    )
  })

  it('fast path with an async backend (WebCrypto): promise on a miss, sync on a hit', async () => {
    const web = (await loadBoxBackend('webcrypto'))!
    const ring = createKeyring(
      [{ keyUri: alice.keyAgreement.keyUri, secretKey: hex(alice.keyAgreement.secretKey) }],
      {
        backend: web,
      },
    )
    const bobPub = hex(bob.keyAgreement.publicKey)
    const nonce = randomBytes(24)
    const first = ring.sealFor(alice.keyAgreement.keyUri, bobPub, utf8('a'), nonce)
    expect(first).toBeInstanceOf(Promise)
    const box = await first
    const second = ring.sealFor(alice.keyAgreement.keyUri, bobPub, utf8('a'), nonce)
    expect(second).toBeInstanceOf(Uint8Array)
    expect(second).toEqual(box)
    expect(ring.publicKey(alice.keyAgreement.keyUri)).toEqual(hex(alice.keyAgreement.publicKey))
  })

  it('default backend: first call may be async, later calls sync', async () => {
    setBoxBackend(nobleBackend)
    const ring = createKeyring([
      { keyUri: alice.keyAgreement.keyUri, secretKey: hex(alice.keyAgreement.secretKey) },
    ])
    const bobPub = hex(bob.keyAgreement.publicKey)
    const nonce = randomBytes(24)
    await ring.sealFor(alice.keyAgreement.keyUri, bobPub, utf8('a'), nonce)
    expect(ring.sealFor(alice.keyAgreement.keyUri, bobPub, utf8('a'), nonce)).toBeInstanceOf(Uint8Array)
  })

  it('copies secrets in, hides them from JSON, inspect, keys and errors; destroy wipes them', async () => {
    const secret = hex(alice.keyAgreement.secretKey)
    const secretHex = alice.keyAgreement.secretKey.slice(2)
    const ring = createKeyring([{ keyUri: alice.keyAgreement.keyUri, secretKey: secret }])
    secret.fill(0) // caller wipes its copy: the keyring still works
    const bobPub = hex(bob.keyAgreement.publicKey)
    const nonce = new Uint8Array(24)
    const box = await ring.sealFor(alice.keyAgreement.keyUri, bobPub, utf8('z'), nonce)
    expect(box).toEqual(nacl.box(utf8('z'), nonce, bobPub, hex(alice.keyAgreement.secretKey)))
    const shown = [
      JSON.stringify(ring),
      inspect(ring, { depth: 10, showHidden: true }),
      String(ring),
      Object.keys(ring).join(','),
      JSON.stringify(Object.getOwnPropertyDescriptors(ring)),
    ].join('\n')
    expect(shown).not.toContain(secretHex)
    const bytes = Array.from(hex(alice.keyAgreement.secretKey)).join(',')
    expect(shown).not.toContain(bytes)
    expect(JSON.parse(JSON.stringify(ring))).toEqual({
      type: 'Keyring',
      keyUris: [alice.keyAgreement.keyUri],
    })
    // errors never carry the secret
    try {
      await ring.sealFor(alice.keyAgreement.keyUri, new Uint8Array(32), utf8('z'), nonce)
    } catch (e) {
      expect(isMessagingError(e, 'ERR_KEY_INVALID')).toBe(true)
      expect(`${String(e)} ${JSON.stringify(e)} ${inspect(e)}`).not.toContain(secretHex)
    }
    ring.destroy()
    expect(ring.destroyed).toBe(true)
    expect(ring.has(alice.keyAgreement.keyUri)).toBe(false)
    expect(ring.keyUriFor(alice.uri)).toBeUndefined()
    expect(await codeOf(() => ring.sealFor(alice.keyAgreement.keyUri, bobPub, utf8('z'), nonce))).toBe(
      'ERR_KEY_UNAVAILABLE',
    )
    expect(await codeOf(ring.encrypt({ data: utf8('x'), peerPublicKey: bobPub, did: alice.uri }))).toBe(
      'ERR_KEY_UNAVAILABLE',
    )
    ring.destroy() // idempotent
  })

  it('destroy during backend selection never seals with a wiped key', async () => {
    let release!: (b: BoxBackend) => void
    const gate = new Promise<BoxBackend>((r) => {
      release = r
    })
    const slow: BoxBackend = {
      ...nobleBackend,
      name: 'slow',
      beforenm: (pk, sk) => gate.then((b) => b.beforenm(pk, sk)),
    }
    const ring = createKeyring(
      [{ keyUri: alice.keyAgreement.keyUri, secretKey: hex(alice.keyAgreement.secretKey) }],
      {
        backend: slow,
      },
    )
    const p = ring.sealFor(
      alice.keyAgreement.keyUri,
      hex(bob.keyAgreement.publicKey),
      utf8('q'),
      randomBytes(24),
    )
    ring.destroy()
    release(nobleBackend)
    // the backend read the (now wiped) secret late: the keyring refuses rather than seal under a wrong key
    expect(await codeOf(p)).toBe('ERR_KEY_UNAVAILABLE')
  })

  it('rejects malformed entries and options', () => {
    const sk = randomBytes(32)
    const ok = alice.keyAgreement.keyUri
    expect(thrownCode(() => createKeyring(null as never))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => createKeyring([null as never]))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => createKeyring([{ keyUri: 5 as never, secretKey: sk }]))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(thrownCode(() => createKeyring([{ keyUri: 'did:web:x#a' as never, secretKey: sk }]))).toBe(
      'ERR_DID_INVALID',
    )
    expect(thrownCode(() => createKeyring([{ keyUri: alice.uri as never, secretKey: sk }]))).toBe(
      'ERR_DID_FRAGMENT',
    )
    // KILT-shaped but not a KILT DID: a bad SS58 checksum, a bad light-DID auth key code
    const badSum = ok.replace(
      /(did:kilt:(?:light:\d\d)?4\w{46})(\w)/,
      (_: string, a: string, c: string) => a + (c === 'a' ? 'b' : 'a'),
    )
    expect(badSum).not.toBe(ok)
    expect(thrownCode(() => createKeyring([{ keyUri: badSum as never, secretKey: sk }]))).toBe(
      'ERR_DID_ADDRESS_INVALID',
    )
    expect(
      thrownCode(() => createKeyring([{ keyUri: 'did:kilt:light:00x#a' as never, secretKey: sk }])),
    ).toBe('ERR_DID_INVALID')
    expect(thrownCode(() => createKeyring([{ keyUri: ok, secretKey: sk.subarray(1) }]))).toBe(
      'ERR_KEY_INVALID',
    )
    expect(
      thrownCode(() =>
        createKeyring([
          { keyUri: ok, secretKey: sk },
          { keyUri: ok, secretKey: sk },
        ]),
      ),
    ).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => createKeyring([], { cacheSize: 0 }))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => createKeyring([], { random: 3 as never }))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => createKeyring([], { backend: {} as never }))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => createKeyring([], null as never))).toBe('ERR_ARGUMENT_INVALID')
    const ring = createKeyring([{ keyUri: ok, secretKey: sk }])
    expect(thrownCode(() => ring.keyUriFor(3 as never))).toBe('ERR_ARGUMENT_INVALID')
    expect(thrownCode(() => ring.publicKey(`${alice.uri}#zzz` as DidResourceUri))).toBe('ERR_KEY_UNAVAILABLE')
  })

  it('isKeyring recognises only real keyrings', () => {
    const ring = createKeyring([])
    expect(isKeyring(ring)).toBe(true)
    expect(isKeyring({ ...ring })).toBe(false)
    expect(isKeyring({ encrypt: ring.encrypt, decrypt: ring.decrypt })).toBe(false)
    expect(isKeyring(null)).toBe(false)
    expect(toHex(new Uint8Array([1]))).toBe('0x01')
  })
})
