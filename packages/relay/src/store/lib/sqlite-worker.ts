/**
 * @module store/lib/sqlite-worker
 * Worker-thread entry of the SQLite store's writer: owns the write connection, so the fsync of each
 * commit blocks this thread and never the relay's event loop. Operations arrive from the main thread
 * as `{ type: 'ops', ops: [{ seq, op }] }`; those that arrive while a commit runs wait and go together
 * into the next group (flushed as soon as the previous commit returned, no timer). Each group's
 * outcomes are posted back in one `{ type: 'results', results }` message after COMMIT returned.
 * `{ type: 'close' }` (sent after the main thread's last operation) closes the connection and exits.
 */

import { parentPort, workerData } from 'node:worker_threads'
import { openSqliteDatabase } from './sqlite-db.js'
import { createSqliteWriter, errorData, groupLength, type WriteOp } from './sqlite-writer.js'

/** A message from the main thread to the writer. */
export type ToWriter = { type: 'ops'; ops: Array<{ seq: number; op: WriteOp }> } | { type: 'close' }

/** A message from the writer to the main thread. */
export type FromWriter =
  | { type: 'ready' }
  | { type: 'failed'; error: { message: string; code?: string } }
  | {
      type: 'results'
      results: Array<{ seq: number; outcome: import('./sqlite-writer.js').WriteOutcome }>
    }
  | { type: 'closed' }

/** What the main thread passes as `workerData`. */
export interface WriterData {
  readonly file: string
  readonly synchronous: 'FULL' | 'NORMAL'
}

function main(): void {
  const port = parentPort
  if (port === null) throw new Error('sqlite-worker must run in a worker thread')
  const post = (m: FromWriter) => port.postMessage(m)
  const data = workerData as WriterData
  let db: ReturnType<typeof openSqliteDatabase>
  let writer: ReturnType<typeof createSqliteWriter>
  try {
    db = openSqliteDatabase(data.file, data.synchronous)
    writer = createSqliteWriter(db)
  } catch (e) {
    post({ type: 'failed', error: errorData(e) })
    return
  }
  let queue: Array<{ seq: number; op: WriteOp }> = []
  let scheduled = false
  let closing = false

  const flush = (): void => {
    scheduled = false
    while (queue.length > 0) {
      const n = groupLength(queue)
      const group = queue.slice(0, n)
      queue = queue.slice(n)
      const outcomes = writer.run(group.map((g) => g.op))
      post({ type: 'results', results: group.map((g, i) => ({ seq: g.seq, outcome: outcomes[i]! })) })
      // More than one group's worth waited: write the next at once (the loop), else go back to the
      // event loop so what arrived during this commit joins the next group.
    }
    if (closing) {
      db.close()
      post({ type: 'closed' })
      port.close()
    }
  }

  port.on('message', (m: ToWriter) => {
    if (m.type === 'close') closing = true
    else for (const e of m.ops) queue.push(e)
    if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  })
  post({ type: 'ready' })
}

main()
