/**
 * `kilt-msg inbox --json` never loses a verified message: the JSON document is printed before
 * anything is acknowledged, and when a page fails after messages were verified (and recorded as
 * seen), the document with those messages is still printed.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, build, home, ok, oneLineError, run } from './helpers.js'

describe('inbox --json when the relay fails', () => {
  const H = home()
  let server: Server
  let url: string
  let envelope: unknown
  /** What fails: the ack, or the second page (with an error, or no answer until the test ends). */
  let failing: 'ack' | 'page' | 'hang' | 'none' = 'ack'
  /** Called when a second page is asked for. */
  let onSecondPage: () => void = () => {}

  /** A `reject` message from Alice to Bob, encrypted by the CLI: its envelope. */
  async function aliceToBobEnvelope(text: string): Promise<unknown> {
    const file = join(H.KILT_MSG_HOME as string, `${text}.json`)
    const content = JSON.stringify({ message: text })
    ok(
      await run(
        ['encrypt', '--as', 'alice', '--to', 'bob', '--type', 'reject', '--content', content, '--out', file],
        H,
      ),
    )
    return JSON.parse(readFileSync(file, 'utf8'))
  }
  /** The ids of each ack request. */
  const acks: unknown[] = []

  beforeAll(async () => {
    build()
    ok(await run(['id', 'new', '--name', 'alice'], H))
    ok(await run(['id', 'new', '--name', 'bob'], H))
    envelope = await aliceToBobEnvelope('important')
    // A minimal relay: any login, one fixed envelope on the first page; acks or the next page fail.
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (d) => {
        body += d
      })
      req.on('end', () => {
        const u = new URL(req.url ?? '/', url)
        const json = (status: number, body: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(JSON.stringify(body))
        }
        const boom = { error: { code: 'ERR_INTERNAL', message: 'boom' } }
        if (u.pathname === '/v1/auth/challenge')
          return json(200, {
            challenge: `kilt-relay-login/v1\n${url}\n${'ab'.repeat(32)}`,
            expiresAt: Date.now() + 60_000,
          })
        if (u.pathname === '/v1/auth/token') return json(200, { token: 't', expiresAt: Date.now() + 900_000 })
        if (u.pathname === '/v1/inbox') {
          if (u.searchParams.get('after') === null)
            return json(200, { messages: [{ id: 'r1', envelope }], cursor: 'r1' })
          onSecondPage()
          if (failing === 'hang') return
          return failing === 'page' ? json(500, boom) : json(200, { messages: [], cursor: null })
        }
        if (u.pathname === '/v1/inbox/ack') {
          acks.push(JSON.parse(body).ids)
          return failing === 'ack' ? json(500, boom) : json(200, { deleted: 1 })
        }
        json(404, { error: { code: 'ERR_NOT_FOUND', message: 'no' } })
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server?.closeAllConnections()
    server?.close()
  })

  it('prints the verified message before acknowledging it; an ack failing then fails the run', async () => {
    failing = 'ack'
    const r = await run(['inbox', '--as', 'bob', '--relay', url, '--json'], H)
    expect(r.code).toBe(5)
    expect(oneLineError(r).code).toBe('ERR_TRANSPORT')
    const out = JSON.parse(r.stdout)
    // printed whole, before the acknowledgement was attempted
    expect(out.error).toBeUndefined()
    expect(out.messages).toHaveLength(1)
    expect(out.messages[0]).toMatchObject({ relayId: 'r1', body: { content: { message: 'important' } } })
    expect(acks).toEqual([['r1']])
  })

  it('prints the verified messages when a later page fails', async () => {
    failing = 'page'
    // --keep: no ack, and a replay guard in memory (the message was recorded as seen above).
    const r = await run(['inbox', '--as', 'bob', '--relay', url, '--json', '--keep'], H)
    expect(r.code).toBe(5)
    const out = JSON.parse(r.stdout)
    expect(out.error.code).toBe('ERR_TRANSPORT')
    expect(out.messages.map((m: { relayId: string }) => m.relayId)).toEqual(['r1'])
  })

  it('a later page failing: the document with "error" is printed, then what it lists is acknowledged', async () => {
    failing = 'page'
    acks.length = 0
    const r = await run(['inbox', '--as', 'bob', '--relay', url, '--json'], H)
    expect(r.code).toBe(5)
    const out = JSON.parse(r.stdout)
    expect(out.error.code).toBe('ERR_TRANSPORT')
    // r1 was printed by the first run (whose ack failed): now a replay, deleted
    expect(out.errors).toEqual([
      expect.objectContaining({
        relayId: 'r1',
        error: expect.objectContaining({ code: 'ERR_MESSAGE_REPLAYED' }),
      }),
    ])
    expect(acks).toEqual([['r1']])
  })

  it('a later run reports the already printed message as a replay', async () => {
    failing = 'none'
    const r = JSON.parse(ok(await run(['inbox', '--as', 'bob', '--relay', url, '--json'], H)).stdout)
    expect(r.messages).toEqual([])
    expect(r.errors.map((e: { error: { code: string } }) => e.error.code)).toEqual(['ERR_MESSAGE_REPLAYED'])
  })

  it('an interrupted run (SIGINT, SIGTERM) takes what it verified but did not print off the record', async () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      // a new message on the first page; the second page does not answer
      envelope = await aliceToBobEnvelope(signal)
      failing = 'hang'
      const asked = new Promise<void>((resolve) => {
        onSecondPage = resolve
      })
      const child = spawn(process.execPath, [BIN, 'inbox', '--as', 'bob', '--relay', url, '--json'], {
        env: { ...process.env, NO_COLOR: '1', ...H },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      child.stdout.on('data', (d) => {
        stdout += d
      })
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
      // the message is verified (recorded as seen) while the run waits for the second page
      await asked
      child.kill(signal)
      expect(await exited).toBe(code)
      expect(stdout).toBe('')
      // the next run shows it: it was not consumed unseen
      failing = 'none'
      onSecondPage = () => {}
      const r = JSON.parse(ok(await run(['inbox', '--as', 'bob', '--relay', url, '--json'], H)).stdout)
      expect(r.errors).toEqual([])
      expect(r.messages).toEqual([
        expect.objectContaining({
          relayId: 'r1',
          body: expect.objectContaining({ content: { message: signal } }),
        }),
      ])
    }
  })
})
