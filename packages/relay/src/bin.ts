#!/usr/bin/env node
/**
 * @module bin
 * `kilt-relay`: runs the relay on SQLite (`--db`) or PostgreSQL (`--postgres`). Prints
 * `kilt-relay listening on http://…` and shuts down cleanly on SIGTERM/SIGINT (stops accepting,
 * drains in-flight requests, closes live sockets, closes the store).
 */
import { composeResolvers, createHttpResolver } from '@kilt-messaging/core'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { loadConfig, USAGE } from './config.js'
import { defaultPublicOrigins } from './lib/public-origins.js'
import { createRelay } from './relay.js'
import { openStore } from './store/index.js'

const DRAIN_TIMEOUT_MS = 10_000
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env)
  if (config.help) {
    process.stdout.write(USAGE)
    return
  }
  const logger = pino({ level: config.logLevel })
  // Built before the store is opened, so that a refused resolver URL leaves nothing open.
  const resolver =
    config.resolverUrl === undefined
      ? undefined
      : composeResolvers({ resolvers: [createHttpResolver({ baseUrl: config.resolverUrl })] })
  const store = openStore({
    ...(config.db === undefined ? {} : { db: config.db }),
    ...(config.postgres === undefined ? {} : { postgres: config.postgres }),
    ...(config.postgresSchema === undefined ? {} : { schema: config.postgresSchema }),
    ...(config.synchronous === undefined ? {} : { synchronous: config.synchronous }),
  })
  let app: FastifyInstance | undefined
  try {
    app = await createRelay({
      store,
      logger,
      limits: config.limits,
      ...(resolver === undefined ? {} : { resolver }),
      ...(config.tokenTtlMs === undefined ? {} : { tokenTtlMs: config.tokenTtlMs }),
      ...(config.challengeTtlMs === undefined ? {} : { challengeTtlMs: config.challengeTtlMs }),
      ...(config.messageTtlMs === undefined ? {} : { messageTtlMs: config.messageTtlMs }),
      ...(config.deploymentId === undefined ? {} : { deploymentId: config.deploymentId }),
      ...(config.corsOrigins === undefined ? {} : { cors: { origins: config.corsOrigins } }),
      ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
      ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
      // Without --public-url: the listen address's origins (known before listen unless port 0).
      ...(config.publicUrl !== undefined
        ? { publicUrl: config.publicUrl }
        : config.port === 0
          ? {}
          : { publicUrl: defaultPublicOrigins(config.host, config.port) }),
    })
    await app.listen({ port: config.port, host: config.host })
  } catch (e) {
    // createRelay refused the options or the store's init failed, or the address is taken: close
    // what was opened (the store is ours to close), then report the first error.
    await app?.close().catch(() => undefined)
    await store.close().catch(() => undefined)
    throw e
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  process.stdout.write(`kilt-relay listening on http://${host}:${port}\n`)
  const served = config.publicUrl ?? defaultPublicOrigins(config.host, port)
  logger.info({ publicUrl: served }, 'login challenges bound to these origins')
  if (config.publicUrl === undefined && !LOOPBACK.has(config.host))
    logger.warn(
      'no --public-url: clients reaching this relay by another name than its listen address cannot log in',
    )

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => {
      logger.error('drain timed out')
      process.exit(1)
    }, DRAIN_TIMEOUT_MS)
    force.unref()
    app
      .close()
      .then(() => store.close())
      .then(
        () => {
          logger.info('stopped')
          process.exit(0)
        },
        (e: unknown) => {
          logger.error({ err: e }, 'shutdown failed')
          process.exit(1)
        },
      )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((e: unknown) => {
  // One line: the first of the message (a driver's error may span several).
  const message = e instanceof Error ? e.message : String(e)
  process.stderr.write(`kilt-relay: ${message.split('\n')[0]}\n`)
  process.exit(1)
})
