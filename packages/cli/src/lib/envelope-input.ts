/**
 * @module cli/lib/envelope-input
 * Finds the envelope in what the user gives: envelope JSON, an armored block (possibly quoted
 * inside a mail body) or a MIME mail with an `application/vnd.kilt.message+json` attachment.
 */
import { dearmor, hasArmor } from './armor.js'
import { CliError } from './errors.js'
import { KILT_MESSAGE_MEDIA_TYPE, looksLikeMime, parseMime } from './mime.js'

/** The envelope's JSON value (unchecked) and the container it came in. */
export interface EnvelopeInput {
  readonly envelope: unknown
  readonly format: 'json' | 'armor' | 'mime'
  /** Length of the envelope JSON text in bytes. */
  readonly bytes: number
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new CliError('ERR_INPUT_INVALID', 'the envelope is not valid JSON')
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Extracts the envelope from user input.
 *
 * @param text - file or stdin content
 * @throws CliError ERR_INPUT_INVALID when no envelope is found, the JSON is invalid or the armor
 *   checksum fails
 * @example
 * const { envelope, format } = readEnvelope(await readInput(file))
 */
export function readEnvelope(text: string): EnvelopeInput {
  const t = text.replace(/^\uFEFF/, '')
  const trimmed = t.trim()
  if (trimmed.startsWith('{'))
    return { envelope: parseJson(trimmed), format: 'json', bytes: Buffer.byteLength(trimmed) }
  if (looksLikeMime(t)) {
    const parts = parseMime(t)
    const attachment =
      parts.find((p) => p.mediaType === KILT_MESSAGE_MEDIA_TYPE) ??
      parts.find((p) => p.filename?.toLowerCase().endsWith('.kiltmsg') === true)
    if (attachment !== undefined) {
      let json: string
      try {
        json = utf8.decode(attachment.body)
      } catch {
        throw new CliError('ERR_INPUT_INVALID', 'the KILT message attachment is not UTF-8')
      }
      const inner = json.trim()
      if (hasArmor(inner)) {
        const dearmored = dearmor(inner)
        return { envelope: parseJson(dearmored), format: 'mime', bytes: Buffer.byteLength(dearmored) }
      }
      return { envelope: parseJson(inner), format: 'mime', bytes: Buffer.byteLength(inner) }
    }
    for (const p of parts) {
      if (!p.mediaType.startsWith('text/')) continue
      const body = Buffer.from(p.body).toString('utf8')
      if (hasArmor(body)) {
        const json = dearmor(body)
        return { envelope: parseJson(json), format: 'mime', bytes: Buffer.byteLength(json) }
      }
    }
    throw new CliError(
      'ERR_INPUT_INVALID',
      `the mail has no ${KILT_MESSAGE_MEDIA_TYPE} attachment and no armored block`,
    )
  }
  if (hasArmor(t)) {
    const json = dearmor(t)
    return { envelope: parseJson(json), format: 'armor', bytes: Buffer.byteLength(json) }
  }
  throw new CliError(
    'ERR_INPUT_INVALID',
    'no KILT message found: expected envelope JSON, an armored block or a MIME mail',
  )
}
