/**
 * `kilt-msg inbox` acknowledges (deletes at the relay) only messages that can never verify; a
 * message failing for a reason that may pass later stays queued. Freshness tolerates 2 minutes of
 * sender clock skew.
 */
import { createMessage, encryptMessage, randomSigningKeyPair, randomX25519 } from '@kilt-messaging/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { definitiveFailure } from '../../src/commands/relay.js'
import { identityFromKeys } from '../../src/lib/identity.js'
import { build, home, localRelay, ok, run } from './helpers.js'

/** Bob's home with his identity, and a relay, for the tests of the calling `describe`. */
function bobWithRelay() {
  const B = home()
  let did: string | undefined
  beforeAll(async () => {
    build()
    did = JSON.parse(ok(await run(['id', 'new', '--name', 'bob', '--json'], B)).stdout).did
  })
  return {
    B,
    relay: localRelay(B),
    bob: () => {
      if (did === undefined) throw new Error('bob is not made yet')
      return did
    },
  }
}

describe('inbox acknowledges only definitive failures', () => {
  const { B, bob, relay } = bobWithRelay()

  async function deposit(createdAhead: number, tamper = false, senderKeyUri?: string): Promise<string> {
    const sender = identityFromKeys('sender', randomSigningKeyPair('ed25519'), randomX25519())
    const message = createMessage(
      { type: 'reject', content: { message: `ahead ${createdAhead}` } },
      { sender: sender.did, receiver: bob() as never, now: () => Date.now() + createdAhead },
    )
    const envelope = await encryptMessage(message, { keys: sender.keyring })
    const ciphertext = tamper
      ? `${envelope.ciphertext.slice(0, -2)}${envelope.ciphertext.endsWith('00') ? '01' : '00'}`
      : envelope.ciphertext
    const r = await fetch(new URL('v1/messages', `${relay.url()}/`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...envelope, ciphertext, senderKeyUri: senderKeyUri ?? envelope.senderKeyUri }),
    })
    expect(r.status).toBe(201)
    return ((await r.json()) as { id: string }).id
  }

  it('keeps ERR_MESSAGE_FUTURE queued, deletes ERR_DECRYPTION_FAILED, accepts 30 s of skew', async () => {
    const future = await deposit(10 * 60_000)
    const tampered = await deposit(0, true)
    const skewed = await deposit(30_000)
    const first = JSON.parse(
      ok(await run(['inbox', '--as', 'bob', '--relay', relay.url(), '--json'], B)).stdout,
    )
    expect(first.messages.map((m: { relayId: string }) => m.relayId)).toEqual([skewed])
    expect(first.errors).toEqual([
      expect.objectContaining({
        relayId: future,
        error: expect.objectContaining({ code: 'ERR_MESSAGE_FUTURE' }),
        kept: true,
      }),
      expect.objectContaining({
        relayId: tampered,
        error: expect.objectContaining({ code: 'ERR_DECRYPTION_FAILED' }),
        kept: false,
      }),
    ])
    // Only the message that may verify later is still at the relay.
    const second = JSON.parse(
      ok(await run(['inbox', '--as', 'bob', '--relay', relay.url(), '--json'], B)).stdout,
    )
    expect(second.messages).toEqual([])
    expect(second.errors.map((e: { relayId: string }) => e.relayId)).toEqual([future])
    const text = await run(['inbox', '--as', 'bob', '--relay', relay.url()], B)
    expect(text.stderr).toContain('ERR_MESSAGE_FUTURE')
    expect(text.stderr).toContain('kept queued at the relay')
  })

  it('deletes a message whose light-DID sender key can never resolve; reports failures in text mode', async () => {
    const sender = identityFromKeys('other', randomSigningKeyPair('ed25519'), randomX25519())
    const missingKey = `${sender.did}#no-such-key`
    const first = await deposit(0, false, missingKey)
    const r = JSON.parse(ok(await run(['inbox', '--as', 'bob', '--relay', relay.url(), '--json'], B)).stdout)
    expect(r.messages).toEqual([])
    // (The future message of the test before is still queued.)
    expect(r.errors.filter((e: { relayId: string }) => e.relayId === first)).toEqual([
      expect.objectContaining({
        relayId: first,
        error: expect.objectContaining({ code: 'ERR_KEY_NOT_FOUND' }),
        kept: false,
      }),
    ])
    // Deleted at the relay; the future message of the test before is all that is left.
    const again = JSON.parse(
      ok(await run(['inbox', '--as', 'bob', '--relay', relay.url(), '--json'], B)).stdout,
    )
    expect(again.errors.map((e: { error: { code: string } }) => e.error.code)).toEqual(['ERR_MESSAGE_FUTURE'])
    // Text mode: the failures are reported and the run fails; never "no new messages".
    const second = await deposit(0, false, missingKey)
    const text = await run(['inbox', '--as', 'bob', '--relay', relay.url()], B)
    expect(text.code).toBe(4)
    expect(text.stdout).not.toContain('no new messages')
    expect(text.stderr).toContain(`ERR_KEY_NOT_FOUND`)
    expect(text.stderr).toContain(`relay id ${second}; deleted at the relay`)
    expect(text.stderr).toContain('2 messages failed to verify')
  })

  it('classifies codes', () => {
    const light = 'did:kilt:light:004pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B#nope'
    const full = 'did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B#nope'
    for (const code of ['ERR_KEY_NOT_FOUND', 'ERR_KEY_RELATIONSHIP']) {
      expect(definitiveFailure(code, light), code).toBe(true)
      expect(definitiveFailure(code, full), code).toBe(false)
      expect(definitiveFailure(code), code).toBe(false)
    }
    expect(definitiveFailure('ERR_DID_NOT_FOUND', light)).toBe(false)
    for (const code of [
      'ERR_DECRYPTION_FAILED',
      'ERR_ENVELOPE_INVALID',
      'ERR_MESSAGE_INVALID',
      'ERR_MESSAGE_TOO_LARGE',
      'ERR_MESSAGE_REPLAYED',
      'ERR_SENDER_MISMATCH',
      'ERR_RECEIVER_MISMATCH',
      'ERR_BODY_INVALID',
      'ERR_BODY_TYPE_UNKNOWN',
      'ERR_OWNER_MISMATCH',
      'ERR_MESSAGE_STALE',
    ])
      expect(definitiveFailure(code), code).toBe(true)
    for (const code of [
      'ERR_DID_NOT_FOUND',
      'ERR_DID_UPGRADED',
      'ERR_RESOLVER_FAILED',
      'ERR_MESSAGE_FUTURE',
      'ERR_REPLAY_STORE_UNAVAILABLE',
      'ERR_KEY_UNAVAILABLE',
      'ERR_TRANSPORT',
    ])
      expect(definitiveFailure(code), code).toBe(false)
  })
})

