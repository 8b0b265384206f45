/**
 * Vite config of the web inbox. `@kilt-messaging/core` is the library's TypeScript source.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

/**
 * The Content-Security-Policy of the built app (meta tag and preview headers). Relays are any
 * http(s)/ws(s) origin the user enters; scripts, styles and images only from the app itself.
 */
export const CSP =
  "default-src 'self'; connect-src 'self' http: https: ws: wss:; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'"
/** The dev server injects CSS as inline <style> elements (hot reload): allow them in dev only. */
const DEV_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

/** Puts the CSP into the built index.html as a meta tag (not in dev, where Vite needs inline styles). */
function cspMeta(): Plugin {
  return {
    name: 'kilt-msg-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP },
        injectTo: 'head-prepend',
      },
    ],
  }
}

export default defineConfig({
  root: here('.'),
  resolve: {
    alias: {
      '@kilt-messaging/core': here('../../packages/core/src/index.ts'),
    },
  },
  plugins: [cspMeta()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: false,
    headers: { 'Content-Security-Policy': DEV_CSP },
  },
  preview: { host: '127.0.0.1', port: 4173, headers: { 'Content-Security-Policy': CSP } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
})
