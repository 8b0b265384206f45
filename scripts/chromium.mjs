// The system Chromium the browser tests run in (Debian's `chromium`, or CHROMIUM_PATH) and its
// flags, shared by the core's browser suite (vitest.browser.config.ts), the web app's end-to-end
// tests (apps/web/test/e2e.test.ts) and the runner (scripts/browser-tests.mjs).

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Chromium flags for a closed network: no sandbox (root), no GPU, no background connections. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
