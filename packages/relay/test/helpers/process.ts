/**
 * @module test/helpers/process
 * Runs the built `kilt-relay` bin as a real child process.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url))

/** Builds packages/relay (and core) with `tsc -b`; tolerates type errors in other areas if the bin was emitted. */
export function buildRelay(): void {
  try {
    execFileSync('npx', ['tsc', '-b', 'packages/relay'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 })
  } catch (e) {
    if (!existsSync(BIN)) throw e
  }
}

export interface RelayProcess {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => string
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>
}

export function startRelayProcess(args: string[], env: Record<string, string> = {}): Promise<RelayProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1))
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${out}`)), 20_000)
    const onData = () => {
      const m = /kilt-relay listening on (http:\/\/[^\s]+)/.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        child.stdout.off('data', onData)
        resolve({ child, url: m[1]!, output: () => out, exited })
      }
    }
    child.stdout.on('data', onData)
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`relay exited early:\n${out}`))
    })
  })
}
