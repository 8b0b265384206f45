// Child process of sqlite-crash.test.ts: deposits in a loop through the SQLite store and prints each
// id (one line) only after its deposit promise resolved, i.e. after the COMMIT holding it returned.
// argv: <directory of the compiled store modules> <database file>
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [moduleDir, file] = process.argv.slice(2)
const { createSqliteStore } = await import(pathToFileURL(join(moduleDir, 'sqlite.js')).href)
const store = createSqliteStore({ file })
await store.init()
process.stdout.write(`ready ${store.writerThread ? 'worker' : 'inline'}\n`)

const quota = { maxCount: 10_000_000, maxBytes: 10_000_000_000 }
let n = 0
async function worker(w) {
  for (;;) {
    n++
    const envelope = JSON.stringify({ w, n, pad: 'x'.repeat(600) })
    const items = [
      {
        mailbox: `mb${w % 4}`,
        envelope,
        senderKeyUri: 'did:kilt:4sender#0x01',
        size: Buffer.byteLength(envelope),
        receivedAt: Date.now(),
        expiresAt: Date.now() + 86_400_000,
      },
    ]
    const [r] = await store.deposit(items, quota)
    process.stdout.write(`${r.id}\n`)
  }
}
for (let w = 0; w < 32; w++) worker(w)
