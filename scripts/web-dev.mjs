#!/usr/bin/env node
/**
 * `npm run web`: a local relay on SQLite in a temp dir (port 8787, CORS for the app's origin) and
 * the Vite dev server of `apps/web` (http://127.0.0.1:5173/?relay=http://127.0.0.1:8787).
 * Builds the relay (tsc -b) when its dist is missing. Ctrl-C stops both.
 *
 * Env: KILT_RELAY_PORT (8787), WEB_PORT (5173).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const relayPort = Number(process.env.KILT_RELAY_PORT ?? 8787)
const webPort = Number(process.env.WEB_PORT ?? 5173)
const origins = [`http://127.0.0.1:${webPort}`, `http://localhost:${webPort}`]
const relayBin = join(root, 'packages/relay/dist/bin.js')

if (!existsSync(relayBin)) {
  console.log('building the relay (tsc -b packages/relay)…')
  const r = spawnSync('npx', ['tsc', '-b', 'packages/core', 'packages/relay'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

const dir = mkdtempSync(join(tmpdir(), 'kilt-web-relay-'))
const children = []
function stop(code = 0) {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM')
  setTimeout(() => {
    rmSync(dir, { recursive: true, force: true })
    process.exit(code)
  }, 500)
}

const relay = spawn(
  process.execPath,
  [
    relayBin,
    '--port',
    String(relayPort),
    '--db',
    join(dir, 'relay.db'),
    '--cors',
    origins.join(','),
    '--log-level',
    'warn',
  ],
  { cwd: root, stdio: 'inherit' },
)
children.push(relay)
const vite = spawn(
  process.execPath,
  [
    join(root, 'node_modules/vite/bin/vite.js'),
    '--config',
    join(root, 'apps/web/vite.config.ts'),
    '--port',
    String(webPort),
    '--strictPort',
  ],
  { cwd: join(root, 'apps/web'), stdio: 'inherit' },
)
children.push(vite)
console.log(`relay: http://127.0.0.1:${relayPort} (SQLite in ${dir})`)
console.log(`web:   http://127.0.0.1:${webPort}/?relay=http://127.0.0.1:${relayPort}`)
for (const c of children)
  c.on('exit', (code) => {
    console.error(`${c === relay ? 'relay' : 'vite'} exited (${code}); stopping`)
    stop(code ?? 1)
  })
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))
