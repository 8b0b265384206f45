/**
 * Which NaCl box backend the library picks in Chromium: WebCrypto X25519 or noble, never a Node one.
 */
import { expect, it } from 'vitest'
import { availableBoxBackends, getBoxBackend, loadBoxBackend } from '../../src/crypto/backend.js'
import { describeInBrowser } from './vectors.js'

describeInBrowser('crypto backend in Chromium', () => {
  it('runs in a real browser, not Node', () => {
    expect(typeof window).toBe('object')
    expect(typeof document).toBe('object')
    expect(navigator.userAgent).toMatch(/Chrome/)
    expect((globalThis as { Buffer?: unknown }).Buffer).toBeUndefined()
  })

  it('getBoxBackend() picks WebCrypto (or noble), never sodium/node', async () => {
    const b = await getBoxBackend()
    expect(['webcrypto', 'noble']).toContain(b.name)
    // Chromium has WebCrypto X25519: it must be the choice here.
    expect(b.name).toBe('webcrypto')
  })

  it('the Node backends are unavailable; webcrypto and noble pass their self-tests', async () => {
    expect(await loadBoxBackend('sodium')).toBeUndefined()
    expect(await loadBoxBackend('node')).toBeUndefined()
    expect((await loadBoxBackend('webcrypto'))?.name).toBe('webcrypto')
    expect((await loadBoxBackend('noble'))?.name).toBe('noble')
    const names = (await availableBoxBackends()).map((b) => b.name)
    expect(names).toEqual(['webcrypto', 'noble'])
  })
})
