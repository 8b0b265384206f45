/**
 * @module cli/lib/mime
 * RFC 5322 / MIME (RFC 2045–2046) mail carrying an envelope: a `multipart/mixed` message with a
 * text part (a human note and the armored block) and an attachment of media type
 * `application/vnd.kilt.message+json`. The reader walks multiparts (bounded depth and count) and
 * decodes base64 and quoted-printable parts.
 */
import { randomBytes } from 'node:crypto'
import { armor } from './armor.js'
import { CliError } from './errors.js'

/** The media type of an envelope attachment. */
export const KILT_MESSAGE_MEDIA_TYPE = 'application/vnd.kilt.message+json'

/** Options of {@link buildMime}. */
export interface BuildMimeOptions {
  /** `From:` (default `kilt-msg <kilt-msg@localhost.invalid>`). */
  readonly from?: string
  /** `To:` (omitted by default). */
  readonly to?: string
  /** `Subject:` (default `Encrypted KILT message`; never the body type, which is secret). */
  readonly subject?: string
  /** The date (default now). */
  readonly date?: Date
}

function wrap(b64: string, width = 76): string {
  const lines: string[] = []
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width))
  return lines.join('\r\n')
}

/** One line of printable ASCII: what a header value may hold (no CR/LF, so no header injection). */
export const HEADER_TEXT = /^[\x20-\x7e]*$/

function headerValue(v: string): string {
  // No header injection: one line, printable ASCII only; and no empty header.
  if (typeof v !== 'string' || !HEADER_TEXT.test(v))
    throw new CliError('ERR_USAGE', 'mail headers must be printable ASCII on one line')
  if (v.trim() === '') throw new CliError('ERR_USAGE', 'mail headers must not be empty')
  return v
}

/**
 * Builds a `.eml` (CRLF line ends) carrying `envelopeJson`.
 *
 * @param envelopeJson - the envelope as JSON text
 * @param options - header fields
 * @returns the mail text
 * @throws CliError ERR_USAGE for a header value that is empty or has control or non-ASCII characters
 * @example
 * writeFileSync('message.eml', buildMime(JSON.stringify(envelope), { to: 'bob@example.org' }))
 */
export function buildMime(envelopeJson: string, options: BuildMimeOptions = {}): string {
  const boundary = `kilt-msg-${randomBytes(12).toString('hex')}`
  const date = (options.date ?? new Date()).toUTCString().replace('GMT', '+0000')
  const headers = [
    `From: ${headerValue(options.from ?? 'kilt-msg <kilt-msg@localhost.invalid>')}`,
    ...(options.to === undefined ? [] : [`To: ${headerValue(options.to)}`]),
    `Subject: ${headerValue(options.subject ?? 'Encrypted KILT message')}`,
    `Date: ${date}`,
    `Message-ID: <${randomBytes(16).toString('hex')}@kilt-msg.invalid>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
  ]
  const note = [
    'This mail carries an end-to-end encrypted KILT message.',
    'Open the attachment with: kilt-msg decrypt message.eml',
    '',
    ...armor(envelopeJson).trimEnd().split('\n'),
  ].join('\r\n')
  const parts = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    note,
    `--${boundary}`,
    `Content-Type: ${KILT_MESSAGE_MEDIA_TYPE}; name="message.kiltmsg"`,
    'Content-Disposition: attachment; filename="message.kiltmsg"',
    'Content-Transfer-Encoding: base64',
    '',
    wrap(Buffer.from(envelopeJson, 'utf8').toString('base64')),
    `--${boundary}--`,
    '',
  ]
  return `${headers.join('\r\n')}\r\n\r\n${parts.join('\r\n')}`
}

/** One leaf part of a parsed mail. */
export interface MimePart {
  /** Lower-case media type, e.g. `text/plain`. */
  readonly mediaType: string
  /** Parameters of `Content-Type` (lower-case names). */
  readonly params: Readonly<Record<string, string>>
  /** The `filename` of `Content-Disposition`, if any. */
  readonly filename?: string
  /** The decoded body. */
  readonly body: Uint8Array
}

function invalid(detail: string): CliError {
  return new CliError('ERR_INPUT_INVALID', `the mail cannot be read: ${detail}`)
}

function splitHead(text: string): { headers: Map<string, string>; body: string } {
  const m = /\r?\n\r?\n/.exec(text)
  const head = m === null ? text : text.slice(0, m.index)
  const body = m === null ? '' : text.slice(m.index + m[0].length)
  const headers = new Map<string, string>()
  let last: string | undefined
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`)
      continue
    }
    const i = line.indexOf(':')
    if (i <= 0) continue
    last = line.slice(0, i).trim().toLowerCase()
    headers.set(last, line.slice(i + 1).trim())
  }
  return { headers, body }
}

