/**
 * The SQLite store with its writer in a worker thread. Under vitest the store's TypeScript sources
 * run the writer inline (a worker thread cannot load `.ts`), so these tests run the store transpiled
 * to plain modules, where the compiled worker entry exists: the conformance suite, and what only the
 * thread changes (the event loop stays free during commits, acks share deposit commits, shutdown).
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MessagingError } from '@kilt-messaging/core'
import { afterAll, describe, expect, it } from 'vitest'
import type { createSqliteStore as CreateSqliteStore } from '../../src/store/sqlite.js'
import { buildStoreModules, SHARED_ERRORS } from './build.js'
import { describeStoreConformance, item } from './conformance.js'
import { tempDir } from './helpers.js'

const buildDir = tempDir()
afterAll(() => buildDir.remove())
let built: Promise<typeof CreateSqliteStore> | undefined

/** The transpiled `createSqliteStore` (built once per file). */
function compiled(): Promise<typeof CreateSqliteStore> {
  built ??= (async () => {
    const root = buildStoreModules(buildDir.dir)
    // The built modules throw this file's MessagingError, so the suite's checks recognise it.
    Object.assign(globalThis, { [SHARED_ERRORS]: { MessagingError } })
    const mod = (await import(pathToFileURL(join(root, 'sqlite.js')).href)) as {
      createSqliteStore: typeof CreateSqliteStore
    }
    return mod.createSqliteStore
  })()
  return built
}

function writerThread(store: object): boolean {
  return (store as { writerThread?: boolean }).writerThread === true
}

describeStoreConformance('SQLite (writer thread, temp file, synchronous=FULL)', async () => {
  const create = await compiled()
  const tmp = tempDir()
  const file = join(tmp.dir, 'relay.db')
  return { open: () => create({ file }), destroy: async () => tmp.remove() }
})

describe('SQLite writer thread', () => {
  it('runs the writer in a worker; commits do not block the event loop; acks and deposits share commits', async () => {
    const create = await compiled()
    const tmp = tempDir()
    try {
      const store = create({ file: join(tmp.dir, 'a.db') })
      await store.init()
      expect(writerThread(store)).toBe(true)
      // The event loop keeps turning while 2,000 deposits are committed (fsynced) elsewhere.
      let ticks = 0
      const timer = setInterval(() => ticks++, 1)
      const quota = { maxCount: 1_000_000, maxBytes: 1e9 }
      const ids: string[] = []
      for (let round = 0; round < 10; round++) {
        const rs = await Promise.all(Array.from({ length: 200 }, () => store.deposit([item('m')], quota)))
        for (const r of rs) ids.push(r[0]!.id!)
      }
      clearInterval(timer)
      expect(ticks).toBeGreaterThan(0)
      expect(new Set(ids).size).toBe(2000)
      // Acks queued with deposits land in the same groups and keep the counters right.
      let groups = 0
      store.onDeposit(() => groups++)
      const [acked, ...more] = await Promise.all([
        store.ack('m', ids.slice(0, 1000)),
        ...Array.from({ length: 100 }, () => store.deposit([item('m')], quota)),
      ])
      expect(acked).toBe(1000)
      expect(more.every((r) => r[0]!.id !== null)).toBe(true)
      expect(groups).toBeLessThanOrEqual(2)
      expect(await store.usage('m', 0)).toEqual({ count: 1100, bytes: expect.any(Number) })
      expect(await store.depth()).toBe(1100)
      // Deposits still queued when close() is called are committed before the thread stops.
      const pending = Promise.all(Array.from({ length: 50 }, () => store.deposit([item('m')], quota)))
      await store.close()
      expect((await pending).every((r) => r[0]!.id !== null)).toBe(true)
      await expect(store.deposit([item('m')], quota)).rejects.toThrow(/closed/)
      const reopened = create({ file: join(tmp.dir, 'a.db') })
      await reopened.init()
      expect(await reopened.depth()).toBe(1150)
      await reopened.close()
    } finally {
      tmp.remove()
    }
  })

  it('a replay store on the mailbox connection marks while the writer thread commits deposits', async () => {
    const create = await compiled()
    const { createReplayStoreSqlite } = (await import(
      pathToFileURL(join(buildDir.dir, 'build', 'replay.js')).href
    )) as typeof import('../../src/store/replay.js')
    const tmp = tempDir()
    try {
      const store = create({ file: join(tmp.dir, 'r.db') })
      await store.init()
      expect(writerThread(store)).toBe(true)
      const replay = createReplayStoreSqlite(store.database)
      const quota = { maxCount: 1_000_000, maxBytes: 1e9 }
      // The writer thread holds the write lock for its commits meanwhile: marks wait for it (off
      // the event loop) and still see each other: each key is new exactly once.
      const deposits: Array<Promise<unknown>> = []
      const marks: Array<Promise<boolean>> = []
      for (let round = 0; round < 50; round++) {
        for (let i = 0; i < 20; i++) deposits.push(store.deposit([item('m')], quota).then((r) => r[0]!.id))
        // A turn later the writer thread is committing those while these marks are written.
        await new Promise<void>((resolve) => setImmediate(resolve))
        for (let i = 0; i < 20; i++) marks.push(replay.markIfNew(`k${(round * 20 + i) % 500}`, 2, 1))
      }
      expect((await Promise.all(deposits)).every((id) => typeof id === 'string')).toBe(true)
      expect((await Promise.all(marks)).filter(Boolean)).toHaveLength(500)
      await replay.close()
      await store.close()
    } finally {
      tmp.remove()
    }
  })

  it('a store on :memory: commits on the calling thread', async () => {
    const create = await compiled()
    const mem = create({ file: ':memory:' })
    await mem.init()
    expect(writerThread(mem)).toBe(false)
    expect((await mem.deposit([item('m')], { maxCount: 1, maxBytes: 1e6 }))[0]!.id).not.toBeNull()
    await mem.close()
  })
})
