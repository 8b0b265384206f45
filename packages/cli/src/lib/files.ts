/**
 * @module cli/lib/files
 * The kilt-msg home folder and atomic, private file writes (temp file + fsync + rename).
 */
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { CliError } from './errors.js'

/**
 * The home folder: `KILT_MSG_HOME`, else `$XDG_CONFIG_HOME/kilt-msg`, else `~/.config/kilt-msg`.
 *
 * @param env - the environment (default `process.env`)
 * @example
 * const dir = kiltMsgHome()
 */
export function kiltMsgHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KILT_MSG_HOME) return env.KILT_MSG_HOME
  const xdg = env.XDG_CONFIG_HOME
  return join(xdg ? xdg : join(homedir(), '.config'), 'kilt-msg')
}

/** Creates a folder (and parents) readable by the owner only. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/**
 * Writes `data` to `file` atomically with mode 0600: a temp file in the same folder, fsync,
 * then rename (or, with `noClobber`, a hard link that fails when `file` exists, so an existing
 * file is never replaced).
 *
 * @param file - destination path
 * @param data - content
 * @param options - `noClobber`: fail with ERR_IDENTITY_EXISTS-style `EEXIST` instead of replacing
 * @throws the fs error (`EEXIST` with `noClobber`)
 * @example
 * writeFileAtomic(join(home, 'keys', 'alice.json'), text, { noClobber: true })
 */
export function writeFileAtomic(file: string, data: string, options: { noClobber?: boolean } = {}): void {
  const dir = dirname(file)
  ensurePrivateDir(dir)
  const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`)
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    const buf = Buffer.from(data, 'utf8')
    let off = 0
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
    fsyncSync(fd)
  } catch (e) {
    closeSync(fd)
    unlinkSync(tmp)
    throw e
  }
  closeSync(fd)
  try {
    if (options.noClobber) {
      linkSync(tmp, file)
      unlinkSync(tmp)
    } else {
      renameSync(tmp, file)
    }
  } catch (e) {
    try {
      unlinkSync(tmp)
    } catch {}
    throw e
  }
  fsyncDir(dir)
}

/** Largest input file read (16 MiB). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024

/**
 * Reads a text input: a path, or `-`/undefined for stdin. Bounded to {@link MAX_INPUT_BYTES}.
 *
 * @throws CliError ERR_IO when the file is missing or too large
 * @example
 * const text = await readInput(args[0])
 */
export async function readInput(path: string | undefined): Promise<string> {
  if (path === undefined || path === '-') {
    if (process.stdin.isTTY)
      throw new CliError('ERR_USAGE', 'no input: give a file or pipe the message into stdin')
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of process.stdin) {
      const b = chunk as Buffer
      size += b.length
      if (size > MAX_INPUT_BYTES) throw new CliError('ERR_INPUT_INVALID', 'input larger than 16 MiB')
      chunks.push(b)
    }
    return Buffer.concat(chunks).toString('utf8')
  }
  let size: number
  try {
    size = statSync(path).size
  } catch {
    throw new CliError('ERR_IO', `cannot read "${path}": no such file`)
  }
  if (size > MAX_INPUT_BYTES) throw new CliError('ERR_INPUT_INVALID', `"${path}" is larger than 16 MiB`)
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw new CliError('ERR_IO', `cannot read "${path}": ${(e as Error).message}`)
  }
}
