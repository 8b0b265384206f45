/**
 * @module web/seen-store
 * The replay record of the web inbox: (sender subject, messageId) pairs already shown, with their
 * relay id and an expiry, persisted in IndexedDB so a reload does not forget them. The same relay
 * id shown again before it was acknowledged is a redelivery (the inbox is listed again after a
 * reload), anything else is a replay.
 */

/** What {@link SeenStore.see} found. */
export type Seen = 'new' | 'redelivered' | 'replayed'

/** A record of seen messages. */
export interface SeenStore {
  /**
   * Records `key` as shown under `relayId` until `expiresAt`, atomically.
   * @returns `'new'` (absent or expired), `'redelivered'` (same relay id, not acknowledged) or `'replayed'`
   */
  see(key: string, relayId: string, expiresAt: number, now: number): Promise<Seen>
  /** Marks `key` acknowledged: any later delivery of it is a replay. */
  acked(key: string): Promise<void>
}

interface Row {
  readonly key: string
  readonly relayId: string
  readonly expiresAt: number
  readonly acked: boolean
}

function judge(row: Row | undefined, relayId: string, now: number): Seen {
  if (row === undefined || row.expiresAt < now) return 'new'
  return !row.acked && row.relayId === relayId ? 'redelivered' : 'replayed'
}

/** A {@link SeenStore} in memory (tests; browsers without IndexedDB). */
export function memorySeenStore(): SeenStore {
  const rows = new Map<string, Row>()
  return {
    async see(key, relayId, expiresAt, now) {
      const found = judge(rows.get(key), relayId, now)
      if (found === 'new') rows.set(key, { key, relayId, expiresAt, acked: false })
      return found
    },
    async acked(key) {
      const row = rows.get(key)
      if (row !== undefined) rows.set(key, { ...row, acked: true })
    },
  }
}

const STORE = 'seen'

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/**
 * A {@link SeenStore} in IndexedDB, one database per receiving identity. One readwrite
 * transaction per call makes check-and-record atomic across tabs. Expired rows are purged on open.
 *
 * @param namespace - the receiving identity's DID
 */
export async function indexedDbSeenStore(namespace: string): Promise<SeenStore> {
  const open = indexedDB.open(`kilt-msg-seen:${namespace}`, 1)
  open.onupgradeneeded = () => {
    const os = open.result.createObjectStore(STORE, { keyPath: 'key' })
    os.createIndex('expiresAt', 'expiresAt')
  }
  const db = await request(open)
  // Purge expired rows in the background; a failure only leaves them until the next open.
  const purge = db.transaction(STORE, 'readwrite')
  const cursor = purge
    .objectStore(STORE)
    .index('expiresAt')
    .openCursor(IDBKeyRange.upperBound(Date.now(), true))
  cursor.onsuccess = () => {
    const c = cursor.result
    if (c === null) return
    c.delete()
    c.continue()
  }
  return {
    see(key, relayId, expiresAt, now) {
      return new Promise<Seen>((resolve, reject) => {
        const tx = db.transaction(STORE, 'readwrite')
        const os = tx.objectStore(STORE)
        let found: Seen = 'replayed'
        const get = os.get(key)
        get.onsuccess = () => {
          found = judge(get.result as Row | undefined, relayId, now)
          if (found === 'new') os.put({ key, relayId, expiresAt, acked: false } satisfies Row)
        }
        tx.oncomplete = () => resolve(found)
        tx.onerror = () => reject(tx.error)
        tx.onabort = () => reject(tx.error)
      })
    },
    acked(key) {
      return new Promise<void>((resolve, reject) => {
        const tx = db.transaction(STORE, 'readwrite')
        const os = tx.objectStore(STORE)
        const get = os.get(key)
        get.onsuccess = () => {
          const row = get.result as Row | undefined
          if (row !== undefined) os.put({ ...row, acked: true } satisfies Row)
        }
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
      })
    },
  }
}
