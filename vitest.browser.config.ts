/**
 * The core library's browser-safe tests in headless Chromium (vitest browser mode, Playwright
 * provider, the system Chromium — no browser download). Run with
 * `vitest run --config vitest.browser.config.ts`.
 */
import { fileURLToPath } from 'node:url'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.mjs'

const coreSrc = fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url))

export default defineConfig({
  resolve: { alias: { '@kilt-messaging/core': coreSrc } },
  server: { host: '127.0.0.1' },
  test: {
    name: 'browser',
    include: [
      'packages/core/test/browser/**/*.test.ts',
      // Unit tests that need no Node API (no node:fs, no SDK oracle) run unchanged in Chromium too.
      'packages/core/test/message/body-hostile.test.ts',
      'packages/core/test/message/body-registry.test.ts',
      'packages/core/test/message/body-integrity.test.ts',
      'packages/core/test/keys/pairs.test.ts',
      'packages/core/test/keys/derive-mnemonic.test.ts',
      'packages/core/test/did/light-did.test.ts',
      'packages/core/test/did/w3c.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          args: CHROMIUM_ARGS,
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