function parseParams(value: string): { value: string; params: Record<string, string> } {
  const [first = '', ...rest] = value.split(';')
  const params: Record<string, string> = {}
  for (const p of rest) {
    const i = p.indexOf('=')
    if (i <= 0) continue
    let v = p.slice(i + 1).trim()
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1)
    params[p.slice(0, i).trim().toLowerCase()] = v
  }
  return { value: first.trim().toLowerCase(), params }
}

function decodeQuotedPrintable(text: string): Uint8Array {
  const soft = text.replace(/=\r?\n/g, '')
  const out: number[] = []
  for (let i = 0; i < soft.length; i++) {
    const c = soft.charCodeAt(i)
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(soft.slice(i + 1, i + 3), 16))
      i += 2
    } else if (c < 0x80) out.push(c)
    else out.push(...Buffer.from(soft[i] ?? '', 'utf8'))
  }
  return new Uint8Array(out)
}

function decodeBody(body: string, encoding: string): Uint8Array {
  switch (encoding) {
    case 'base64': {
      const clean = body.replace(/[\s]/g, '')
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw invalid('a base64 part is not base64')
      return new Uint8Array(Buffer.from(clean, 'base64'))
    }
    case 'quoted-printable':
      return decodeQuotedPrintable(body)
    default:
      return new Uint8Array(Buffer.from(body, 'utf8'))
  }
}

const MAX_DEPTH = 8
const MAX_PARTS = 200

/**
 * True when `text` starts with a mail header block carrying a MIME `Content-Type` or `MIME-Version`.
 */
export function looksLikeMime(text: string): boolean {
  const { headers } = splitHead(text.slice(0, 64 * 1024))
  return (
    headers.has('mime-version') ||
    (headers.has('content-type') && (headers.has('from') || headers.has('subject')))
  )
}

/**
 * Parses a mail into its leaf parts.
 *
 * @param text - an RFC 5322 message
 * @returns the leaf parts in order (a single-part mail yields one)
 * @throws CliError ERR_INPUT_INVALID when a multipart has no boundary, nesting exceeds 8 levels or
 *   there are more than 200 parts
 * @example
 * const attachment = parseMime(eml).find((p) => p.mediaType === KILT_MESSAGE_MEDIA_TYPE)
 */
export function parseMime(text: string): MimePart[] {
  const parts: MimePart[] = []
  const walk = (entity: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw invalid('multiparts nested too deeply')
    const { headers, body } = splitHead(entity)
    const ct = parseParams(headers.get('content-type') ?? 'text/plain; charset=us-ascii')
    if (ct.value.startsWith('multipart/')) {
      const boundary = ct.params.boundary
      if (boundary === undefined || boundary === '') throw invalid('a multipart has no boundary')
      const lines = body.split(/\r?\n/)
      let current: string[] | undefined
      for (const line of lines) {
        const trimmed = line.trimEnd()
        if (trimmed === `--${boundary}--`) {
          if (current !== undefined) walk(current.join('\r\n'), depth + 1)
          current = undefined
          break
        }
        if (trimmed === `--${boundary}`) {
          if (current !== undefined) walk(current.join('\r\n'), depth + 1)
          current = []
          if (parts.length > MAX_PARTS) throw invalid('too many parts')
          continue
        }
        current?.push(line)
      }
      if (current !== undefined) walk(current.join('\r\n'), depth + 1)
      return
    }
    if (parts.length >= MAX_PARTS) throw invalid('too many parts')
    const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase()
    const disposition = parseParams(headers.get('content-disposition') ?? '')
    const filename = disposition.params.filename ?? ct.params.name
    parts.push({
      mediaType: ct.value,
      params: ct.params,
      ...(filename === undefined ? {} : { filename }),
      body: decodeBody(body, cte),
    })
  }
  walk(text, 0)
  return parts
}
