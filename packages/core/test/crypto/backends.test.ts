import fc from 'fast-check'
import nacl from 'tweetnacl'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  availableBoxBackends,
  getBoxBackend,
  loadBoxBackend,
  nobleBackend,
  open,
  randomBytes,
  seal,
  setBoxBackend,
} from '../../src/crypto/index.js'
import type { BoxBackend } from '../../src/crypto/types.js'
import { isMessagingError, MessagingError } from '../../src/errors.js'
import { fromHex, utf8 } from '../../src/lib/bytes.js'
import { thrownCode } from '../helpers/expect-error.js'

let backends: BoxBackend[] = []
beforeAll(async () => {
  backends = await availableBoxBackends()
})

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const nonce24 = fc.uint8Array({ minLength: 24, maxLength: 24 })
const data = fc.uint8Array({ maxLength: 600 })

/** Low-order points of Curve25519 (u-coordinates), as listed by libsodium's blacklist. */
const LOW_ORDER = [
  '0x0000000000000000000000000000000000000000000000000000000000000000',
  '0x0100000000000000000000000000000000000000000000000000000000000000',
  '0xe0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '0x5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  '0xecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0xedffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0xeeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => fromHex(h))

describe('backend selection', () => {
  afterEach(() => setBoxBackend(undefined))

  it('finds noble, node and webcrypto in Node (and sodium when installed)', () => {
    const names = backends.map((b) => b.name)
    expect(names).toContain('noble')
    expect(names).toContain('node')
    expect(names).toContain('webcrypto')
  })

  it('picks the first available backend, memoized', async () => {
    const a = await getBoxBackend()
    expect(a).toBe(await getBoxBackend())
    expect(a.name).toBe(backends[0]!.name)
    expect((await getBoxBackend({ prefer: ['webcrypto', 'node'] })).name).toBe('webcrypto')
    expect((await getBoxBackend({ prefer: [] })).name).toBe('noble')
  })

  it('setBoxBackend overrides and restores', async () => {
    setBoxBackend(nobleBackend)
    expect(await getBoxBackend()).toBe(nobleBackend)
    setBoxBackend(undefined)
    expect(await getBoxBackend()).toBe(backends[0])
  })

  it('rejects bad options', () => {
    expect(() => getBoxBackend({ prefer: ['nope' as 'noble'] })).toThrow(MessagingError)
    expect(() => getBoxBackend({ prefer: 'noble' as unknown as ['noble'] })).toThrow(MessagingError)
    expect(() => setBoxBackend({} as BoxBackend)).toThrow(MessagingError)
    expect(() => loadBoxBackend('x' as 'noble')).toThrow(MessagingError)
  })
})

describe.each(['noble', 'node', 'webcrypto', 'sodium'] as const)('%s backend', (name) => {
  let b: BoxBackend
  beforeAll(async () => {
    const loaded = await loadBoxBackend(name)
    if (loaded === undefined && name !== 'sodium') throw new Error(`${name} should be available in Node`)
    b = loaded ?? nobleBackend
  })

  it('§11.3 sharedKeyNaclBoxBefore, both directions', async () => {
    const expected = fromHex('0xc0a490c575f177666cc932956ca39449b46a0594e80fae2717ae8c75e13ba491')
    const senderSecret = new Uint8Array(32).fill(0x22)
    const receiverSecret = new Uint8Array(32).fill(0x44)
    const senderPub = fromHex('0x0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20')
    const receiverPub = fromHex('0xff2ee45601ec1b67310c7790404585ae697331eee1c1f8cf2419731c1fff3e6b')
    expect(await b.publicKey(senderSecret)).toEqual(senderPub)
    expect(await b.publicKey(receiverSecret)).toEqual(receiverPub)
    expect(await b.beforenm(senderPub, receiverSecret)).toEqual(expected)
    expect(await b.beforenm(receiverPub, senderSecret)).toEqual(expected)
  })

  it('§11.1 docs example nacl.box.before', async () => {
    const attesterPub = fromHex('0xd41f943413e3ca5d5ba49b6f032a4df20f3b5acb6f7cc33ae6052bf044582256')
    const claimerSecret = fromHex('0x908a9aaa4db3a0440b42722976bd241705c5b0ce50d71ecb23f1caf9e5b22c3a')
    expect(await b.beforenm(attesterPub, claimerSecret)).toEqual(
      fromHex('0x0c17ad1eaa3e6662b25c65493b86f9e30cb2e0c9e773c88e64e82444bd6c1f63'),
    )
  })

  it('matches tweetnacl box / box.before / box.open on random inputs', async () => {
    await fc.assert(
      fc.asyncProperty(key32, key32, nonce24, data, async (skA, skB, nonce, msg) => {
        const pkB = nacl.box.keyPair.fromSecretKey(skB).publicKey
        expect(await b.publicKey(skB)).toEqual(pkB)
        const key = await b.beforenm(pkB, skA)
        expect(key).toEqual(nacl.box.before(pkB, skA))
        const box = b.sealAfternm(msg, nonce, key)
        expect(box).toEqual(nacl.box(msg, nonce, pkB, skA))
        const pkA = nacl.box.keyPair.fromSecretKey(skA).publicKey
        expect(b.openAfternm(box, nonce, await b.beforenm(pkA, skB))).toEqual(msg)
        expect(await open(box, nonce, pkA, skB, b)).toEqual(msg)
        expect(await seal(msg, nonce, pkB, skA, b)).toEqual(box)
      }),
      { numRuns: name === 'noble' ? 15 : 40 },
    )
  })

  it('agrees with tweetnacl on arbitrary 32-byte peer keys (top bit, non-canonical)', async () => {
    await fc.assert(
      fc.asyncProperty(key32, key32, async (sk, peer) => {
        let expected: Uint8Array | undefined
        try {
          expected = nacl.box.before(peer, sk)
        } catch {
          expected = undefined
        }
        const isZero = expected === undefined || nacl.scalarMult(sk, peer).every((x) => x === 0)
        if (isZero) await expect(async () => b.beforenm(peer, sk)).rejects.toThrow(MessagingError)
        else expect(await b.beforenm(peer, sk)).toEqual(expected)
      }),
      { numRuns: name === 'noble' ? 10 : 40 },
    )
    const sk = randomBytes(32)
    const high = randomBytes(32)
    high[31] = high[31]! | 0x80
    expect(await b.beforenm(high, sk)).toEqual(nacl.box.before(high, sk))
  })

  it('tampering, truncation, wrong nonce and wrong key give null', async () => {
    const sk = randomBytes(32)
    const peer = nacl.box.keyPair().publicKey
    const key = await b.beforenm(peer, sk)
    const nonce = randomBytes(24)
    const msg = utf8('hello kilt')
    const box = b.sealAfternm(msg, nonce, key)
    for (let i = 0; i < box.length; i++) {
      const t = box.slice()
      t[i] = t[i]! ^ 0x01
      expect(b.openAfternm(t, nonce, key)).toBeNull()
    }
    expect(b.openAfternm(box.subarray(0, box.length - 1), nonce, key)).toBeNull()
    expect(b.openAfternm(box.subarray(0, 15), nonce, key)).toBeNull()
    expect(b.openAfternm(new Uint8Array(0), nonce, key)).toBeNull()
    const n2 = nonce.slice()
    n2[23] = n2[23]! ^ 0x80
    expect(b.openAfternm(box, n2, key)).toBeNull()
    const k2 = key.slice()
    k2[0] = k2[0]! ^ 1
    expect(b.openAfternm(box, nonce, k2)).toBeNull()
    // empty plaintext is valid
    expect(b.openAfternm(b.sealAfternm(new Uint8Array(0), nonce, key), nonce, key)).toEqual(new Uint8Array(0))
  })

  it('rejects low-order peer keys with ERR_KEY_INVALID', async () => {
    const sk = randomBytes(32)
    for (const p of LOW_ORDER) {
      let err: unknown
      try {
        await b.beforenm(p, sk)
      } catch (e) {
        err = e
      }
      expect(isMessagingError(err, 'ERR_KEY_INVALID')).toBe(true)
    }
  })

  it('rejects wrong lengths and types with MessagingError', async () => {
    const sk = randomBytes(32)
    const pk = nacl.box.keyPair().publicKey
    const key = await b.beforenm(pk, sk)
    expect(thrownCode(() => b.beforenm(pk.subarray(1), sk))).toBe('ERR_KEY_INVALID')
    expect(thrownCode(() => b.beforenm(pk, new Uint8Array(31)))).toBe('ERR_KEY_INVALID')
    expect(thrownCode(() => b.beforenm('0x00' as unknown as Uint8Array, sk))).toBe('ERR_KEY_INVALID')
    expect(thrownCode(() => b.publicKey(new Uint8Array(33)))).toBe('ERR_KEY_INVALID')
    expect(thrownCode(() => b.sealAfternm(new Uint8Array(1), new Uint8Array(12), key))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(thrownCode(() => b.sealAfternm([1] as unknown as Uint8Array, new Uint8Array(24), key))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(thrownCode(() => b.sealAfternm(new Uint8Array(1), new Uint8Array(24), key.subarray(1)))).toBe(
      'ERR_KEY_INVALID',
    )
    expect(thrownCode(() => b.openAfternm(new Uint8Array(20), new Uint8Array(25), key))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    expect(thrownCode(() => b.openAfternm(null as unknown as Uint8Array, new Uint8Array(24), key))).toBe(
      'ERR_ARGUMENT_INVALID',
    )
    await expect(seal(new Uint8Array(1), new Uint8Array(24), pk, sk.subarray(2), b)).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
    await expect(open(new Uint8Array(1), new Uint8Array(23), pk, sk, b)).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
    })
  })

  it('never puts secret bytes into errors', async () => {
    const sk = new Uint8Array(32).fill(0xab)
    try {
      await b.beforenm(new Uint8Array(32), sk)
      expect.unreachable()
    } catch (e) {
      const text = `${String(e)} ${JSON.stringify(e)} ${(e as Error).stack ?? ''}`
      expect(text).not.toMatch(/abab|171,171/)
    }
  })

  it('a rewritten secret array is never served from the imported-key memo', async () => {
    const sk = randomBytes(32)
    const peer = nacl.box.keyPair().publicKey
    expect(await b.beforenm(peer, sk)).toEqual(nacl.box.before(peer, sk))
    sk.set(randomBytes(32))
    expect(await b.beforenm(peer, sk)).toEqual(nacl.box.before(peer, sk))
    b.forgetSecret?.(sk)
    expect(await b.beforenm(peer, sk)).toEqual(nacl.box.before(peer, sk))
  })
})

describe('every backend agrees with every other', () => {
  it('same shared keys and boxes', async () => {
    await fc.assert(
      fc.asyncProperty(key32, key32, nonce24, data, async (sk, skPeer, nonce, msg) => {
        const peer = nacl.box.keyPair.fromSecretKey(skPeer).publicKey
        const fast = backends.filter((b) => b.name !== 'noble')
        const ref = await fast[0]!.beforenm(peer, sk)
        const refBox = fast[0]!.sealAfternm(msg, nonce, ref)
        for (const b of fast) {
          expect(await b.beforenm(peer, sk)).toEqual(ref)
          expect(b.sealAfternm(msg, nonce, ref)).toEqual(refBox)
          expect(b.openAfternm(refBox, nonce, ref)).toEqual(msg)
        }
      }),
      { numRuns: 30 },
    )
  })
})

describe('randomBytes', () => {
  it('returns the requested length, chunked above 65536', () => {
    expect(randomBytes(0)).toEqual(new Uint8Array(0))
    expect(randomBytes(24)).toHaveLength(24)
    const big = randomBytes(200_000)
    expect(big).toHaveLength(200_000)
    // the last chunk is filled too (all-zero 4 KiB tail has probability 2^-32768)
    expect(big.subarray(196_000).some((x) => x !== 0)).toBe(true)
    expect(randomBytes(32)).not.toEqual(randomBytes(32))
  })
  it('rejects bad sizes', () => {
    for (const n of [-1, 1.5, Number.NaN, 2 ** 31, '3' as unknown as number])
      expect(() => randomBytes(n)).toThrow(MessagingError)
  })
})

describe('node backend internals', () => {
  it('falls back to PKCS#8 DER when a runtime refuses a JWK private key with a placeholder x', async () => {
    const nc = await import('node:crypto')
    const { nodeBackendFrom } = await import('../../src/crypto/lib/node.js')
    let jwkAttempts = 0
    const strict = {
      createPublicKey: nc.createPublicKey,
      diffieHellman: nc.diffieHellman,
      createPrivateKey: (input: { format: string }) => {
        if (input.format === 'jwk') {
          jwkAttempts++
          throw new Error('x does not match d')
        }
        return nc.createPrivateKey(input as never)
      },
    }
    const b = nodeBackendFrom(strict as never)
    for (let i = 0; i < 3; i++) {
      const sk = randomBytes(32)
      const peer = nacl.box.keyPair().publicKey
      expect(b.beforenm(peer, sk)).toEqual(nacl.box.before(peer, sk))
    }
    expect(jwkAttempts).toBe(1)
  })
})

describe('sealAfternm / openAfternm with an output array', () => {
  it('give the same bytes as without, in every backend, and check the output length', async () => {
    const all = await availableBoxBackends()
    fc.assert(
      fc.property(key32, nonce24, data, (key, nonce, plaintext) => {
        for (const b of all) {
          const expected = b.sealAfternm(plaintext, nonce, key)
          const box = b.sealAfternm(plaintext, nonce, key, new Uint8Array(plaintext.length + 16))
          expect(Buffer.from(box).equals(Buffer.from(expected))).toBe(true)
          const opened = b.openAfternm(box, nonce, key, new Uint8Array(plaintext.length))
          expect(opened && Buffer.from(opened).equals(Buffer.from(plaintext))).toBe(true)
          const tampered = box.slice()
          tampered[0]! ^= 1
          expect(b.openAfternm(tampered, nonce, key, new Uint8Array(plaintext.length))).toBeNull()
          expect(
            thrownCode(() => b.sealAfternm(plaintext, nonce, key, new Uint8Array(plaintext.length))),
          ).toBe('ERR_ARGUMENT_INVALID')
          expect(thrownCode(() => b.openAfternm(box, nonce, key, new Uint8Array(box.length)))).toBe(
            'ERR_ARGUMENT_INVALID',
          )
        }
      }),
      { numRuns: 30 },
    )
  })

  it('sodium writes into the given array', async () => {
    const sodium = (await availableBoxBackends()).find((b) => b.name === 'sodium')
    if (sodium === undefined) return // optional accelerator not installed
    const key = randomBytes(32)
    const nonce = randomBytes(24)
    const out = new Uint8Array(21)
    expect(sodium.sealAfternm(utf8('hello'), nonce, key, out)).toBe(out)
    const back = new Uint8Array(5)
    expect(sodium.openAfternm(out, nonce, key, back)).toBe(back)
    expect(Buffer.from(back).toString()).toBe('hello')
  })
})
