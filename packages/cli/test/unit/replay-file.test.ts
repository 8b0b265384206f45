import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fileReplayStore, MAX_REPLAY_ENTRIES } from '../../src/lib/replay-file.js'

const T = 1_800_000_000_000
let home: string

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'kilt-msg-replay-'))
})
afterEach(() => {
  rmSync(home, { recursive: true, force: true })
})

describe('fileReplayStore', () => {
  it('two stores of one identity (two processes) see each other’s ids: one message is accepted once', () => {
    const a = fileReplayStore(home, 'bob')
    const b = fileReplayStore(home, 'bob') // opened before a marked anything
    expect(a.markIfNew('k1', T + 60_000, T)).toBe(true)
    expect(b.markIfNew('k1', T + 60_000, T)).toBe(false)
    expect(b.markIfNew('k2', T + 60_000, T)).toBe(true)
    expect(a.markIfNew('k2', T + 60_000, T)).toBe(false)
    // neither write lost the other's id
    const saved = JSON.parse(readFileSync(join(home, 'replay', 'bob.json'), 'utf8'))
    expect(Object.keys(saved.entries).sort()).toEqual(['k1', 'k2'])
    // expired ids are dropped when the file is rewritten
    expect(a.markIfNew('k3', T + 120_000, T + 60_000)).toBe(true)
    expect(fileReplayStore(home, 'bob').size).toBe(1)
  })

  it('waits for a lock held by another process, fails closed when it is not released, clears a stale one', () => {
    const store = fileReplayStore(home, 'bob', { lockWaitMs: 50, staleLockMs: 10_000 })
    expect(store.markIfNew('k0', T + 60_000, T)).toBe(true)
    const lock = join(home, 'replay', 'bob.json.lock')
    writeFileSync(lock, '')
    expect(() => store.markIfNew('k1', T + 60_000, T)).toThrow(/locked/)
    // a lock older than staleLockMs was left by a dead process
    const old = new Date(Date.now() - 60_000)
    utimesSync(lock, old, old)
    expect(store.markIfNew('k1', T + 60_000, T)).toBe(true)
  })

  it('separate processes racing for one id: exactly one accepts it', async () => {
    const dist = fileURLToPath(new URL('../../dist/lib/replay-file.js', import.meta.url))
    // Each process opens the store (reads the file), says "ready", and marks the id on "go",
    // which the test sends once all four are ready.
    const script = `
      const { fileReplayStore } = await import(${JSON.stringify(dist)})
      const store = fileReplayStore(${JSON.stringify(home)}, 'bob')
      process.stdout.write('ready\\n')
      process.stdin.once('data', () => {
        process.stdout.write(String(store.markIfNew('race', ${T + 60_000}, ${T})))
        process.exit(0)
      })
    `
    const children = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script])
      let out = ''
      const ready = new Promise<void>((resolve) => {
        child.stdout.on('data', (d) => {
          out += d
          if (out.startsWith('ready\n')) resolve()
        })
      })
      const done = new Promise<string>((resolve, reject) => {
        child.on('error', reject)
        child.on('exit', (code) =>
          code === 0 ? resolve(out.slice('ready\n'.length)) : reject(new Error(`exit ${code}`)),
        )
      })
      return { child, ready, done }
    })
    await Promise.all(children.map((c) => c.ready))
    for (const c of children) c.child.stdin.write('go\n')
    const results = await Promise.all(children.map((c) => c.done))
    expect(results.filter((r) => r === 'true')).toHaveLength(1)
    expect(results.filter((r) => r === 'false')).toHaveLength(3)
  })

  describe('runs of different --max-age over one file', () => {
    const NARROW = 3_000
    const WIDE = 7 * 86_400_000
    const SKEW = 120_000
    /** What the guard of a run with window `maxAgeMs` asks for a message created at `createdAt`. */
    const mark = (maxAgeMs: number, key: string, createdAt: number, now: number) =>
      fileReplayStore(home, 'bob', { maxAgeMs, maxFutureSkewMs: SKEW }).markIfNew(
        key,
        createdAt + maxAgeMs + 1,
        now,
      )

    it('a wider run refuses as stale a message a narrower run accepted and forgot', () => {
      expect(mark(NARROW, 'k', T, T + 100)).toBe(true)
      // The narrow run's id expired at T + NARROW + 1; a 7-day run must not accept the message again.
      expect(() => mark(WIDE, 'k', T, T + 5_000)).toThrow(
        expect.objectContaining({ code: 'ERR_MESSAGE_STALE' }),
      )
      const saved = JSON.parse(readFileSync(join(home, 'replay', 'bob.json'), 'utf8'))
      expect(saved.retention).toEqual([
        [T + 100, NARROW],
        [T + 5_000, WIDE],
      ])
      expect(saved.maxFutureSkewMs).toBe(SKEW)
    })

    it('keeps every id for the widest window used so far, also for a narrow run', () => {
      expect(mark(WIDE, 'a', T, T)).toBe(true)
      expect(mark(NARROW, 'b', T, T + 100)).toBe(true)
      const saved = JSON.parse(readFileSync(join(home, 'replay', 'bob.json'), 'utf8'))
      expect(saved.entries.b).toBe(T + WIDE + 1)
      // Long after the narrow window, the wide run still knows the id.
      expect(mark(WIDE, 'b', T, T + 60_000)).toBe(false)
      // A message created after the widening is accepted normally.
      expect(mark(WIDE, 'c', T + 50_000, T + 60_000)).toBe(true)
    })

    it('loads a file written without the retention fields', () => {
      mkdirSync(join(home, 'replay'), { recursive: true })
      writeFileSync(
        join(home, 'replay', 'bob.json'),
        JSON.stringify({ version: 1, entries: { old: T + 10_000 } }),
      )
      expect(mark(WIDE, 'old', T - 50_000, T)).toBe(false)
      expect(mark(WIDE, 'new', T - 50_000, T)).toBe(true)
      const saved = JSON.parse(readFileSync(join(home, 'replay', 'bob.json'), 'utf8'))
      expect(Object.keys(saved.entries).sort()).toEqual(['new', 'old'])
      expect(saved.retention).toEqual([[T, WIDE]])
    })
  })

  it('full: refuses new ids with ERR_REPLAY_STORE_UNAVAILABLE, evicts none, still knows every id', () => {
    // MAX_REPLAY_ENTRIES live ids: half expire at T + 60 s, half at T + 120 s.
    const entries: Record<string, number> = {}
    for (let i = 0; i < MAX_REPLAY_ENTRIES; i++) entries[`k${i}`] = i % 2 === 0 ? T + 60_000 : T + 120_000
    const file = join(home, 'replay', 'bob.json')
    mkdirSync(join(home, 'replay'), { recursive: true })
    const text = JSON.stringify({ version: 1, entries })
    writeFileSync(file, text)
    const store = fileReplayStore(home, 'bob')
    let refusal: unknown
    try {
      store.markIfNew('new', T + 60_000, T)
    } catch (e) {
      refusal = e
    }
    expect(refusal).toMatchObject({ code: 'ERR_REPLAY_STORE_UNAVAILABLE' })
    const message = (refusal as Error).message
    expect(message).toContain(file)
    expect(message).toContain(`is full (${MAX_REPLAY_ENTRIES} ids inside their window`)
    expect(message).toContain(`until ${new Date(T + 60_000).toISOString()} (the earliest id expires)`)
    // nothing evicted, nothing rewritten; every id is still a replay
    expect(readFileSync(file, 'utf8')).toBe(text)
    expect(store.markIfNew('k0', T + 60_000, T)).toBe(false)
    expect(store.markIfNew(`k${MAX_REPLAY_ENTRIES - 1}`, T + 120_000, T)).toBe(false)
    // Once half of them expired, there is room again: only the expired ids go.
    expect(store.markIfNew('new', T + 180_000, T + 60_000)).toBe(true)
    expect(store.size).toBe(MAX_REPLAY_ENTRIES / 2 + 1)
    expect(store.markIfNew('k1', T + 120_000, T + 60_000)).toBe(false)
  })

  it('forget removes the id a run recorded (locked), so the message is accepted again', () => {
    const a = fileReplayStore(home, 'bob', { lockWaitMs: 50, staleLockMs: 10_000 })
    expect(a.markIfNew('k1', T + 60_000, T)).toBe(true)
    expect(a.markIfNew('k2', T + 60_000, T)).toBe(true)
    a.forget('k1')
    const saved = JSON.parse(readFileSync(join(home, 'replay', 'bob.json'), 'utf8'))
    expect(Object.keys(saved.entries)).toEqual(['k2'])
    expect(fileReplayStore(home, 'bob').markIfNew('k1', T + 60_000, T)).toBe(true)
    expect(a.markIfNew('k2', T + 60_000, T)).toBe(false)
    // under the lock, like every write: a held lock makes it fail, leaving the id recorded
    writeFileSync(join(home, 'replay', 'bob.json.lock'), '')
    expect(() => a.forget('k2')).toThrow(expect.objectContaining({ code: 'ERR_REPLAY_STORE_UNAVAILABLE' }))
    rmSync(join(home, 'replay', 'bob.json.lock'))
    expect(a.markIfNew('k2', T + 60_000, T)).toBe(false)
  })

  it('fails closed on a damaged file (never forgets its ids silently); a missing one is empty', () => {
    const file = join(home, 'replay', 'bob.json')
    mkdirSync(join(home, 'replay'), { recursive: true })
    for (const text of ['{"entries": {"k1": 1', 'null', '[]', '{"version":1}', '{"entries":null}']) {
      writeFileSync(file, text)
      const store = fileReplayStore(home, 'bob')
      expect(() => store.markIfNew('k1', T + 60_000, T), text).toThrow(
        expect.objectContaining({ code: 'ERR_REPLAY_STORE_UNAVAILABLE' }),
      )
      // and nothing was overwritten: the damaged file is left for the user to look at
      expect(readFileSync(file, 'utf8')).toBe(text)
    }
    rmSync(file)
    expect(fileReplayStore(home, 'bob').markIfNew('k1', T + 60_000, T)).toBe(true)
  })
})
