import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
export const BIN = join(ROOT, 'packages/cli/dist/bin.js')

/** Builds the CLI (and, through project references, core and relay); incremental. */
export function build(): void {
  execFileSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: ROOT, stdio: 'inherit' })
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/** A fresh KILT_MSG_HOME with a low scrypt cost and a passphrase in the environment. */
export function home(): Record<string, string> {
  return {
    KILT_MSG_HOME: mkdtempSync(join(tmpdir(), 'kilt-msg-test-')),
    KILT_MSG_SCRYPT_LOG_N: '10',
    KILT_MSG_PASSPHRASE: 'correct horse battery staple',
  }
}

/**
 * Runs the built binary with its own environment (asynchronously: a relay may run in-process).
 * @param closeStdout - the reader closes the output pipe before the CLI can write (EPIPE)
 */
export function run(
  args: string[],
  env: Record<string, string | undefined>,
  input?: string,
  { closeStdout = false }: { closeStdout?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' }
    for (const k of Object.keys(base)) if (k.startsWith('KILT_MSG_')) delete base[k]
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...base, ...env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    if (closeStdout) child.stdout.destroy()
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    if (input !== undefined) child.stdin.end(input)
    else child.stdin.end()
  })
}

/** `r`, after checking that the run exited 0 (else an error with its stderr). */
export function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`)
  return r
}

/** Makes identities `alice` and `bob` in `env`'s home, and a message from Alice to Bob; returns its path. */
export async function aliceToBob(env: Record<string, string>): Promise<string> {
  ok(await run(['id', 'new', '--name', 'alice'], env))
  ok(await run(['id', 'new', '--name', 'bob'], env))
  const message = join(env.KILT_MSG_HOME as string, 'm.json')
  ok(
    await run(
      ['encrypt', '--as', 'alice', '--to', 'bob', '--type', 'reject', '--content', '{}', '--out', message],
      env,
    ),
  )
  return message
}

/** Starts a long-running command and resolves once a stdout line matches. */
export function start(
  args: string[],
  env: Record<string, string | undefined>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${ready}: ${out} ${err}`)), 20_000)
    child.stdout?.on('data', (d) => {
      out += d
      const m = out.match(ready)
      if (m) {
        clearTimeout(timer)
        resolve({ child, match: m, output: () => out })
      }
    })
    child.stderr?.on('data', (d) => {
      err += d
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited ${code}: ${out} ${err}`))
    })
  })
}

/**
 * A `kilt-msg relay serve` on a free port for the tests of the calling `describe` (started in
 * `beforeAll`, stopped in `afterAll`), its database in `dir`. Read `url()` inside tests.
 */
export function localRelay(
  env: Record<string, string>,
  dir: string = env.KILT_MSG_HOME as string,
): { url(): string } {
  let relay: Awaited<ReturnType<typeof start>> | undefined
  beforeAll(async () => {
    relay = await start(
      ['relay', 'serve', '--port', '0', '--json', '--db', join(dir, 'relay.db')],
      env,
      /\{"url":"([^"]+)"/,
    )
  })
  afterAll(() => {
    relay?.child.kill('SIGTERM')
  })
  return {
    url() {
      if (relay === undefined) throw new Error('the relay is not started yet')
      return relay.match[1] as string
    },
  }
}

/** Expects the one-line error format: exactly one stderr line, no stack. */
export function oneLineError(r: RunResult): { code: string; message: string } {
  const lines = r.stderr.split('\n').filter((l) => l !== '')
  if (lines.length !== 1) throw new Error(`expected one stderr line, got: ${r.stderr}`)
  const m = /^error (ERR_[A-Z_]+): (.+)$/.exec(lines[0] as string)
  if (m === null) throw new Error(`not an error line: ${lines[0]}`)
  if (/\n\s+at /.test(r.stderr)) throw new Error('stack trace printed')
  return { code: m[1] as string, message: m[2] as string }
}
