/**
 * @module test/store/build
 * Transpiles `src/store` into a directory of plain ES modules (Node 20 cannot run TypeScript), with
 * `@kilt-messaging/core` pointed at the transpiled core errors. Child processes and the SQLite
 * writer's worker thread run this real store code (a worker thread cannot load `.ts` files).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

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

/** Where a test puts the `MessagingError` class the built modules should throw (see below). */
export const SHARED_ERRORS = Symbol.for('kilt-relay-test:core-errors')

/**
 * Builds the store modules into `<dir>/build` (with `<dir>/node_modules` linked to the repository's).
 * Their `MessagingError` is the class found at `globalThis[SHARED_ERRORS]` when the modules load
 * (so a test's `isMessagingError` recognises their errors), else the transpiled core's own.
 * @returns the build directory (holding `index.js`, `sqlite.js`, …)
 */
export function buildStoreModules(dir: string): string {
  const buildRoot = join(dir, 'build')
  const coreImpl = join(buildRoot, 'core-errors-impl.js')
  const coreOut = join(buildRoot, 'core-errors.js')
  transpile(coreErrors, coreImpl, coreImpl)
  writeFileSync(
    coreOut,
    "import * as own from './core-errors-impl.js'\n" +
      `const shared = globalThis[Symbol.for('kilt-relay-test:core-errors')]\n` +
      'export const MessagingError = shared?.MessagingError ?? own.MessagingError\n',
  )
  for (const src of walk(storeSrc)) {
    transpile(src, join(buildRoot, relative(storeSrc, src).replace(/\.ts$/, '.js')), coreOut)
  }
  // Let the compiled modules resolve better-sqlite3 and pg from the repository's node_modules.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return buildRoot
}
