/**
 * The `kilt-relay` bin as a real process on SQLite: clean SIGTERM shutdown, and no acknowledged
 * deposit lost to kill -9.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRelayClient } from '@kilt-messaging/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { envelope, makeIdentity } from '../helpers/identities.js'
import { BIN, buildRelay, type RelayProcess, ROOT, startRelayProcess } from '../helpers/process.js'

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

  /** Runs the bin to its exit; returns the exit code and the lines it wrote on stderr. */
  function runBin(
    args: string[],
    env: Record<string, string> = {},
  ): { status: number | null; lines: string[] } {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    })
    return { status: r.status, lines: r.stderr.split('\n').filter((l) => l !== '') }
  }

  it('refuses a bad config with one line naming its source and exit 1, before opening the store', () => {
    const db = join(dir, 'refused.db')
    const zero = runBin(['--port', '0', '--db', db], { KILT_RELAY_LIMIT_MAX_BATCH: '0' })
    expect(zero.status).toBe(1)
    expect(zero.lines).toEqual([
      'kilt-relay: KILT_RELAY_LIMIT_MAX_BATCH: "limits.maxBatch" must be a positive integer',
    ])
    expect(existsSync(db)).toBe(false)
    const proxy = runBin(['--port', '0', '--db', db], { KILT_RELAY_TRUST_PROXY: 'yes' })
    expect(proxy.status).toBe(1)
    expect(proxy.lines).toEqual([
      'kilt-relay: KILT_RELAY_TRUST_PROXY: "trustProxy" must be a boolean or comma-separated proxy addresses (IP, IP/prefix, loopback, ...)',
    ])
    const flag = runBin(['--nope'])
    expect(flag.status).toBe(1)
    expect(flag.lines).toEqual(["kilt-relay: Unknown option '--nope' (kilt-relay --help lists the flags)"])
    expect(existsSync(db)).toBe(false)
  })

  it('closes the store when the relay cannot start (address in use): one line, exit 1', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const address = taken.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    try {
      const db = join(dir, 'busy.db')
      const r = runBin(['--port', String(port), '--host', '127.0.0.1', '--db', db], {
        KILT_RELAY_LOG_LEVEL: 'silent',
      })
      expect(r.status).toBe(1)
      expect(r.lines).toHaveLength(1)
      expect(r.lines[0]).toMatch(/^kilt-relay: .*EADDRINUSE/)
      // The store was opened (and initialised) and then closed: SQLite removes its WAL on close.
      expect(existsSync(db)).toBe(true)
      expect(readdirSync(dir).filter((f) => f.startsWith('busy.db'))).toEqual(['busy.db'])
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })
})
