import { inspect } from 'node:util'
import nacl from 'tweetnacl'
import { describe, expect, it } from 'vitest'
import { createSharedKeyCache, loadBoxBackend, nobleBackend, randomBytes } from '../../src/crypto/index.js'
import type { BoxBackend } from '../../src/crypto/types.js'
import { MessagingError } from '../../src/errors.js'

/** A backend that counts beforenm calls and derives a cheap distinct fake key per peer. */
function countingBackend(): BoxBackend & { calls: number } {
  const b = {
    ...nobleBackend,
    name: 'counting',
    calls: 0,
    beforenm(peer: Uint8Array) {
      b.calls++
      const k = peer.slice()
      k[0] = k[0]! ^ 0xff
      return k
    },
  }
  return b
}

const peerKey = (i: number): Uint8Array => {
  const p = new Uint8Array(32)
  new DataView(p.buffer).setUint32(0, i)
  return p
}

/** A counting backend, a default cache, an own secret and peer key `i`. */
function setup(i: number) {
  return { b: countingBackend(), cache: createSharedKeyCache(), own: randomBytes(32), peer: peerKey(i) }
}

describe('createSharedKeyCache', () => {
  it('a peer key array changed in place between calls is looked up by its new bytes', () => {
    const { b, cache, own, peer } = setup(1)
    const k1 = cache.get('a', own, peer, b)
    expect(cache.get('a', own, peer, b)).toBe(k1)
    expect(b.calls).toBe(1)
    peer[31] = 9 // same object, other key
    const k2 = cache.get('a', own, peer, b)
    expect(b.calls).toBe(2)
    expect(k2).not.toEqual(k1)
    expect(k2).toEqual(countingBackend().beforenm(peerKey(1).fill(9, 31), own))
    peer[31] = 0 // back to the first key: the cached answer for those bytes
    expect(cache.get('a', own, peer, b)).toBe(k1)
    expect(cache.get('a', own, peerKey(1), b)).toBe(k1)
    // Other own ids never share the entry.
    cache.get('b', own, peer, b)
    expect(b.calls).toBe(3)
  })

  it('a peer key array changed in place right after its first use is looked up by its new bytes', () => {
    const { b, cache, own, peer } = setup(7)
    const k1 = cache.get('a', own, peer, b)
    peer[0] = 0xff // before any second use of this array
    const k2 = cache.get('a', own, peer, b)
    expect(b.calls).toBe(2)
    expect(k2).not.toEqual(k1)
    expect(cache.get('a', own, peer, b)).toBe(k2)
    peer[0] = 0 // the first key again
    expect(cache.get('a', own, peer, b)).toBe(k1)
    expect(b.calls).toBe(2)
  })

  it('computes once per (own id, peer) and matches nacl.box.before', async () => {
    const sodiumOrNode = (await loadBoxBackend('sodium')) ?? (await loadBoxBackend('node'))!
    const cache = createSharedKeyCache()
    expect(cache.maxEntries).toBe(4096)
    const sk = randomBytes(32)
    const peer = nacl.box.keyPair().publicKey
    const k1 = cache.get('me', sk, peer, sodiumOrNode)
    expect(k1).toEqual(nacl.box.before(peer, sk))
    expect(cache.get('me', sk, peer, sodiumOrNode)).toBe(k1)
    expect(cache.size).toBe(1)
    cache.get('other', randomBytes(32), peer, sodiumOrNode)
    expect(cache.size).toBe(2)
    cache.clear()
    expect(cache.size).toBe(0)
  })

  it('stays within its bound for 10k distinct peers (max 1000), keeps the newest 500 and what is in use', () => {
    const b = countingBackend()
    const cache = createSharedKeyCache({ maxEntries: 1000 })
    const sk = new Uint8Array(32)
    const hot = peerKey(-1)
    cache.get('me', sk, hot, b)
    for (let i = 0; i < 10_000; i++) {
      cache.get('me', sk, peerKey(i), b)
      if (i % 100 === 0) cache.get('me', sk, hot, b)
      if (i % 997 === 0) expect(cache.size).toBeLessThanOrEqual(1000)
    }
    expect(cache.size).toBeLessThanOrEqual(1000)
    expect(cache.size).toBeGreaterThanOrEqual(500)
    expect(b.calls).toBe(10_001)
    // the key used every 100 insertions is still cached; the oldest were evicted
    cache.get('me', sk, hot, b)
    expect(b.calls).toBe(10_001)
    cache.get('me', sk, peerKey(0), b)
    expect(b.calls).toBe(10_002)
    // without uses in between, the newest 500 (9500…9999) are cached
    const c2 = createSharedKeyCache({ maxEntries: 1000 })
    const b2 = countingBackend()
    for (let i = 0; i < 10_000; i++) c2.get('me', sk, peerKey(i), b2)
    for (let i = 9500; i < 10_000; i++) c2.get('me', sk, peerKey(i), b2)
    expect(b2.calls).toBe(10_000)
  })

  it('a single peer, then more: every key computed once, the bound kept, clear forgets all', () => {
    for (const max of [1, 2, 3, 8]) {
      const b = countingBackend()
      const cache = createSharedKeyCache({ maxEntries: max })
      const sk = new Uint8Array(32)
      const want = countingBackend().beforenm(peerKey(7), sk)
      for (let r = 0; r < 3; r++) expect(cache.get('me', sk, peerKey(7), b)).toEqual(want)
      expect(cache.size).toBe(1)
      expect(b.calls).toBe(1)
      b.calls = 0
      // a second and third peer: the first moves into the LRU, nothing is computed twice while cached
      cache.get('me', sk, peerKey(8), b)
      cache.get('me', sk, peerKey(7), b)
      cache.get('me', sk, peerKey(8), b)
      // (a bound below 3 keeps one key: the two generations of the LRU hold ⌊(max+1)/2⌋ each)
      expect(b.calls).toBe(max >= 3 ? 1 : 3)
      for (let i = 0; i < 50; i++) cache.get('me', sk, peerKey(100 + i), b)
      expect(cache.size).toBeLessThanOrEqual(max)
      expect(cache.size).toBeGreaterThanOrEqual(Math.ceil(max / 2))
      cache.clear()
      expect(cache.size).toBe(0)
      b.calls = 0
      cache.get('me', sk, peerKey(7), b)
      expect(b.calls).toBe(1)
      expect(cache.size).toBe(1)
    }
  })

  it('dedupes concurrent async computations and drops failures', async () => {
    let calls = 0
    const asyncB: BoxBackend = {
      ...nobleBackend,
      beforenm: async (peer) => {
        calls++
        if (peer[0] === 0xee) throw new MessagingError('ERR_KEY_INVALID', 'nope')
        return peer.slice()
      },
    }
    const cache = createSharedKeyCache({ maxEntries: 10 })
    const sk = new Uint8Array(32)
    const [a, b] = await Promise.all([
      cache.get('me', sk, peerKey(1), asyncB),
      cache.get('me', sk, peerKey(1), asyncB),
    ])
    expect(a).toBe(b)
    expect(calls).toBe(1)
    expect(cache.get('me', sk, peerKey(1), asyncB)).toBe(a) // sync on a hit
    const bad = new Uint8Array(32).fill(0xee)
    await expect(cache.get('me', sk, bad, asyncB)).rejects.toThrow(MessagingError)
    await expect(cache.get('me', sk, bad, asyncB)).rejects.toThrow(MessagingError)
    expect(calls).toBe(3)
    expect(cache.size).toBe(1)
    // clear() while computing: the late result is not inserted
    const pending = cache.get('me', sk, peerKey(2), asyncB)
    cache.clear()
    await pending
    expect(cache.size).toBe(0)
  })

  it('validates its arguments and never exposes keys', () => {
    for (const maxEntries of [0, -1, 1.5, 2 ** 25, Number.NaN])
      expect(() => createSharedKeyCache({ maxEntries })).toThrow(MessagingError)
    const cache = createSharedKeyCache({ maxEntries: 2 })
    const b = countingBackend()
    expect(() => cache.get('', new Uint8Array(32), peerKey(1), b)).toThrow(MessagingError)
    expect(() => cache.get('me', new Uint8Array(32), new Uint8Array(31), b)).toThrow(MessagingError)
    expect(() => cache.get('me', new Uint8Array(32), peerKey(1), null as never)).toThrow(MessagingError)
    const key = cache.get('me', new Uint8Array(32), peerKey(77), b) as Uint8Array
    const text = `${JSON.stringify(cache)} ${inspect(cache, { showHidden: true })}`
    expect(text).not.toContain(Buffer.from(key).toString('hex'))
    expect(text).not.toContain(Array.from(key).join(', '))
    expect(JSON.parse(JSON.stringify(cache))).toEqual({ type: 'SharedKeyCache', size: 1, maxEntries: 2 })
  })
})
