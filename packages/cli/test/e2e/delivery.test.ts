/**
 * A message is recorded as seen (and acknowledged at the relay) only when it was printed: when the
 * output fails (EPIPE, the reader went away), the record is undone and nothing is acknowledged, so
 * a later run shows the message instead of refusing it as a replay.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { aliceToBob, build, home, localRelay, ok, oneLineError, run } from './helpers.js'

describe('delivery and the replay record agree', () => {
  const H = home()
  let message: string

  beforeAll(async () => {
    build()
    message = await aliceToBob(H)
  })

  it('decrypt: a message not printed (EPIPE) is not consumed; a printed one is', async () => {
    const lost = await run(['decrypt', message, '--as', 'bob', '--json'], H, undefined, { closeStdout: true })
    expect(lost.stderr).toBe('')
    expect(lost.code).toBe(1)
    // The retry shows it …
    const shown = ok(await run(['decrypt', message, '--as', 'bob', '--json'], H))
    expect(JSON.parse(shown.stdout).verification.status).toBe('verified')
    // … and that delivery was recorded.
    const again = await run(['decrypt', message, '--as', 'bob', '--json'], H)
    expect(again.code).toBe(4)
    expect(oneLineError(again).code).toBe('ERR_MESSAGE_REPLAYED')
  })

  describe('inbox', () => {
    const relay = localRelay(H)

    /** Sends a message from Alice to Bob through the relay; returns its messageId. */
    async function send(text: string): Promise<string> {
      const r = ok(
        await run(
          [
            'send',
            '--as',
            'alice',
            '--to',
            'bob',
            '--type',
            'reject',
            '--content',
            JSON.stringify({ message: text }),
            '--relay',
            relay.url(),
            '--json',
          ],
          H,
        ),
      )
      return JSON.parse(r.stdout).messageId
    }

    /** The inbox as JSON (acknowledging what it prints). */
    async function inbox(): Promise<{ messages: { messageId: string }[]; errors: unknown[] }> {
      return JSON.parse(ok(await run(['inbox', '--as', 'bob', '--relay', relay.url(), '--json'], H)).stdout)
    }

    for (const [mode, flags] of [
      ['text', []],
      ['--json', ['--json']],
      ['--watch --json', ['--watch', '--json']],
    ] as const)
      it(`${mode}: a message not printed is neither recorded nor acknowledged`, async () => {
        const id = await send(`for ${mode}`)
        const lost = await run(['inbox', '--as', 'bob', '--relay', relay.url(), ...flags], H, undefined, {
          closeStdout: true,
        })
        expect(lost.code).toBe(1)
        expect(lost.stderr).not.toContain('error')
        const retry = await inbox()
        expect(retry.errors).toEqual([])
        expect(retry.messages.map((m) => m.messageId)).toEqual([id])
        // Printed, so acknowledged: nothing is left.
        expect(await inbox()).toMatchObject({ messages: [], errors: [] })
      })
  })
})