describe('inbox notes a replayed message without failing the run', () => {
  const { B, bob, relay } = bobWithRelay()

  async function post(envelope: object): Promise<string> {
    const r = await fetch(new URL('v1/messages', `${relay.url()}/`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope),
    })
    expect(r.status).toBe(201)
    return ((await r.json()) as { id: string }).id
  }

  it('a copy of a message read before is deleted and noted as skipped; exit 0', async () => {
    const sender = identityFromKeys('sender', randomSigningKeyPair('ed25519'), randomX25519())
    const message = createMessage(
      { type: 'reject', content: { message: 'once' } },
      { sender: sender.did, receiver: bob() as never },
    )
    const envelope = await encryptMessage(message, { keys: sender.keyring })
    await post(envelope)
    const first = ok(await run(['inbox', '--as', 'bob', '--relay', relay.url()], B))
    expect(first.stdout).toContain(message.messageId)
    // the same envelope again: an acknowledgement that failed, or somebody depositing a copy
    const copy = await post(envelope)
    const again = await run(['inbox', '--as', 'bob', '--relay', relay.url()], B)
    expect(again.code).toBe(0)
    expect(again.stderr).toContain(
      `skipped ERR_MESSAGE_REPLAYED: already received (relay id ${copy}; deleted at the relay)`,
    )
    expect(again.stderr).not.toContain('failed to verify')
    expect(again.stdout).toContain('no new messages')
    // deleted: nothing is left, and --json still lists it under errors while queued (here: gone)
    const after = JSON.parse(
      ok(await run(['inbox', '--as', 'bob', '--relay', relay.url(), '--json'], B)).stdout,
    )
    expect(after).toMatchObject({ messages: [], errors: [] })
    // a failure next to the replay still fails the run
    const tampered = { ...envelope, ciphertext: `${envelope.ciphertext.slice(0, -2)}00` }
    if (tampered.ciphertext === envelope.ciphertext)
      tampered.ciphertext = `${envelope.ciphertext.slice(0, -2)}01`
    await post(envelope)
    await post(tampered)
    const mixed = await run(['inbox', '--as', 'bob', '--relay', relay.url()], B)
    expect(mixed.code).toBe(4)
    expect(mixed.stderr).toContain('skipped ERR_MESSAGE_REPLAYED')
    expect(mixed.stderr).toContain('1 message failed to verify')
  })
})
