#!/usr/bin/env node
/**
 * @module cli/bin
 * The `kilt-msg` executable.
 */
import { printable } from '@kilt-messaging/core'
import { main } from './cli.js'

process.on('unhandledRejection', (e) => {
  const message = e instanceof Error ? e.message : String(e)
  process.stderr.write(`error ERR_INTERNAL: ${printable(message.split('\n')[0] ?? '')}\n`)
  process.exit(1)
})

main(process.argv).then(
  (code) => {
    process.exitCode = code
  },
  () => {
    process.exitCode = 1
  },
)
