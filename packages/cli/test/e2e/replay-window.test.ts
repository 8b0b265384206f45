/**
 * The replay file remembers the widest --max-age of all runs: a run with a wider window refuses a
 * message that a narrower run may have accepted and forgotten; a full one refuses new messages.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createMessage, encryptMessage, randomSigningKeyPair, randomX25519 } from '@kilt-messaging/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { identityFromKeys } from '../../src/lib/identity.js'
import { MAX_REPLAY_ENTRIES } from '../../src/lib/replay-file.js'
import { build, home, ok, oneLineError, run } from './helpers.js'

describe('replay across --max-age windows', () => {
  const B = home()
  let bobDid: string

  beforeAll(async () => {
    build()
    bobDid = JSON.parse(ok(await run(['id', 'new', '--name', 'bob', '--json'], B)).stdout).did
  })

  /** A message to Bob created `age` ms ago, as an envelope file. */
  async function messageFile(age: number, name: string): Promise<string> {
    const sender = identityFromKeys('sender', randomSigningKeyPair('ed25519'), randomX25519())
    const message = createMessage(
      { type: 'reject', content: { message: name } },
      { sender: sender.did, receiver: bobDid as never, now: () => Date.now() - age },
    )
    const file = join(B.KILT_MSG_HOME as string, `${name}.json`)
    writeFileSync(file, JSON.stringify(await encryptMessage(message, { keys: sender.keyring })))
    return file
  }

  it('keeps ids for the widest window used so far, also in a narrower run', async () => {
    // A 7-day run, then a 1-hour run: the id is kept for 7 days all the same.
    ok(await run(['decrypt', await messageFile(0, 'first'), '--as', 'bob', '--json'], B))
    const created = Date.now()
    ok(await run(['decrypt', await messageFile(0, 'second'), '--as', 'bob', '--max-age', '1h', '--json'], B))
    const path = join(B.KILT_MSG_HOME as string, 'replay', 'bob.json')
    const saved = JSON.parse(readFileSync(path, 'utf8'))
    expect(saved.retention.map((s: [number, number]) => s[1])).toEqual([7 * 86_400_000])
    for (const exp of Object.values(saved.entries) as number[])
      expect(exp).toBeGreaterThan(created - 60_000 + 7 * 86_400_000)
  })

  it('refuses as stale a message a narrower run may have accepted and forgotten', async () => {
    // A 10-second run a day ago (what an older run with --max-age 10s leaves in the file).
    const path = join(B.KILT_MSG_HOME as string, 'replay', 'bob.json')
    mkdirSync(join(B.KILT_MSG_HOME as string, 'replay'), { recursive: true })
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        entries: {},
        retention: [[Date.now() - 86_400_000, 10_000]],
        maxFutureSkewMs: 120_000,
      }),
    )
    const r = await run(['decrypt', await messageFile(60_000, 'old'), '--as', 'bob'], B)
    expect(r.code).toBe(4)
    expect(oneLineError(r).code).toBe('ERR_MESSAGE_STALE')
    // A message created after the widening is accepted.
    ok(await run(['decrypt', await messageFile(1_000, 'new'), '--as', 'bob'], B))
  })

  it('a full replay file refuses new messages with a typed error naming it, and forgets no id', async () => {
    const path = join(B.KILT_MSG_HOME as string, 'replay', 'bob.json')
    const saved = JSON.parse(readFileSync(path, 'utf8'))
    const live = Date.now() + 86_400_000
    for (let i = Object.keys(saved.entries).length; i < MAX_REPLAY_ENTRIES; i++) saved.entries[`x${i}`] = live
    const text = JSON.stringify(saved)
    writeFileSync(path, text)
    const r = await run(['decrypt', await messageFile(0, 'one-too-many'), '--as', 'bob'], B)
    expect(r.code).toBe(1)
    const e = oneLineError(r)
    expect(e.code).toBe('ERR_REPLAY_STORE_UNAVAILABLE')
    expect(e.message).toContain(`The replay file ${path} is full`)
    expect(e.message).toMatch(/until \d{4}-\S+Z \(the earliest id expires\); a relay keeps them queued$/)
    expect(readFileSync(path, 'utf8')).toBe(text)
  })
})
