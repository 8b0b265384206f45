#!/usr/bin/env node
/**
 * Bundles `packages/core/src/index.ts` for browsers (ESM, minified, no Node polyfills) and prints the
 * minified and gzipped sizes. Fails when the bundle would pull in a Node built-in other than the
 * optional fast paths (`node:*` and `sodium-native`, reached only through dynamic imports with
 * non-literal specifiers, kept external), or when the output references Node globals.
 *
 * Uses esbuild when it is installed, else rolldown (the bundler shipped with Vite 8).
 *
 * Usage: node packages/core/scripts/bundle-size.mjs [--out <file>] [--json]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))
const entry = resolve(here, '../src/index.ts')
const { values: args } = parseArgs({ options: { out: { type: 'string' }, json: { type: 'boolean' } } })

const ALLOWED_EXTERNAL = (id) => id.startsWith('node:') || id === 'sodium-native'
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]]))
const isNodeish = (id) => NODE_BUILTINS.has(id) || NODE_BUILTINS.has(id.split('/')[0])

const externals = new Set()
const offending = []

function classify(id, importer) {
  if (ALLOWED_EXTERNAL(id)) {
    externals.add(id)
    return 'external'
  }
  if (isNodeish(id)) {
    offending.push(`${id} (imported by ${importer ?? '?'})`)
    return 'external'
  }
  return undefined
}

async function withEsbuild(esbuild) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    treeShaking: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'no-node',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (a) =>
            a.kind !== 'entry-point' && classify(a.path, a.importer) === 'external'
              ? { path: a.path, external: true }
              : undefined,
          )
        },
      },
    ],
  })
  return { code: result.outputFiles[0].text, bundler: `esbuild ${esbuild.version}` }
}

async function withRolldown(rolldown, version) {
  const bundle = await rolldown.rolldown({
    input: entry,
    platform: 'browser',
    logLevel: 'silent',
    treeshake: true,
    plugins: [
      {
        name: 'no-node',
        resolveId(id, importer) {
          return classify(id, importer) === 'external' ? { id, external: true } : null
        },
      },
    ],
  })
  const { output } = await bundle.generate({ format: 'es', minify: true, codeSplitting: false })
  await bundle.close()
  const chunks = output.filter((o) => o.type === 'chunk')
  if (chunks.length !== 1) throw new Error(`expected one chunk, got ${chunks.length}`)
  return { code: chunks[0].code, bundler: `rolldown ${version}` }
}

async function build() {
  try {
    const esbuild = await import('esbuild')
    return await withEsbuild(esbuild.default ?? esbuild)
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
  }
  const rolldown = await import('rolldown')
  const { createRequire } = await import('node:module')
  const version = createRequire(import.meta.url)('rolldown/package.json').version
  return withRolldown(rolldown, version)
}

const { code, bundler } = await build()
if (offending.length > 0) {
  console.error(`bundle-size: Node built-ins pulled into the browser bundle:\n  ${offending.join('\n  ')}`)
  process.exit(1)
}
// Static imports left in the output must be none: the Node fast paths are dynamic, non-literal imports.
const staticImports = [
  ...code.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g),
].map((m) => m[1])
// Free Node globals (feature-detected `globalThis.Buffer` in dependencies is fine).
const nodeGlobals = [...code.matchAll(/(?<![.\w$])(require\(|process\.|Buffer\.|__dirname|__filename)/g)].map(
  (m) => m[1],
)
if (staticImports.length > 0 || nodeGlobals.length > 0) {
  console.error(
    `bundle-size: the bundle references Node: imports [${staticImports.join(', ')}], globals [${[...new Set(nodeGlobals)].join(', ')}]`,
  )
  process.exit(1)
}

const minified = Buffer.byteLength(code)
const gzipped = gzipSync(code, { level: 9 }).length
if (args.out !== undefined) {
  mkdirSync(dirname(resolve(args.out)), { recursive: true })
  writeFileSync(args.out, code)
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`
if (args.json) {
  console.log(JSON.stringify({ bundler, minified, gzipped, externals: [...externals].sort() }))
} else {
  console.log(`@kilt-messaging/core browser bundle (${bundler}, ESM, minified)`)
  console.log(`  minified: ${minified} bytes (${kib(minified)})`)
  console.log(`  gzipped:  ${gzipped} bytes (${kib(gzipped)})`)
  console.log(`  external (dynamic, Node only): ${[...externals].sort().join(', ') || 'none'}`)
}
