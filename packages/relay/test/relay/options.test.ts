import { createLightResolver, MessagingError } from '@kilt-messaging/core'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createRelay, type RelayOptions } from '../../src/index.js'
import { createMemoryStore, type MemoryStore } from '../helpers/memory-store.js'

/** A memory store counting `init` calls: a refused option must never reach the store. */
function countingStore(): MemoryStore & { inits: number } {
  const store = createMemoryStore() as MemoryStore & { inits: number }
  store.inits = 0
  const init = store.init.bind(store)
  store.init = async () => {
    store.inits++
    await init()
  }
  return store
}

/** What `createRelay(options)` rejects with (the app is closed if it was created after all). */
async function rejection(options: unknown): Promise<unknown> {
  let app: Awaited<ReturnType<typeof createRelay>>
  try {
    app = await createRelay(options as RelayOptions)
  } catch (e) {
    return e
  }
  await app.close()
  return undefined
}

/** Expects `createRelay` to refuse the option `name` with value `value` before touching the store. */
async function expectRefused(name: string, extra: Record<string, unknown>): Promise<void> {
  const store = countingStore()
  const e = await rejection({ store, logger: false, expireIntervalMs: 0, ...extra })
  expect(e, `${name}: ${JSON.stringify(extra)}`).toBeInstanceOf(MessagingError)
  expect((e as MessagingError).code).toBe('ERR_ARGUMENT_INVALID')
  expect((e as MessagingError).message).toContain(name)
  expect(store.inits).toBe(0)
}

