/**
 * @module cli/lib/armor
 * ASCII armor for envelopes, in the style of OpenPGP (RFC 4880 §6): the envelope JSON in base64
 * lines of 64 characters between `-----BEGIN KILT MESSAGE-----` and `-----END KILT MESSAGE-----`,
 * followed by a `=`-prefixed CRC-24 checksum line. The reader finds the block inside a mail body,
 * strips `> ` quoting, blank lines and CRLFs, and rejects a block whose checksum fails.
 */
import { CliError } from './errors.js'

/** The first line of an armored block. */
export const ARMOR_BEGIN = '-----BEGIN KILT MESSAGE-----'
/** The last line of an armored block. */
export const ARMOR_END = '-----END KILT MESSAGE-----'

/**
 * CRC-24 of RFC 4880 §6.1 (init 0xB704CE, generator 0x1864CFB).
 * @returns a 24-bit integer
 */
export function crc24(data: Uint8Array): number {
  let crc = 0xb704ce
  for (const byte of data) {
    crc ^= byte << 16
    for (let i = 0; i < 8; i++) {
      crc <<= 1
      if (crc & 0x1000000) crc ^= 0x1864cfb
    }
  }
  return crc & 0xffffff
}

function checksumLine(data: Uint8Array): string {
  const c = crc24(data)
  return `=${Buffer.from([c >> 16, (c >> 8) & 0xff, c & 0xff]).toString('base64')}`
}

/**
 * Armors a text (the envelope JSON).
 *
 * @param text - UTF-8 text
 * @returns the block, ending with a newline
 * @example
 * armor(JSON.stringify(envelope))
 */
export function armor(text: string): string {
  const data = Buffer.from(text, 'utf8')
  const b64 = data.toString('base64')
  const lines: string[] = [ARMOR_BEGIN]
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64))
  lines.push(checksumLine(data), ARMOR_END)
  return `${lines.join('\n')}\n`
}

/** True when `text` contains the start of an armored block. */
export function hasArmor(text: string): boolean {
  return text.includes(ARMOR_BEGIN)
}

function invalid(detail: string): CliError {
  return new CliError('ERR_INPUT_INVALID', `the armored KILT message is damaged: ${detail}`)
}

/**
 * Reads the first armored block in `text` (a mail body, quoted or not).
 *
 * @param text - anything containing one block
 * @returns the armored text (the envelope JSON)
 * @throws CliError ERR_INPUT_INVALID when there is no complete block, a line is not base64, the
 *   checksum is missing or does not match
 * @example
 * const json = dearmor(mailBody)
 */
export function dearmor(text: string): string {
  const lines = text.split(/\r?\n|\r/).map((l) => l.replace(/^[\s>]*/, '').trimEnd())
  const start = lines.indexOf(ARMOR_BEGIN)
  if (start < 0) throw invalid('no "-----BEGIN KILT MESSAGE-----" line')
  const end = lines.indexOf(ARMOR_END, start + 1)
  if (end < 0) throw invalid('no "-----END KILT MESSAGE-----" line (truncated?)')
  let body = ''
  let checksum: string | undefined
  for (const line of lines.slice(start + 1, end)) {
    if (line === '') continue
    // Optional `Key: value` headers (as OpenPGP) are allowed before the data and ignored.
    if (body === '' && checksum === undefined && /^[A-Za-z-]+: /.test(line)) continue
    if (checksum !== undefined) throw invalid('data after the checksum line')
    if (line.startsWith('=')) checksum = line
    else if (/^[A-Za-z0-9+/]+={0,2}$/.test(line)) body += line
    else throw invalid('a line is not base64')
  }
  if (body.length === 0 || body.length % 4 !== 0 || /=[^=]/.test(body))
    throw invalid('the base64 data is incomplete')
  if (checksum === undefined) throw invalid('no checksum line')
  const data = new Uint8Array(Buffer.from(body, 'base64'))
  if (checksum !== checksumLine(data)) throw invalid('checksum mismatch (the text was altered or truncated)')
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data)
  } catch {
    throw invalid('the data is not UTF-8')
  }
}
