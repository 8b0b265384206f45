/**
 * @module lib/printable
 * Untrusted text made safe to show to a person (a terminal, a web page): what could act instead
 * of being read is shown as a `\u…` escape. Shared by the CLI and the browser app, which both show
 * what senders, envelopes and relays wrote.
 */
import { MessagingError } from '../errors.js'

/**
 * Control characters (C0 — line breaks included —, DEL, C1), the bidi controls (Unicode's
 * Bidi_Control: they reorder what follows) and the line and paragraph separators.
 */
function isUnprintable(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x061c ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x2028 && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  )
}

const escapeOf = (c: number): string => `\\u${c.toString(16).padStart(4, '0')}`
// Every escape made once (all unprintable units are below U+2070): a hostile text may consist of
// little else.
const ESCAPES = new Map<number, string>()
for (let c = 0; c < 0x2070; c++) if (isUnprintable(c)) ESCAPES.set(c, escapeOf(c))

/** Options of {@link printable}. */
export interface PrintableOptions {
  /** Keep line feeds (U+000A) as they are, e.g. in text laid out by the caller (default false). */
  readonly lineFeeds?: boolean
}

/**
 * `text` made safe to show: control characters (C0 — line breaks included —, DEL, C1), bidi
 * controls and line/paragraph separators become `\u…` escapes; everything else (joiners and the
 * other characters that scripts and emoji need) is kept. Whatever a sender, an envelope, a relay or
 * a file wrote should pass through it before a person sees it: in a terminal it could otherwise send
 * escape sequences (clear the screen, set the title, write the clipboard with OSC 52); anywhere, a
 * bidi override reorders what follows (a reversed id or address reads as another one) and a line
 * break forges lines of the output.
 * @throws MessagingError ERR_ARGUMENT_INVALID when `text` is not a string
 * @example
 * printable('id\u001b[2J') // 'id\\u001b[2J'
 * printable('{\n  "a": "\u202e"\n}', { lineFeeds: true }) // '{\n  "a": "\\u202e"\n}'
 */
export function printable(text: string, options: PrintableOptions = {}): string {
  if (typeof text !== 'string')
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"text" expected a string, got ${typeof text}`)
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  const { lineFeeds = false } = options
  if (typeof lineFeeds !== 'boolean')
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options.lineFeeds" expected a boolean')
  // Runs of printable text are copied as slices: one piece per escape, not one per character.
  const pieces: string[] = []
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (!isUnprintable(c) || (lineFeeds && c === 0x0a)) continue
    pieces.push(text.slice(from, i), ESCAPES.get(c)!)
    from = i + 1
  }
  if (from === 0) return text
  pieces.push(text.slice(from))
  return pieces.join('')
}
