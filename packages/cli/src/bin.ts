#!/usr/bin/env node
/**
 * @module cli/bin
 * The `kilt-msg` executable.
 */
import { printable } from '@kilt-messaging/core'
import { main } from './cli.js'
import { EXIT } from './lib/errors.js'
import { deliveryInProgress } from './lib/output.js'

process.on('unhandledRejection', (e) => {
  const message = e instanceof Error ? e.message : String(e)
  process.stderr.write(`error ERR_INTERNAL: ${printable(message.split('\n')[0] ?? '')}\n`)
  process.exit(1)
})

// A reader that went away (`kilt-msg … | head`) makes writes fail with EPIPE: nothing more can be
// shown, so the run ends quietly with exit code 1 (the output is incomplete) instead of a stack.
// Any other failure of the output streams ends it with one error line where still possible.
// A failure during a `deliver` (a verified message being printed) is that delivery's to handle: it
// first undoes the message's replay record, then fails the run the same way (see cli.ts `main`).
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (stream === process.stdout && deliveryInProgress()) return
    if (e.code !== 'EPIPE' && stream === process.stdout)
      try {
        process.stderr.write(`error ERR_IO: ${printable(e.message.split('\n')[0] ?? '')}\n`)
      } catch {}
    process.exit(EXIT.OTHER)
  })

main(process.argv).then(
  (code) => {
    process.exitCode = code
  },
  () => {
    process.exitCode = 1
  },
)
