import { join } from 'node:path'
import { isMessagingError } from '@kilt-messaging/core'
import { describe, expect, it } from 'vitest'
import { messageIdTime, newMessageId } from '../../src/store/ids.js'
import { openStore } from '../../src/store/open.js'
import { createSqliteStore } from '../../src/store/sqlite.js'
import { describeStoreConformance, item } from './conformance.js'
import { tempDir } from './helpers.js'

describeStoreConformance('SQLite (temp file, synchronous=FULL)', async () => {
  const tmp = tempDir()
  const file = join(tmp.dir, 'relay.db')
  return { open: () => createSqliteStore({ file }), destroy: async () => tmp.remove() }
})

describe('SQLite store specifics', () => {
  it('uses WAL and synchronous=FULL by default, NORMAL on request', async () => {
    const tmp = tempDir()
    try {
      const full = createSqliteStore({ file: join(tmp.dir, 'a.db') })
      await full.init()
      expect(full.database.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(full.database.pragma('synchronous', { simple: true })).toBe(2)
      await full.close()
      const normal = createSqliteStore({ file: join(tmp.dir, 'b.db'), synchronous: 'NORMAL' })
      await normal.init()
      expect(normal.database.pragma('synchronous', { simple: true })).toBe(1)
      await normal.close()
    } finally {
      tmp.remove()
    }
  })

  it('records the schema version in meta', async () => {
    const tmp = tempDir()
    try {
      const store = createSqliteStore({ file: join(tmp.dir, 'a.db') })
      await store.init()
      const row = store.database.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as {
        value: number
      }
      expect(row.value).toBe(1)
      await store.close()
    } finally {
      tmp.remove()
    }
  })

  it('group commit: deposits made while the store is busy share one transaction', async () => {
    const tmp = tempDir()
    try {
      const store = createSqliteStore({ file: join(tmp.dir, 'a.db') })
      await store.init()
      // One mailbox: onDeposit fires once per committed group that touched it.
      let groups = 0
      store.onDeposit(() => groups++)
      const all = await Promise.all(
        Array.from({ length: 200 }, () =>
          store.deposit(
            [{ mailbox: 'm', envelope: '{}', senderKeyUri: 's', size: 2, receivedAt: 1, expiresAt: 2 ** 40 }],
            { maxCount: 1000, maxBytes: 1e6 },
          ),
        ),
      )
      expect(all.every((r) => r[0]!.id !== null)).toBe(true)
      expect(groups).toBeGreaterThanOrEqual(1)
      expect(groups).toBeLessThanOrEqual(2)
      await store.close()
    } finally {
      tmp.remove()
    }
  })

  it('new ids sort after the newest id a mailbox ever held (acked, or made by a process with a faster clock)', async () => {
    const tmp = tempDir()
    try {
      const store = createSqliteStore({ file: join(tmp.dir, 'a.db') })
      await store.init()
      const quota = { maxCount: 10, maxBytes: 1e6 }
      const [first] = await store.deposit([item('m')], quota)
      expect(await store.ack('m', [first!.id!])).toBe(1)
      // Another process whose clock runs a year ahead deposited and its message was acked.
      const ahead = newMessageId(Date.now() + 365 * 86_400_000)
      store.database.prepare("UPDATE usage SET last_id = ? WHERE mailbox = 'm'").run(ahead)
      const [next] = await store.deposit([item('m')], quota)
      expect(next!.id! > ahead).toBe(true)
      expect(messageIdTime(next!.id!)).toBeGreaterThanOrEqual(messageIdTime(ahead))
      await store.close()
    } finally {
      tmp.remove()
    }
  })

  it('rejects bad options and calls before init', async () => {
    for (const bad of [{}, { file: '' }, { file: 'x.db', synchronous: 'OFF' }, null]) {
      try {
        createSqliteStore(bad as never)
        throw new Error('accepted')
      } catch (e) {
        expect(isMessagingError(e, 'ERR_ARGUMENT_INVALID')).toBe(true)
      }
    }
    const store = createSqliteStore({ file: ':memory:' })
    await expect(store.list('m', { limit: 1, now: 0 })).rejects.toSatisfy((e) =>
      isMessagingError(e, 'ERR_ARGUMENT_INVALID'),
    )
    expect(await store.ping()).toBe(false)
    await store.close()
  })

  it('openStore picks SQLite for db and refuses both or neither', async () => {
    const store = openStore({ db: ':memory:' })
    await store.init()
    expect(await store.ping()).toBe(true)
    await store.close()
    for (const bad of [{}, { db: 'a.db', postgres: 'postgres://x' }]) {
      expect(() => openStore(bad)).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT_INVALID' }))
    }
  })
})