describe('createRelay options', () => {
  it('refuses options that are not an object with ERR_ARGUMENT_INVALID', async () => {
    for (const options of [undefined, null, 42, 'store', true, [], () => {}]) {
      const e = await rejection(options)
      expect(e, String(options)).toBeInstanceOf(MessagingError)
      expect((e as MessagingError).code).toBe('ERR_ARGUMENT_INVALID')
      expect((e as MessagingError).message).toContain('"options"')
    }
  })

  it('refuses unknown option names, naming them', async () => {
    await expectRefused('"port"', { port: 8080 })
    await expectRefused('"metricToken"', { metricToken: 'x'.repeat(32) })
    await expectRefused('"cors.methods"', { cors: { origins: '*', methods: ['GET'] } })
  })

  it('refuses a store that is not a MailboxStore', async () => {
    const { deposit, list } = createMemoryStore()
    for (const store of [undefined, null, 'kilt-relay.db', 42, [], {}, { deposit, list }]) {
      const e = await rejection({ store, logger: false })
      expect(e).toBeInstanceOf(MessagingError)
      expect((e as MessagingError).code).toBe('ERR_ARGUMENT_INVALID')
      expect((e as MessagingError).message).toContain('"store"')
    }
    const withoutPing = countingStore() as unknown as Record<string, unknown>
    withoutPing.ping = undefined
    const e = await rejection({ store: withoutPing, logger: false })
    expect((e as MessagingError).code).toBe('ERR_ARGUMENT_INVALID')
    expect(withoutPing.inits).toBe(0)
  })

  it('refuses a malformed metricsToken', async () => {
    for (const metricsToken of [
      null,
      42,
      '',
      'short',
      'x'.repeat(257),
      'sixteen chars incl space',
      ['x'.repeat(20)],
    ])
      await expectRefused('"metricsToken"', { metricsToken })
  })

  it('refuses negative, fractional, non-number, out-of-range and unknown limits', async () => {
    for (const limits of [null, 5, 'maxBatch=1', []]) await expectRefused('"limits"', { limits })
    for (const value of [-1, 0, 1.5, '10', Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, null])
      await expectRefused('"limits.maxBatch"', { limits: { maxBatch: value } })
    await expectRefused('"limits.ipRequestsPerMinute"', { limits: { ipRequestsPerMinute: -1 } })
    await expectRefused('"limits.senderDepositsPerMinute"', { limits: { senderDepositsPerMinute: 0.5 } })
    await expectRefused('"limits.nope"', { limits: { nope: 1 } })
  })

  it('refuses lifetimes and periods that are not positive integers, or that no timer can hold', async () => {
    for (const name of ['tokenTtlMs', 'challengeTtlMs', 'messageTtlMs', 'heartbeatMs'])
      for (const value of [0, -1, 1.5, '60000', null, Number.NaN])
        await expectRefused(`"${name}"`, { [name]: value })
    for (const value of [-1, 0.5, '0']) await expectRefused('"expireIntervalMs"', { expireIntervalMs: value })
    // Above 2^31 - 1 ms, setTimeout/setInterval fire after 1 ms: a live session would be closed
    // for an expired token at once, heartbeats and expiry sweeps would spin.
    for (const name of ['tokenTtlMs', 'challengeTtlMs', 'heartbeatMs', 'expireIntervalMs'])
      await expectRefused(`"${name}"`, { [name]: 2 ** 31 })
    // Receipt time plus the lifetime must stay a safe integer.
    await expectRefused('"messageTtlMs"', { messageTtlMs: Number.MAX_SAFE_INTEGER })
  })

  it('refuses malformed clock, logger, resolver, resolvesFullDids and deploymentId', async () => {
    for (const clock of [null, 'Date.now', 1]) await expectRefused('"clock"', { clock })
    for (const logger of [null, true, 'info', {}, { info() {} }]) await expectRefused('"logger"', { logger })
    for (const resolver of [null, 'https://resolver.example', {}, { resolveKey() {} }])
      await expectRefused('"resolver"', { resolver })
    await expectRefused('"resolvesFullDids"', { resolvesFullDids: 'yes', resolver: createLightResolver() })
    await expectRefused('"resolvesFullDids"', { resolvesFullDids: true })
    for (const deploymentId of [null, '', 42, 'x'.repeat(129), 'a\nb', 'relay\u0000', '\u0085'])
      await expectRefused('"deploymentId"', { deploymentId })
  })

  it('refuses malformed cors, trustProxy and publicUrl', async () => {
    // A string of origins would have been spread into single characters.
    for (const cors of [
      null,
      '*',
      'https://app.example',
      { origins: 'https://app.example' },
      { origins: [1] },
      // never equal to a browser's Origin header: a path, upper case, a default port, not http(s)
      { origins: ['https://app.example/'] },
      { origins: ['https://APP.example'] },
      { origins: ['https://app.example:443'] },
      { origins: ['app.example'] },
      { origins: ['ftp://app.example'] },
      { origins: ['null'] },
      { origins: ['https://app.example', ''] },
    ])
      await expectRefused('"cors', { cors })
    for (const trustProxy of [
      null,
      1,
      '',
      'garbage',
      '10.0.0.0/33',
      '10.0.0.0/',
      '::1/129',
      'loopback,',
      ['127.0.0.1'],
    ])
      await expectRefused('"trustProxy"', { trustProxy })
    for (const publicUrl of [null, 42, '', 'relay.example', 'ftp://relay.example', ['https://a.example', 42]])
      await expectRefused('"publicUrl"', { publicUrl })
  })

  it('accepts every option at its edges', async () => {
    const store = countingStore()
    const app = await createRelay({
      store,
      resolver: createLightResolver(),
      resolvesFullDids: false,
      logger: pino({ level: 'silent' }),
      clock: Date.now,
      limits: {
        maxBatch: 1,
        ipRequestsPerMinute: 0,
        senderDepositsPerMinute: 0,
        mailboxDepositsPerMinute: 0,
      },
      tokenTtlMs: 2 ** 31 - 1,
      challengeTtlMs: 1,
      messageTtlMs: 100 * 365 * 24 * 3600_000,
      expireIntervalMs: 0,
      heartbeatMs: 2 ** 31 - 1,
      deploymentId: 'd'.repeat(128),
      cors: { origins: '*' },
      trustProxy: 'loopback, 10.0.0.0/8, 192.168.0.0/255.255.0.0, ::1, fd00::/8',
      publicUrl: ['https://relay.example/'],
      metricsToken: 'm'.repeat(16),
    })
    try {
      expect(store.inits).toBe(1)
      const res = await app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${'m'.repeat(16)}` },
      })
      expect(res.statusCode).toBe(200)
    } finally {
      await app.close()
    }
    const plain = await createRelay({ store, logger: false, trustProxy: true, cors: { origins: [] } })
    await plain.close()
  })
})
