// Runs the browser test suites (the core's tests in headless Chromium, then the web inbox end to end).
// They need Debian's Chromium (`apt-get install chromium`, or CHROMIUM_PATH); without it they are
// skipped with a visible notice, as the PostgreSQL tests are without a database. CI installs it.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { CHROMIUM_PATH as chromium } from './chromium.mjs'

if (!existsSync(chromium)) {
  console.warn(
    `\n⚠ browser tests SKIPPED: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)\n`,
  )
  process.exit(process.env.CI_REQUIRE_BROWSER ? 1 : 0)
}
for (const script of ['test:browser', 'test:web']) {
  const run = spawnSync('npm', ['run', '-s', script], { stdio: 'inherit' })
  if (run.status !== 0) process.exit(run.status ?? 1)
}
