import { describe, expect, it } from 'vitest'
import { nobleBackend } from '../../src/crypto/index.js'
import type { BoxBackend } from '../../src/crypto/types.js'
import { createKeyring } from '../../src/keys/keyring.js'
import { createMessage } from '../../src/message/create-message.js'
import { decryptMessage } from '../../src/message/decrypt-message.js'
import { encryptMessage } from '../../src/message/encrypt-message.js'
import { freshIdentity } from './helpers.js'

const body = {
  type: 'request-terms',
  content: { cTypeHash: `0x${'ab'.repeat(32)}`, contents: { note: 'hi' } },
}

/** The noble backend, recording the arrays the keyring hands it. */
function recording(): { backend: BoxBackend; sealed: Uint8Array[]; opened: Uint8Array[] } {
  const sealed: Uint8Array[] = []
  const opened: Uint8Array[] = []
  const backend: BoxBackend = {
    name: 'recording',
    publicKey: (s) => nobleBackend.publicKey(s),
    beforenm: (p, s) => nobleBackend.beforenm(p, s),
    sealAfternm(plaintext, nonce, key, out) {
      sealed.push(plaintext)
      const box = nobleBackend.sealAfternm(plaintext, nonce, key)
      if (out === undefined) return box
      out.set(box)
      return out
    },
    openAfternm(box, nonce, key, out) {
      const plain = nobleBackend.openAfternm(box, nonce, key)
      if (plain === null || out === undefined) return plain
      out.set(plain)
      opened.push(out)
      return out
    },
  }
  return { backend, sealed, opened }
}

describe('plaintext temporaries of the keyring path', () => {
  it('are wiped once encryptMessage and decryptMessage are done', async () => {
    const alice = freshIdentity('tmp-a')
    const bob = freshIdentity('tmp-b')
    const a = recording()
    const b = recording()
    const aliceRing = createKeyring([{ keyUri: alice.keyUri, secretKey: alice.secretKey }], {
      backend: a.backend,
    })
    const bobRing = createKeyring([{ keyUri: bob.keyUri, secretKey: bob.secretKey }], { backend: b.backend })
    const message = createMessage(body, { sender: alice.did, receiver: bob.did })
    const envelope = await encryptMessage(message, { keys: aliceRing, receiverKeyUri: bob.keyUri })
    const out = await decryptMessage(envelope, { keys: bobRing, replay: false })
    expect(out.message.body).toEqual(body)
    expect(a.sealed).toHaveLength(1)
    expect(a.sealed[0]!.length).toBeGreaterThan(100)
    expect(a.sealed[0]!.every((x) => x === 0)).toBe(true)
    expect(b.opened).toHaveLength(1)
    expect(b.opened[0]!.every((x) => x === 0)).toBe(true)
  })

  it('are wiped when decryption fails after opening', async () => {
    const alice = freshIdentity('tmp-c')
    const bob = freshIdentity('tmp-d')
    const b = recording()
    const bobRing = createKeyring([{ keyUri: bob.keyUri, secretKey: bob.secretKey }], { backend: b.backend })
    // stale: refused at the freshness step, after the plaintext was parsed
    const message = createMessage(body, { sender: alice.did, receiver: bob.did, now: () => 1_000 })
    const envelope = await encryptMessage(message, { keys: alice.keyring(), receiverKeyUri: bob.keyUri })
    await expect(decryptMessage(envelope, { keys: bobRing, replay: false })).rejects.toMatchObject({
      code: 'ERR_MESSAGE_STALE',
    })
    expect(b.opened).toHaveLength(1)
    expect(b.opened[0]!.every((x) => x === 0)).toBe(true)
  })

  it('a KILT decrypt callback gets its own box and nonce arrays, not views of shared memory', async () => {
    const alice = freshIdentity('tmp-e')
    const bob = freshIdentity('tmp-f')
    const bobRing = bob.keyring()
    const message = createMessage(body, { sender: alice.did, receiver: bob.did })
    const envelope = await encryptMessage(message, { keys: alice.keyring(), receiverKeyUri: bob.keyUri })
    const seen: Uint8Array[] = []
    const nonces: Uint8Array[] = []
    const out = await decryptMessage(envelope, {
      keys: {
        decrypt: async (req) => {
          seen.push(req.data)
          nonces.push(req.nonce)
          return bobRing.decrypt(req)
        },
      },
      replay: false,
    })
    expect(out.message.messageId).toBe(message.messageId)
    expect(seen[0]!.byteOffset).toBe(0)
    expect(seen[0]!.buffer.byteLength).toBe(seen[0]!.length)
    expect(nonces[0]!.length).toBe(24)
    expect(nonces[0]!.byteOffset).toBe(0)
    expect(nonces[0]!.buffer.byteLength).toBe(24)
    expect(`0x${Buffer.from(nonces[0]!).toString('hex')}`).toBe(envelope.nonce)
  })

  it('nonces of consecutive envelopes are distinct (pool regions are never handed out twice)', async () => {
    const alice = freshIdentity('tmp-g')
    const bob = freshIdentity('tmp-h')
    const keys = alice.keyring()
    const seen = new Set<string>()
    // more than one pool (256 nonces each)
    for (let i = 0; i < 600; i++) {
      const m = createMessage(body, { sender: alice.did, receiver: bob.did })
      seen.add((await encryptMessage(m, { keys, receiverKeyUri: bob.keyUri })).nonce)
    }
    expect(seen.size).toBe(600)
  })
})
