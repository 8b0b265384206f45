// The README's runnable example, run as a user would (against the built package).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../../', import.meta.url))

describe('examples/hello.mjs', () => {
  beforeAll(() => {
    if (!existsSync(`${root}packages/core/dist/index.js`))
      execFileSync('npx', ['tsc', '-b', 'packages/core'], { cwd: root })
  }, 120_000)

  it('exchanges a request and a reply and rejects the replay', () => {
    const out = execFileSync('node', ['examples/hello.mjs'], { cwd: root, encoding: 'utf8' })
    expect(out).toMatch(/^Alice did:kilt:light:00/m)
    expect(out).toContain('Bob got request-credential from Alice')
    expect(out).toContain('Alice got reject in reply to true')
    expect(out).toContain('replayed envelope rejected: ERR_MESSAGE_REPLAYED')
  }, 60_000)
})
