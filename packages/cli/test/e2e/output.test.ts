/**
 * Output edge cases: a reader that goes away (EPIPE) and unauthenticated envelope fields that no
 * date can show.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { aliceToBob, build, home, ok, run } from './helpers.js'

describe('output', () => {
  const H = home()
  let message: string

  beforeAll(async () => {
    build()
    message = await aliceToBob(H)
  })

  it('a closed output pipe (EPIPE) ends the run quietly with exit code 1, no stack', async () => {
    for (const args of [['--help'], ['decrypt', message, '--as', 'bob', '--json', '--allow-replay']]) {
      const r = await run(args, H, undefined, { closeStdout: true })
      expect(r.stderr, args.join(' ')).toBe('')
      expect(r.code, args.join(' ')).toBe(1)
    }
  })

  it('inspect shows a receivedAt no date can hold as invalid, without failing', async () => {
    const envelope = JSON.parse(readFileSync(message, 'utf8'))
    const file = join(H.KILT_MSG_HOME as string, 'received.json')
    writeFileSync(file, JSON.stringify({ ...envelope, receivedAt: 1e300 }))
    const r = ok(await run(['inspect', file], H))
    expect(r.stdout).toContain('received at    1e+300 (not a valid time) (set by a relay, not authenticated)')
    expect(JSON.parse(ok(await run(['inspect', file, '--json'], H)).stdout).fields.receivedAt).toBe(1e300)
  })
})
