/**
 * End to end: the built app (Vite build + preview server) in headless Chromium (playwright-core,
 * `/usr/bin/chromium`), two browser contexts (Alice and Bob), an in-process relay on SQLite with
 * real HTTP and WebSocket on 127.0.0.1. Covers identity creation, live exchange both ways, reply,
 * a tampered envelope shown as rejected, a message encrypted in Node and read in the browser, a
 * createdAt beyond any date, lock (the recovery phrase cleared), wrong passphrase, relay down, and
 * screenshots (desktop and 390×844).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createLightResolver,
  createMessage,
  createRelayClient,
  type DidUri,
  encryptMessage,
  type Message,
  type MessageBody,
  randomBytes,
  toHex,
} from '@kilt-messaging/core'
import { createRelay, createSqliteStore } from '@kilt-messaging/relay'
import type { FastifyInstance } from 'fastify'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { build, type PreviewServer, preview } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/chromium.mjs'
import { party } from './helpers/party.js'

const webRoot = fileURLToPath(new URL('..', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
const results = join(webRoot, 'test-results')

let server: PreviewServer
let relay: FastifyInstance
let store: ReturnType<typeof createSqliteStore>
let browser: Browser
let dir: string
let appUrl: string
let relayUrl: string

beforeAll(async () => {
  mkdirSync(results, { recursive: true })
  dir = mkdtempSync(join(tmpdir(), 'kilt-web-e2e-'))
  const configFile = join(webRoot, 'vite.config.ts')
  await build({ configFile, logLevel: 'error', build: { outDir: join(dir, 'dist'), sourcemap: false } })
  server = await preview({
    configFile,
    logLevel: 'error',
    build: { outDir: join(dir, 'dist') },
    preview: { port: 0 },
  })
  const address = server.httpServer.address() as AddressInfo
  appUrl = `http://127.0.0.1:${address.port}`
  store = createSqliteStore({ file: join(dir, 'relay.db') })
  relay = await createRelay({ store, logger: false, cors: { origins: [appUrl] } })
  await relay.listen({ port: 0, host: '127.0.0.1' })
  relayUrl = `http://127.0.0.1:${(relay.server.address() as AddressInfo).port}`
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  })
})

afterAll(async () => {
  await browser?.close()
  await relay?.close()
  await store?.close?.()
  await new Promise<void>((r) => (server ? server.httpServer.close(() => r()) : r()))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function openApp(context: BrowserContext): Promise<Page> {
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error('[page error]', e.message))
  await page.goto(`${appUrl}/?relay=${encodeURIComponent(relayUrl)}`)
  return page
}

async function createIdentity(page: Page, passphrase: string): Promise<string> {
  await page.locator('#create-form').waitFor({ state: 'visible' })
  await page.getByLabel('New random identity').check()
  await page.getByLabel(/^Passphrase \(at least 8/).fill(passphrase)
  await page.getByRole('button', { name: 'Create identity' }).click()
  await expect.poll(() => page.locator('#relay-state').textContent(), { timeout: 30_000 }).toMatch(/live/)
  const did = (await page.locator('#my-did').textContent()) ?? ''
  expect(did).toMatch(/^did:kilt:light:00/)
  return did
}

async function send(page: Page, to: string, type: string, replying = false): Promise<void> {
  if (!replying) await page.getByLabel('To (DID)').fill(to)
  await page.getByLabel('Body type').selectOption(type)
  await page.getByRole('button', { name: 'Send' }).click()
  await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toMatch(/^Sent /)
  expect(await page.locator('#alert').isHidden()).toBe(true)
}

/** A message to `receiver` from a fresh identity, encrypted in Node with the core library. */
async function encryptedInNode(body: MessageBody, receiver: string) {
  const sender = party()
  const message = createMessage(body, { sender: sender.did, receiver: receiver as DidUri })
  return { sender, envelope: await encryptMessage(message, { keys: sender.keys }) }
}

