/**
 * Servers of the relay benchmark in child processes (so the load generator never shares their event
 * loop), with their resident set size sampled from `/proc/<pid>/status` (VmRSS).
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'

const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 20_000

/**
 * Starts `node [nodeArgs] script [args]` and waits for `listening on http://…` on its stdout.
 * @returns {Promise<{ url: string, pid: number, rssMb(): number | null, stop(): Promise<number | null>, stderr(): string }>}
 */
export async function startServer({ script, args = [], env = {}, nodeArgs = [] }) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stderr.on('data', (d) => {
    err = (err + d.toString()).slice(-8000)
  })
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start in time\n${err}`)),
      READY_TIMEOUT_MS,
    )
    child.stdout.on('data', (d) => {
      out += d.toString()
      const m = /listening on (http:\/\/[^\s]+)/.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code} before listening\n${err}`))
    })
  })
  child.stdout.resume()
  return {
    url,
    pid: child.pid,
    rssMb: () => rssMb(child.pid),
    stderr: () => err,
    /** SIGTERM, wait for the exit (SIGKILL of this pid after a timeout); resolves the exit code. */
    async stop() {
      if (child.exitCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}

/** Resident set size of a process in MB (VmRSS), or null when it is gone. */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? null : Number(m[1]) / 1024
  } catch {
    return null
  }
}

/** Samples `sample()` every `ms` and keeps the peak; `stop()` returns it. */
export function peakSampler(sample, ms = 200) {
  let peak = null
  const take = () => {
    const v = sample()
    if (v !== null && (peak === null || v > peak)) peak = v
  }
  take()
  const timer = setInterval(take, ms)
  return {
    peek: () => peak,
    stop() {
      clearInterval(timer)
      take()
      return peak
    },
  }
}
