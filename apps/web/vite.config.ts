/**
 * Vite config of the web inbox. `@kilt-messaging/core` is the library's TypeScript source.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  root: here('.'),
  resolve: {
    alias: {
      '@kilt-messaging/core': here('../../packages/core/src/index.ts'),
    },
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
})
