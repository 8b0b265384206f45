/**
 * @module cli/lib/output
 * Printing: colours only on a TTY (never with `--json` or `NO_COLOR`), JSON for scripts; parsing of
 * durations, ports and hosts given as flags.
 */
import { CliError } from './errors.js'

/** ANSI styles, or identity functions when colours are off. */
export interface Style {
  readonly bold: (s: string) => string
  readonly dim: (s: string) => string
  readonly green: (s: string) => string
  readonly red: (s: string) => string
  readonly yellow: (s: string) => string
  readonly cyan: (s: string) => string
}

const plain = (s: string): string => s

/**
 * The style for a stream: colours when it is a TTY, `--json` is off and `NO_COLOR` is unset.
 * @example
 * const c = style(process.stdout, opts.json)
 */
export function style(stream: NodeJS.WriteStream, json: boolean): Style {
  const on =
    !json &&
    stream.isTTY === true &&
    (process.env.NO_COLOR === undefined || process.env.NO_COLOR === '') &&
    process.env.TERM !== 'dumb'
  const wrap = (open: number, close: number) => (s: string) =>
    on ? `\u001b[${open}m${s}\u001b[${close}m` : s
  if (!on) return { bold: plain, dim: plain, green: plain, red: plain, yellow: plain, cyan: plain }
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  }
}

/** A value as one JSON document (what {@link printJson} prints). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/** Lines as printed by {@link println}. */
export function linesText(...lines: string[]): string {
  return `${lines.join('\n')}\n`
}

/** Prints a value as one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(jsonText(value))
}

/** Prints lines on stdout. */
export function println(...lines: string[]): void {
  process.stdout.write(linesText(...lines))
}

/** Deliveries in progress (see {@link deliver}); bin.ts leaves a failure of stdout to them. */
let delivering = 0

/**
 * Whether a {@link deliver} is in progress: a failure of stdout is then reported to its caller (which
 * undoes what the delivery stood for) instead of ending the run at once.
 */
export function deliveryInProgress(): boolean {
  return delivering > 0
}

/**
 * Prints `text` on stdout and resolves once the operating system has taken it. When the write fails
 * (`EPIPE`: the reader went away), `undo` runs before the promise rejects with the write's error, and
 * the process-wide handler of stdout errors (bin.ts) does not end the run before: what was recorded
 * for the delivery (a message id in the replay file) is removed again, nothing is acknowledged.
 *
 * @param text - the whole output (one write)
 * @param undo - run, synchronously, when the write failed
 * @throws the write's error (`code` `EPIPE`, …; see {@link isOutputClosed}), or the error of `undo`
 * @example
 * await deliver(`${JSON.stringify(message)}\n`, () => recorded.forget())
 */
export async function deliver(text: string, undo?: () => void): Promise<void> {
  delivering++
  try {
    await new Promise<void>((resolve, reject) => {
      process.stdout.write(text, (e) => (e ? reject(e) : resolve()))
    })
  } catch (e) {
    undo?.()
    throw e
  } finally {
    delivering--
  }
}

/** Whether `error` says that stdout is gone (`EPIPE`, or a write after that): the run ends quietly. */
export function isOutputClosed(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED'
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Parses a duration such as `500ms`, `90s`, `10m`, `2h`, `7d` (a bare number is seconds).
 * @throws CliError ERR_USAGE
 */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(text.trim())
  if (m === null)
    throw new CliError('ERR_USAGE', `${what} expected a duration like 500ms, 90s, 10m, 2h or 7d`)
  return Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000)
}

/**
 * Parses a TCP port: decimal digits only, 0..65535 (0: any free port). An empty value, a sign,
 * spaces, hex, exponents or trailing garbage (`12ab`) are refused, never read as 0 or a prefix.
 * @throws CliError ERR_USAGE
 * @example
 * parsePort('8080', '--port') // 8080
 */
export function parsePort(text: string, what: string): number {
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN
  if (!(port <= 65535))
    throw new CliError(
      'ERR_USAGE',
      `${what} expected a port number of 0..65535 (0: any free port), got ${JSON.stringify(text.slice(0, 40))}`,
    )
  return port
}

/**
 * Checks a listen host: a name or address of 1..255 printable ASCII characters, no spaces or
 * control characters. An empty value is refused (never read as "all interfaces" or the default).
 * @throws CliError ERR_USAGE
 * @example
 * parseHost('0.0.0.0', '--host') // '0.0.0.0'
 */
export function parseHost(text: string, what: string): string {
  if (typeof text !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(text))
    throw new CliError(
      'ERR_USAGE',
      `${what} expected a host name or address to listen on, got ${JSON.stringify(String(text).slice(0, 40))}`,
    )
  return text
}

/** Shortens a long string in the middle. */
export function truncate(s: string, max = 48): string {
  return s.length <= max ? s : `${s.slice(0, Math.ceil(max / 2) - 1)}…${s.slice(-Math.floor(max / 2) + 1)}`
}

/** The short form of a light DID (without the encoded details), or the DID itself. */
export function shortDid(did: string): string {
  const m = /^(did:kilt:light:[0-9]{2}[1-9A-HJ-NP-Za-km-z]+)(:[^#]*)?(#.*)?$/.exec(did)
  return m === null ? did : `${m[1]}${m[3] ?? ''}`
}
