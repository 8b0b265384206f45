/**
 * @module cli/lib/hex
 * Hex for keys and seeds given on the command line: the core's strict codec, with the CLI's usage error.
 */
import { fromHex, isMessagingError } from '@kilt-messaging/core'
import { CliError } from './errors.js'

/**
 * Parses `0x`-prefixed hex of an exact byte length (upper case accepted).
 * @throws CliError ERR_USAGE naming `what`
 */
export function parseHex(value: string, what: string, lengths: readonly number[]): Uint8Array {
  const usage = () =>
    new CliError('ERR_USAGE', `${what} expected 0x-prefixed hex of ${lengths.join(' or ')} bytes`)
  let bytes: Uint8Array
  try {
    bytes = fromHex(value.trim(), what)
  } catch (e) {
    throw isMessagingError(e) ? usage() : e
  }
  if (!lengths.includes(bytes.length)) throw usage()
  return bytes
}
