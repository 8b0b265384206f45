/**
 * kill -9 in the middle of a deposit load: every id the child printed (after its deposit promise
 * resolved) must be in the file afterwards. The child runs the real store code, transpiled from
 * `src/store` into a temp directory (Node 20 cannot run TypeScript).
 */
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { isMessageId } from '../../src/store/ids.js'
import { createSqliteStore } from '../../src/store/sqlite.js'
import { buildStoreModules } from './build.js'
import { tempDir } from './helpers.js'

const here = dirname(fileURLToPath(import.meta.url))

describe('SQLite store survives kill -9', () => {
  const tmp = tempDir()
  afterAll(() => tmp.remove())

  it('every id printed after its deposit resolved is present after the crash', async () => {
    const buildRoot = buildStoreModules(tmp.dir)
    const file = join(tmp.dir, 'crash.db')

    const child = spawn(process.execPath, [join(here, 'crash-child.mjs'), buildRoot, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    )
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child produced too few ids; stderr: ${err}`)), 30_000)
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        // Kill once a fair number of deposits were acknowledged, while the load goes on.
        if (out.split('\n').length > 1500) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.on('exit', () => reject(new Error(`child exited early; stderr: ${err}`)))
    })
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    const lines = out.split('\n')
    // The child's store commits in its writer thread (the compiled worker entry exists).
    expect(lines[0]).toBe('ready worker')
    // The last line may be cut by the kill; only complete lines count.
    const printed = lines.slice(1, -1).filter((l) => l !== '')
    expect(printed.every(isMessageId)).toBe(true)
    expect(printed.length).toBeGreaterThan(1000)

    const store = createSqliteStore({ file })
    await store.init()
    try {
      const present = new Set<string>()
      for (let m = 0; m < 4; m++) {
        let after: string | undefined
        for (;;) {
          const page = await store.list(`mb${m}`, {
            limit: 5000,
            now: Date.now(),
            ...(after ? { after } : {}),
          })
          for (const msg of page) present.add(msg.id)
          if (page.length < 5000) break
          after = page[page.length - 1]!.id
        }
      }
      const missing = printed.filter((id) => !present.has(id))
      expect(missing).toEqual([])
      expect(present.size).toBeGreaterThanOrEqual(printed.length)
      expect(await store.depth()).toBe(present.size)
    } finally {
      await store.close()
    }
  })
})
