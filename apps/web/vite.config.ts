/**
 * Vite config of the web inbox. `@kilt-messaging/core` is the library's TypeScript source; `qrcode`
 * falls back to a stub (no QR drawn, DID shown as text) when the package is not installed.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

function hasPackage(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name)
    return true
  } catch {
    return false
  }
}

export default defineConfig({
  root: here('.'),
  resolve: {
    alias: {
      '@kilt-messaging/core': here('../../packages/core/src/index.ts'),
      ...(hasPackage('qrcode') ? {} : { qrcode: here('src/qr-fallback.ts') }),
    },
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
})
