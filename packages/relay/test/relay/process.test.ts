/**
 * The `kilt-relay` bin as a real process on SQLite: clean SIGTERM shutdown, and no acknowledged
 * deposit lost to kill -9.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRelayClient } from '@kilt-messaging/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { envelope, makeIdentity } from '../helpers/identities.js'
import { buildRelay, type RelayProcess, startRelayProcess } from '../helpers/process.js'

let dir: string
const running: RelayProcess[] = []

beforeAll(() => {
  buildRelay()
  dir = mkdtempSync(join(tmpdir(), 'kilt-relay-'))
}, 240_000)
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

const LOAD_ENV = {
  KILT_RELAY_LIMIT_IP_REQUESTS_PER_MINUTE: '0',
  KILT_RELAY_LIMIT_SENDER_DEPOSITS_PER_MINUTE: '0',
  KILT_RELAY_LIMIT_MAILBOX_MAX_COUNT: '1000000',
  KILT_RELAY_LOG_LEVEL: 'warn',
}

async function start(db: string): Promise<RelayProcess> {
  const p = await startRelayProcess(['--port', '0', '--host', '127.0.0.1', '--db', db], LOAD_ENV)
  running.push(p)
  return p
}

describe('kilt-relay process (SQLite)', () => {
  it('serves, then shuts down cleanly on SIGTERM with a live socket open', async () => {
    const db = join(dir, 'term.db')
    const relay = await start(db)
    const health = await fetch(`${relay.url}/readyz`)
    expect(health.status).toBe(200)
    const receiver = makeIdentity()
    const client = createRelayClient({ url: relay.url, WebSocket })
    const { id } = await client.send(envelope(makeIdentity(), receiver), { relay: relay.url })
    await client.login({ did: receiver.did, keyUri: receiver.authKeyUri, sign: (d) => receiver.auth.sign(d) })
    let opened = false
    const sub = client.subscribe(() => {}, { onOpen: () => (opened = true), onError: () => {} })
    while (!opened) await new Promise((r) => setTimeout(r, 20))
    relay.child.kill('SIGTERM')
    expect(await relay.exited).toBe(0)
    sub.close()
    // The database was closed cleanly and keeps the message.
    const again = await start(db)
    const c2 = createRelayClient({ url: again.url })
    await c2.login({ did: receiver.did, keyUri: receiver.authKeyUri, sign: (d) => receiver.auth.sign(d) })
    expect((await c2.fetchInbox()).messages.map((m) => m.id)).toEqual([id])
    again.child.kill('SIGINT')
    expect(await again.exited).toBe(0)
  })

  it('delivers every 201-acknowledged deposit after kill -9, exactly once after ack', async () => {
    const db = join(dir, 'kill.db')
    const relay = await start(db)
    const receiver = makeIdentity('sr25519')
    const sender = makeIdentity()
    const acknowledged: string[] = []
    let stop = false
    const worker = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${relay.url}/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(envelope(sender, receiver, 200)),
          })
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id)
          else await res.arrayBuffer()
        } catch {
          return
        }
      }
    }
    const workers = Array.from({ length: 32 }, worker)
    await new Promise((r) => setTimeout(r, 1500))
    relay.child.kill('SIGKILL')
    expect(await relay.exited).toBe('SIGKILL')
    stop = true
    await Promise.all(workers)
    expect(acknowledged.length).toBeGreaterThan(50)

    const after = await start(db)
    const client = createRelayClient({ url: after.url })
    await client.login({ did: receiver.did, keyUri: receiver.authKeyUri, sign: (d) => receiver.auth.sign(d) })
    const listed: string[] = []
    let cursor: string | undefined
    for (;;) {
      const page = await client.fetchInbox({ limit: 500, ...(cursor === undefined ? {} : { after: cursor }) })
      listed.push(...page.messages.map((m) => m.id))
      if (page.messages.length < 500) break
      cursor = page.cursor ?? undefined
    }
    expect(new Set(listed).size).toBe(listed.length)
    const present = new Set(listed)
    const lost = acknowledged.filter((id) => !present.has(id))
    expect(lost).toEqual([])
    for (let i = 0; i < listed.length; i += 1000) await client.ack(listed.slice(i, i + 1000))
    expect((await client.fetchInbox()).messages).toEqual([])
    after.child.kill('SIGTERM')
    expect(await after.exited).toBe(0)
    // Acks are durable too.
    const third = await start(db)
    const c3 = createRelayClient({ url: third.url })
    await c3.login({ did: receiver.did, keyUri: receiver.authKeyUri, sign: (d) => receiver.auth.sign(d) })
    expect((await c3.fetchInbox()).messages).toEqual([])
    third.child.kill('SIGTERM')
    await third.exited
    console.log(
      `kill -9 test: ${acknowledged.length} deposits acknowledged, ${listed.length} found after restart`,
    )
  })

  it('prints usage with --help and refuses unknown flags', async () => {
    const { execFileSync } = await import('node:child_process')
    const { BIN } = await import('../helpers/process.js')
    expect(execFileSync(process.execPath, [BIN, '--help']).toString()).toContain('Usage: kilt-relay')
    expect(() => execFileSync(process.execPath, [BIN, '--nope'], { stdio: 'pipe' })).toThrow()
  })
})
