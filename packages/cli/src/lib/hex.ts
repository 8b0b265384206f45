/**
 * @module cli/lib/hex
 * Lowercase 0x hex for keys and seeds given on the command line.
 */
import { CliError } from './errors.js'

/** `0x` + lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`
}

/**
 * Parses `0x`-prefixed hex of an exact byte length (upper case accepted).
 * @throws CliError ERR_USAGE naming `what`
 */
export function parseHex(value: string, what: string, lengths: readonly number[]): Uint8Array {
  const v = value.trim()
  if (!/^0x([0-9a-fA-F]{2})*$/.test(v) || !lengths.includes((v.length - 2) / 2))
    throw new CliError('ERR_USAGE', `${what} expected 0x-prefixed hex of ${lengths.join(' or ')} bytes`)
  return new Uint8Array(Buffer.from(v.slice(2), 'hex'))
}
