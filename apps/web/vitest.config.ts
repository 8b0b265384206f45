/**
 * The web app's tests (`npm run test:web`): compose templates in Node, and end-to-end runs of the
 * built app in headless Chromium (playwright-core, `/usr/bin/chromium`) against an in-process relay.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const coreSrc = fileURLToPath(new URL('../../packages/core/src/index.ts', import.meta.url))
const relaySrc = fileURLToPath(new URL('../../packages/relay/src/index.ts', import.meta.url))

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: { '@kilt-messaging/core': coreSrc, '@kilt-messaging/relay': relaySrc } },
  test: {
    name: 'web',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
})
