/**
 * kill -9 in the middle of a deposit load: every id the child printed (after its deposit promise
 * resolved) must be in the file afterwards. The child runs the real store code, transpiled from
 * `src/store` into a temp directory (Node 20 cannot run TypeScript).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { isMessageId } from '../../src/store/ids.js'
import { createSqliteStore } from '../../src/store/sqlite.js'
import { tempDir } from './helpers.js'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '../../../..')
const storeSrc = join(repo, 'packages/relay/src/store')
const coreErrors = join(repo, 'packages/core/src/errors.ts')

/** Transpiles one module, pointing its `@kilt-messaging/core` import at the transpiled core errors. */
function transpile(src: string, out: string, coreOut: string): void {
  const js = ts.transpileModule(readFileSync(src, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  }).outputText
  let rel = relative(dirname(out), coreOut).split(sep).join('/')
  if (!rel.startsWith('.')) rel = `./${rel}`
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, js.replaceAll("from '@kilt-messaging/core'", `from '${rel}'`))
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : []
  })
}

describe('SQLite store survives kill -9', () => {
  const tmp = tempDir()
  afterAll(() => tmp.remove())

  it('every id printed after its deposit resolved is present after the crash', async () => {
    const buildRoot = join(tmp.dir, 'build')
    const coreOut = join(buildRoot, 'core-errors.js')
    transpile(coreErrors, coreOut, coreOut)
    for (const src of walk(storeSrc)) {
      transpile(src, join(buildRoot, relative(storeSrc, src).replace(/\.ts$/, '.js')), coreOut)
    }
    // Let the compiled modules resolve better-sqlite3 and pg from the repository's node_modules.
    symlinkSync(join(repo, 'node_modules'), join(tmp.dir, 'node_modules'), 'dir')
    const file = join(tmp.dir, 'crash.db')

    const child = spawn(process.execPath, [join(here, 'crash-child.mjs'), buildRoot, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    )
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child produced too few ids; stderr: ${err}`)), 30_000)
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        // Kill once a fair number of deposits were acknowledged, while the load goes on.
        if (out.split('\n').length > 1500) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.on('exit', () => reject(new Error(`child exited early; stderr: ${err}`)))
    })
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    const lines = out.split('\n')
    expect(lines[0]).toBe('ready')
    // The last line may be cut by the kill; only complete lines count.
    const printed = lines.slice(1, -1).filter((l) => l !== '')
    expect(printed.every(isMessageId)).toBe(true)
    expect(printed.length).toBeGreaterThan(1000)

    const store = createSqliteStore({ file })
    await store.init()
    try {
      const present = new Set<string>()
      for (let m = 0; m < 4; m++) {
        let after: string | undefined
        for (;;) {
          const page = await store.list(`mb${m}`, {
            limit: 5000,
            now: Date.now(),
            ...(after ? { after } : {}),
          })
          for (const msg of page) present.add(msg.id)
          if (page.length < 5000) break
          after = page[page.length - 1]!.id
        }
      }
      const missing = printed.filter((id) => !present.has(id))
      expect(missing).toEqual([])
      expect(present.size).toBeGreaterThanOrEqual(printed.length)
      expect(await store.depth()).toBe(present.size)
    } finally {
      await store.close()
    }
  })
})
