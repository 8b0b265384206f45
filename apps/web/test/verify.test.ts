/**
 * The web inbox's verifier: freshness by the local clock (never the relay's unauthenticated
 * `receivedAt`), and a replay record that survives a reload (a new verifier on the same store).
 */
import {
  createKeyring,
  createLightDid,
  createLightResolver,
  createMessage,
  encryptMessage,
  randomBytes,
  randomSigningKeyPair,
  randomX25519,
  toHex,
} from '@kilt-messaging/core'
import { describe, expect, it } from 'vitest'
import { memorySeenStore } from '../src/seen-store.js'
import { createVerifier, type Opened } from '../src/verify.js'

function party() {
  const ka = randomX25519()
  const doc = createLightDid({
    authentication: [{ type: 'ed25519', publicKey: randomSigningKeyPair('ed25519').publicKey }],
    keyAgreement: [{ type: 'x25519', publicKey: ka.publicKey }],
  })
  const keyUri = `${doc.uri}${doc.keyAgreement?.[0]?.id}` as const
  return { did: doc.uri, keyring: createKeyring([{ keyUri: keyUri as never, secretKey: ka.secretKey }]) }
}

const alice = party()
const bob = party()

async function envelopeAt(createdAt: number, receivedAt?: number) {
  const m = createMessage(
    { type: 'reject', content: { message: 'hi' } },
    { sender: alice.did, receiver: bob.did, now: () => createdAt },
  )
  const e = await encryptMessage(m, { keys: alice.keyring })
  return receivedAt === undefined ? e : { ...e, receivedAt }
}

const check = (o: Opened, label: string) =>
  o.status === 'rejected' ? undefined : o.checks.find((c) => c.label === label)

describe('web verifier', () => {
  const T = 1_700_000_000_000

  it('judges freshness by the local clock, not by the relay-set receivedAt', async () => {
    const verify = createVerifier(bob.keyring)
    // A week-old message re-deposited: the relay (or an attacker) sets receivedAt next to createdAt.
    const old = await verify(await envelopeAt(T, T + 1000), 'R1', T + 8 * 86_400_000)
    expect(old.status).toBe('warn')
    expect(check(old, 'Freshness')).toMatchObject({ ok: false, code: 'ERR_MESSAGE_STALE' })
    // A fresh message with a receivedAt far away is still fresh.
    const fresh = await verify(await envelopeAt(T, T - 30 * 86_400_000), 'R2', T + 60_000)
    expect(check(fresh, 'Freshness')).toMatchObject({ ok: true })
    // 90 s of sender clock skew is tolerated, 3 minutes is not.
    expect(check(await verify(await envelopeAt(T + 90_000), 'R3', T), 'Freshness')?.ok).toBe(true)
    expect(check(await verify(await envelopeAt(T + 180_000), 'R4', T), 'Freshness')).toMatchObject({
      ok: false,
      code: 'ERR_MESSAGE_FUTURE',
    })
  })

  it('remembers seen messages across verifiers on one store (a reload), by relay id and ack', async () => {
    const seen = memorySeenStore()
    const envelope = await envelopeAt(T)
    const first = await createVerifier(bob.keyring, seen)(envelope, 'R1', T + 1000)
    expect(first.status).toBe('ok')
    // After a reload: the same relay message, still queued, is not a replay…
    const reloaded = createVerifier(bob.keyring, seen)
    const again = await reloaded(envelope, 'R1', T + 2000)
    expect(again.status).toBe('ok')
    // …a copy deposited again under a new relay id is.
    const copy = await reloaded(envelope, 'R2', T + 3000)
    expect(copy.status).toBe('warn')
    expect(check(copy, 'Replay')).toMatchObject({ ok: false, code: 'ERR_MESSAGE_REPLAYED' })
    // Once acknowledged, even the same relay id is a replay.
    if (first.status === 'rejected') throw new Error('unreachable')
    await reloaded.acked(first.decrypted)
    expect(check(await reloaded(envelope, 'R1', T + 4000), 'Replay')?.ok).toBe(false)
  })

  it('a body that is not an object with a string type is rejected (ERR_BODY_INVALID), never shown as a message', async () => {
    const verify = createVerifier(bob.keyring)
    const bobKey = await createLightResolver().resolveKey(`${bob.did}#encryption`, 'keyAgreement')
    for (const body of [null, 42, 'x', [], {}, { type: 7 }]) {
      const plain = {
        body,
        createdAt: T,
        sender: alice.did,
        receiver: bob.did,
        messageId: `0x${String(body)}`,
      }
      const nonce = randomBytes(24)
      const box = await alice.keyring.sealFor(
        `${alice.did}#encryption`,
        bobKey.publicKey,
        new TextEncoder().encode(JSON.stringify(plain)),
        nonce,
      )
      const envelope = {
        ciphertext: toHex(box),
        nonce: toHex(nonce),
        senderKeyUri: `${alice.did}#encryption`,
        receiverKeyUri: `${bob.did}#encryption`,
      }
      const o = await verify(envelope, `R-${JSON.stringify(body)}`, T)
      expect(o, JSON.stringify(body)).toMatchObject({ status: 'rejected', code: 'ERR_BODY_INVALID' })
    }
  })
})