describe('web inbox end to end', () => {
  let alice: BrowserContext
  let bob: BrowserContext
  let alicePage: Page
  let bobPage: Page
  let aliceDid: string
  let bobDid: string

  it('Alice and Bob create identities and go live', async () => {
    alice = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    bob = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    alicePage = await openApp(alice)
    bobPage = await openApp(bob)
    aliceDid = await createIdentity(alicePage, 'alice passphrase 1')
    bobDid = await createIdentity(bobPage, 'bob passphrase 22')
    expect(aliceDid).not.toBe(bobDid)
    expect(await alicePage.locator('#backup-phrase').textContent()).toMatch(/^(\w+ ){11}\w+$/)
    // The DID is drawn as a QR code: the canvas is visible and not blank.
    await expect.poll(() => alicePage.locator('#qr').isVisible()).toBe(true)
    const darkPixels = await alicePage.locator('#qr').evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray()
      let dark = 0
      for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 64) dark++
      return dark
    })
    expect(darkPixels).toBeGreaterThan(1000)
  })

  it('Alice → Bob arrives live, verified on every check', async () => {
    await send(alicePage, bobDid, 'request-credential')
    const item = bobPage.locator('#inbox li[data-status="ok"]').first()
    await item.waitFor({ timeout: 15_000 })
    await item.locator('button').click()
    await expect.poll(() => bobPage.locator('#message-h').textContent()).toBe('request-credential')
    const checks = await bobPage.locator('#checks li').allTextContents()
    expect(checks).toHaveLength(4)
    expect(checks.every((c) => c.startsWith('✓'))).toBe(true)
    expect(await bobPage.locator('#message-meta').textContent()).toContain(aliceDid)
  })

  it('Bob replies; Alice sees it live, threaded', async () => {
    await bobPage.getByRole('button', { name: 'Reply' }).click()
    expect(await bobPage.getByLabel('To (DID)').inputValue()).toBe(aliceDid)
    await send(bobPage, aliceDid, 'submit-credential', true)
    const item = alicePage.locator('#inbox li[data-status="ok"]').first()
    await item.waitFor({ timeout: 15_000 })
    await item.locator('button').click()
    await expect.poll(() => alicePage.locator('#message-h').textContent()).toBe('submit-credential')
    expect(await alicePage.locator('#message-meta').textContent()).toContain('In reply to')
    expect((await alicePage.locator('#checks li').allTextContents()).every((c) => c.startsWith('✓'))).toBe(
      true,
    )
  })

  it('a message encrypted in Node with the core library is read in the browser', async () => {
    const { sender: carol, envelope } = await encryptedInNode(
      { type: 'error', content: { name: 'from-node', message: 'encrypted in Node, read in Chromium' } },
      bobDid,
    )
    await createRelayClient({ url: relayUrl }).send(envelope)
    const item = bobPage.locator('#inbox li[data-status="ok"]', { hasText: 'error' }).first()
    await item.waitFor({ timeout: 15_000 })
    await item.locator('button').click()
    expect(await bobPage.locator('#message-body').textContent()).toContain(
      'encrypted in Node, read in Chromium',
    )
    expect(await bobPage.locator('#message-meta').textContent()).toContain(carol.did)
  })

  it('a verified message with bidi overrides and controls in its id, reply-to and body is shown escaped', async () => {
    // A right-to-left override reverses what follows on screen (an id reads as another one); a line
    // separator breaks a line; a C1 control and a NUL are invisible.
    const HOSTILE = '\u202eevil\u2028\u0085\u2066x\u0000'
    const sender = party()
    const message: Message = {
      body: { type: 'reject', content: { name: 'hostile', message: `text ${HOSTILE}` } } as Message['body'],
      createdAt: Date.now(),
      sender: sender.did,
      receiver: bobDid as DidUri,
      messageId: `id${HOSTILE}`,
      inReplyTo: HOSTILE,
    }
    await createRelayClient({ url: relayUrl }).send(await encryptMessage(message, { keys: sender.keys }))
    const item = bobPage.locator('#inbox li[data-status="ok"]', { hasText: 'reject' }).first()
    await item.waitFor({ timeout: 15_000 })
    await item.locator('button').click()
    const meta = (await bobPage.locator('#message-meta').textContent()) ?? ''
    const body = (await bobPage.locator('#message-body').textContent()) ?? ''
    const unprintable = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u
    expect(meta).not.toMatch(unprintable)
    expect(meta).toContain('id\\u202eevil\\u2028\\u0085\\u2066x\\u0000')
    // the body's JSON keeps its own line feeds; JSON escapes the NUL, the page the rest
    expect(body.replaceAll('\n', '')).not.toMatch(unprintable)
    expect(body).toContain('"text \\u202eevil\\u2028\\u0085\\u2066x\\u0000"')
    // the checks passed: it is the display that escapes, not a rejection
    expect(await bobPage.locator('#checks li.bad').count()).toBe(0)
  })

  it('a tampered envelope (one ciphertext bit flipped) is listed as rejected with its code', async () => {
    const { envelope } = await encryptedInNode(
      { type: 'reject', content: { name: 'tampered', message: 'should never be readable' } },
      bobDid,
    )
    const bytes = Buffer.from(envelope.ciphertext.slice(2), 'hex')
    bytes[10]! ^= 0x01
    const tampered = { ...envelope, ciphertext: `0x${bytes.toString('hex')}` }
    const res = await fetch(`${relayUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(tampered),
    })
    expect(res.status).toBe(201)
    const item = bobPage.locator('#inbox li[data-status="rejected"]').first()
    await item.waitFor({ timeout: 15_000 })
    expect(await item.textContent()).toContain('ERR_DECRYPTION_FAILED')
    await item.locator('button').click()
    expect(await bobPage.locator('#message-meta').textContent()).toContain('ERR_DECRYPTION_FAILED')
    expect(await bobPage.locator('#message-body').textContent()).toBe('')
  })

  it('a message whose body is not even an object is listed as rejected; the inbox keeps working, after a reload too', async () => {
    // Anyone who knows a DID can deposit such a message: it must never stop the inbox.
    const sender = party()
    const receiverKey = await createLightResolver().resolveKey(`${bobDid}#encryption`, 'keyAgreement')
    const plaintext = {
      body: null,
      createdAt: Date.now(),
      sender: sender.did,
      receiver: bobDid,
      messageId: '0xbad',
    }
    const nonce = randomBytes(24)
    const box = await sender.keys.sealFor(
      `${sender.did}#encryption`,
      receiverKey.publicKey,
      new TextEncoder().encode(JSON.stringify(plaintext)),
      nonce,
    )
    const res = await fetch(`${relayUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ciphertext: toHex(box),
        nonce: toHex(nonce),
        senderKeyUri: `${sender.did}#encryption`,
        receiverKeyUri: `${bobDid}#encryption`,
      }),
    })
    expect(res.status).toBe(201)
    const bad = bobPage.locator('#inbox li[data-status="rejected"]', { hasText: 'ERR_BODY_INVALID' })
    await bad.waitFor({ timeout: 15_000 })
    // a message after it still arrives live, and the connection never claimed an error
    const { envelope } = await encryptedInNode(
      { type: 'error', content: { name: 'after', message: 'after the bad body' } },
      bobDid,
    )
    await createRelayClient({ url: relayUrl }).send(envelope)
    await bobPage.locator('#inbox li', { hasText: 'error' }).first().waitFor({ timeout: 15_000 })
    expect(await bobPage.locator('#alert').isHidden()).toBe(true)
    expect(await bobPage.locator('#relay-state').textContent()).toMatch(/live/)
    // a reload reads the queued inbox again: it must still get through and go live
    const page = await openApp(bob)
    await page.locator('#unlock-form').waitFor({ state: 'visible' })
    await page.getByLabel('Passphrase', { exact: true }).fill('bob passphrase 22')
    await page.getByRole('button', { name: 'Unlock' }).click()
    await expect.poll(() => page.locator('#relay-state').textContent(), { timeout: 20_000 }).toMatch(/live/)
    expect(
      await page.locator('#inbox li[data-status="rejected"]', { hasText: 'ERR_BODY_INVALID' }).count(),
    ).toBe(1)
    // every queued message is listed again, the bad one included
    await expect
      .poll(() => page.locator('#inbox li').count())
      .toBe(await bobPage.locator('#inbox li').count())
    await page.close()
  })

  it('screenshots of the inbox: desktop and phone size', async () => {
    await bobPage.locator('#inbox li[data-status="ok"]').first().locator('button').click()
    await bobPage.screenshot({ path: join(results, 'inbox.png'), fullPage: true })
    mkdirSync(join(repoRoot, 'docs'), { recursive: true })
    copyFileSync(join(results, 'inbox.png'), join(repoRoot, 'docs/screenshot-inbox.png'))
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    })
    // the same stored identity is per context: reuse Bob's storage state is not possible for
    // IndexedDB here, so the phone shows a new identity that receives one message.
    const page = await openApp(phone)
    const did = await createIdentity(page, 'phone passphrase')
    await send(alicePage, did, 'request-terms')
    await page.locator('#inbox li[data-status="ok"]').first().waitFor({ timeout: 15_000 })
    await page.locator('#inbox li button').first().click()
    const overflow = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      wide: [...document.querySelectorAll('main *')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')
        .map((e) => `${e.tagName}#${e.id}.${e.className} sw=${e.scrollWidth} cw=${e.clientWidth}`),
    }))
    expect(overflow.width, overflow.wide.join('; ')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: join(results, 'inbox-phone.png'), fullPage: true })
    await phone.close()
  })

  it('a verified message whose createdAt is beyond any date shows its own body, the time marked invalid', async () => {
    // `createdAt` is any finite number the sender chose: 1e300 ms is past what a Date can hold.
    const sender = party()
    const message: Message = {
      ...createMessage(
        { type: 'error', content: { name: 'far-future', message: 'created at 1e300' } },
        { sender: sender.did, receiver: bobDid as DidUri },
      ),
      createdAt: 1e300,
    }
    await createRelayClient({ url: relayUrl }).send(await encryptMessage(message, { keys: sender.keys }))
    const item = bobPage.locator('#inbox li[data-status="warn"]', { hasText: 'error' }).first()
    await item.waitFor({ timeout: 15_000 })
    expect(await item.textContent()).toContain('1e+300 (invalid date)')
    const openReject = async (): Promise<void> => {
      await bobPage
        .locator('#inbox li[data-status="ok"]', { hasText: 'reject' })
        .first()
        .locator('button')
        .click()
      await expect.poll(() => bobPage.locator('#message-h').textContent()).toBe('reject')
    }
    // another message is open first: none of its content may stay under this sender
    await openReject()
    await item.locator('button').click()
    await expect.poll(() => bobPage.locator('#message-h').textContent()).toBe('error')
    expect(await bobPage.locator('#message-body').textContent()).toContain('created at 1e300')
    const meta = (await bobPage.locator('#message-meta').textContent()) ?? ''
    expect(meta).toContain(sender.did)
    expect(meta).toContain('1e+300 (invalid date)')
    expect(await bobPage.locator('#checks li.bad').allTextContents()).toEqual([
      expect.stringContaining('ERR_MESSAGE_FUTURE'),
    ])
    expect(await bobPage.locator('#alert').isHidden()).toBe(true)
    // and selecting another message afterwards shows that one
    await openReject()
    expect(await bobPage.locator('#message-body').textContent()).toContain('hostile')
    expect(await bobPage.locator('#message-meta').textContent()).not.toContain(sender.did)
  })

  it('acknowledging deletes the message from the relay', async () => {
    const before = await bobPage.locator('#inbox li').count()
    await bobPage.locator('#inbox li button').first().click()
    await bobPage.getByRole('button', { name: /Acknowledge/ }).click()
    await expect.poll(() => bobPage.locator('#inbox li').count()).toBe(before - 1)
    await expect.poll(() => bobPage.locator('#status').textContent()).toMatch(/acknowledged/)
  })

  it('wrong passphrase → alert; the right one unlocks the same DID', async () => {
    const page = await openApp(alice)
    await page.locator('#unlock-form').waitFor({ state: 'visible' })
    expect(await page.locator('#stored-did').textContent()).toBe(aliceDid)
    await page.getByLabel('Passphrase', { exact: true }).fill('not the passphrase')
    await page.getByRole('button', { name: 'Unlock' }).click()
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 })
      .toMatch(/Wrong passphrase/)
    await page.getByLabel('Passphrase', { exact: true }).fill('alice passphrase 1')
    await page.getByRole('button', { name: 'Unlock' }).click()
    await expect.poll(() => page.locator('#my-did').textContent(), { timeout: 20_000 }).toBe(aliceDid)
    await expect.poll(() => page.locator('#relay-state').textContent(), { timeout: 15_000 }).toMatch(/live/)
    await page.close()
  })

  it('locking clears the recovery phrase of a new identity; unlocking again works', async () => {
    const carol = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await openApp(carol)
    const did = await createIdentity(page, 'carol passphrase')
    expect(await page.locator('#backup-phrase').textContent()).toMatch(/^(\w+ ){11}\w+$/)
    await page.getByRole('button', { name: 'Lock' }).click()
    await page.locator('#unlock-form').waitFor({ state: 'visible' })
    expect(await page.locator('#backup-phrase').textContent()).toBe('')
    expect(await page.locator('#backup').isHidden()).toBe(true)
    expect(await page.locator('#relay-state').textContent()).toBe('Not connected.')
    await page.getByLabel('Passphrase', { exact: true }).fill('carol passphrase')
    await page.getByRole('button', { name: 'Unlock' }).click()
    await expect.poll(() => page.locator('#relay-state').textContent(), { timeout: 20_000 }).toMatch(/live/)
    expect(await page.locator('#my-did').textContent()).toBe(did)
    expect(await page.locator('#backup-phrase').textContent()).toBe('')
    await carol.close()
  })

  it('a slower earlier Connect never takes over from a later one', async () => {
    // the same relay under a second name, whose login challenge is held back
    const slow = relayUrl.replace('127.0.0.1', 'localhost')
    let released: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      released = resolve
    })
    await alicePage.route(`${slow}/v1/auth/challenge`, async (route) => {
      await held
      await route.continue()
    })
    const tokenAnswered = alicePage.waitForResponse(`${slow}/v1/auth/token`)
    await alicePage.getByLabel('Relay URL').fill(slow)
    await alicePage.getByRole('button', { name: 'Connect' }).click()
    await alicePage.getByLabel('Relay URL').fill(relayUrl)
    await alicePage.getByRole('button', { name: 'Connect' }).click()
    const live = `Connected to ${relayUrl} — live.`
    await expect.poll(() => alicePage.locator('#relay-state').textContent(), { timeout: 15_000 }).toBe(live)
    // now the first connect's login goes through: it must change nothing
    released()
    expect((await tokenAnswered).status()).toBe(200)
    await alicePage.unroute(`${slow}/v1/auth/challenge`)
    // a message still arrives live through the later connection, and only there
    const { envelope } = await encryptedInNode(
      { type: 'error', content: { name: 'n', message: 'after two connects' } },
      aliceDid,
    )
    const before = await alicePage.locator('#inbox li').count()
    await createRelayClient({ url: relayUrl }).send(envelope)
    await expect.poll(() => alicePage.locator('#inbox li').count(), { timeout: 15_000 }).toBe(before + 1)
    expect(await alicePage.locator('#relay-state').textContent()).toBe(live)
  })

  it('locking empties the message view and the reply state (no decrypted text stays in the page)', async () => {
    const item = bobPage.locator('#inbox li[data-status="ok"]').first()
    await item.locator('button').click()
    await expect.poll(() => bobPage.locator('#message-body').textContent()).not.toBe('')
    await bobPage.getByRole('button', { name: 'Reply' }).click()
    expect(await bobPage.locator('#to').inputValue()).not.toBe('')
    await bobPage.getByRole('button', { name: 'Lock' }).click()
    await bobPage.locator('#unlock-form').waitFor({ state: 'visible' })
    for (const id of ['#message-h', '#message-meta', '#checks', '#message-body'])
      expect(await bobPage.locator(id).textContent(), id).toBe('')
    expect(await bobPage.locator('#reply-note').isHidden()).toBe(true)
    expect(await bobPage.locator('#to').inputValue()).toBe('')
  })

  it('relay down → a clear alert', async () => {
    await alicePage.getByLabel('Relay URL').fill('http://127.0.0.1:9')
    await alicePage.getByRole('button', { name: 'Connect' }).click()
    await expect
      .poll(() => alicePage.getByRole('alert').textContent(), { timeout: 20_000 })
      .toMatch(/Could not connect to the relay at http:\/\/127\.0\.0\.1:9/)
    await alice.close()
    await bob.close()
  })
})
