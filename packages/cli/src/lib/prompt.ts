/**
 * @module cli/lib/prompt
 * Secrets from the user: a passphrase (or mnemonic) from an interactive prompt without echo,
 * a file, an environment variable or stdin — never from argv.
 */
import { readFileSync } from 'node:fs'
import { CliError } from './errors.js'

/**
 * Reads one line from the TTY without echoing it. Ctrl-C aborts, Backspace erases.
 *
 * @param question - shown on stderr
 * @throws CliError ERR_PASSPHRASE_MISSING when stdin is not a TTY; ERR_USAGE on Ctrl-C
 * @example
 * const secret = await promptHidden('Passphrase: ')
 */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin
  if (!stdin.isTTY)
    return Promise.reject(new CliError('ERR_PASSPHRASE_MISSING', 'no TTY to ask for the secret'))
  process.stderr.write(question)
  return new Promise((resolve, reject) => {
    let value = ''
    const wasRaw = stdin.isRaw
    stdin.setRawMode(true)
    stdin.resume()
    stdin.setEncoding('utf8')
    const done = (err: Error | null): void => {
      stdin.setRawMode(wasRaw)
      stdin.pause()
      stdin.removeListener('data', onData)
      process.stderr.write('\n')
      if (err) reject(err)
      else resolve(value)
    }
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done(null)
          return
        }
        if (ch === '\u0003') {
          done(new CliError('ERR_USAGE', 'aborted'))
          return
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else if (ch >= ' ') value += ch
      }
    }
    stdin.on('data', onData)
  })
}

/** Where a passphrase may come from. */
export interface PassphraseOptions {
  /** `--passphrase-file`: the first line of that file. */
  readonly passphraseFile?: string | undefined
  /** Ask twice on a TTY (new keystores). */
  readonly confirm?: boolean
  /** The identity name, for the prompt. */
  readonly name?: string
}

function firstLine(text: string): string {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? ''
}

/**
 * The passphrase: `--passphrase-file`, else `KILT_MSG_PASSPHRASE`, else a prompt on the TTY
 * (asked twice when `confirm`).
 *
 * @throws CliError ERR_PASSPHRASE_MISSING (no source), ERR_USAGE (empty, or confirmation differs),
 *   ERR_IO (unreadable file)
 * @example
 * const passphrase = await getPassphrase({ passphraseFile: opts.passphraseFile, name: 'alice' })
 */
export async function getPassphrase(options: PassphraseOptions = {}): Promise<string> {
  let value: string | undefined
  if (options.passphraseFile !== undefined) {
    try {
      value = firstLine(readFileSync(options.passphraseFile, 'utf8'))
    } catch {
      throw new CliError('ERR_IO', `cannot read the passphrase file "${options.passphraseFile}"`)
    }
  } else if (process.env.KILT_MSG_PASSPHRASE !== undefined) {
    value = process.env.KILT_MSG_PASSPHRASE
  } else {
    if (!process.stdin.isTTY)
      throw new CliError(
        'ERR_PASSPHRASE_MISSING',
        'no passphrase: run in a terminal, or use --passphrase-file <file> or KILT_MSG_PASSPHRASE',
      )
    const label = options.name === undefined ? '' : ` for "${options.name}"`
    value = await promptHidden(`${options.confirm ? 'New passphrase' : 'Passphrase'}${label}: `)
    if (options.confirm && value.length > 0) {
      const again = await promptHidden('Repeat the passphrase: ')
      if (again !== value) throw new CliError('ERR_USAGE', 'the two passphrases differ')
    }
  }
  if (value.length === 0) throw new CliError('ERR_USAGE', 'the passphrase must not be empty')
  return value
}

/**
 * A secret value (mnemonic, seed): from a file, an environment variable, stdin when piped, or a
 * hidden prompt.
 *
 * @param what - human name, for the prompt and errors
 * @param sources - `file` (path), `envName` (variable name)
 * @throws CliError ERR_USAGE when nothing was given
 * @example
 * const phrase = await readSecret('mnemonic', { envName: 'KILT_MSG_MNEMONIC' })
 */
export async function readSecret(
  what: string,
  sources: { file?: string | undefined; envName?: string },
): Promise<string> {
  if (sources.file !== undefined) {
    try {
      return readFileSync(sources.file, 'utf8').trim()
    } catch {
      throw new CliError('ERR_IO', `cannot read the ${what} file "${sources.file}"`)
    }
  }
  if (sources.envName !== undefined) {
    const v = process.env[sources.envName]
    if (v !== undefined && v !== '') return v.trim()
  }
  if (process.stdin.isTTY) return (await promptHidden(`${what[0]?.toUpperCase()}${what.slice(1)}: `)).trim()
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of process.stdin) {
    size += (c as Buffer).length
    if (size > 64 * 1024) throw new CliError('ERR_USAGE', `the ${what} on stdin is too long`)
    chunks.push(c as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text !== '') return text
  throw new CliError('ERR_USAGE', `no ${what} given`)
}
