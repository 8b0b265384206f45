/**
 * Load of the relay benchmark: autocannon deposit passes (throughput) and a paced deposit → live
 * push pass (delivery latency, receiver on the core library's relay client over WebSocket).
 */
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { WebSocket } from 'ws'
import { createRelayClient } from '../../../packages/core/dist/index.js'

/** The `p` quantile (0..1) of sorted numbers (nearest rank). */
export function quantile(sorted, p) {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

/**
 * One autocannon run of `POST /v1/messages` with `body` (a JSON string, or several: each connection
 * cycles through them).
 * @returns {Promise<{ reqPerSec: number, p50Ms: number, p99Ms: number, ok: number, bad: number }>}
 */
export async function depositPass({ url, body, connections, seconds }) {
  const bodies = Array.isArray(body) ? body : [body]
  const headers = { 'content-type': 'application/json' }
  const r = await autocannon({
    url,
    // Each connection cycles through the bodies (one per receiver mailbox).
    requests: bodies.map((b) => ({ method: 'POST', path: '/v1/messages', headers, body: b })),
    connections,
    duration: seconds,
  })
  const elapsed = (new Date(r.finish).getTime() - new Date(r.start).getTime()) / 1000
  const ok = r['2xx']
  return {
    reqPerSec: ok / elapsed,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    ok,
    bad: r.non2xx + r.errors + r.timeouts,
  }
}

/**
 * A warm-up run, then `passes` runs; returns the best (most req/s) with every pass's req/s.
 */
export async function bestOf({ url, body, connections, seconds, passes, warmupSeconds, log }) {
  if (warmupSeconds > 0) await depositPass({ url, body, connections, seconds: warmupSeconds })
  const all = []
  for (let i = 0; i < passes; i++) {
    const r = await depositPass({ url, body, connections, seconds })
    log(
      `    pass ${i + 1}: ${r.reqPerSec.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, non-2xx/errors ${r.bad}`,
    )
    all.push(r)
  }
  const best = all.reduce((a, b) => (b.reqPerSec > a.reqPerSec ? b : a))
  return { ...best, passes: all.map((r) => Math.round(r.reqPerSec)), bad: all.reduce((n, r) => n + r.bad, 0) }
}

function post(agent, url, json) {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/v1/messages`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode))
      },
    )
    req.on('error', () => resolve(0))
    req.end(json)
  })
}

/**
 * Delivery latency: `receiver` (light DID) logs in with the core relay client and subscribes over
 * WebSocket (acking as it goes: one ack frame in flight, the ids that arrived meanwhile in the next);
 * deposits of `envelopes` (distinct nonces) are sent at `rate`/s over keep-alive HTTP. Latency = time
 * of the `onMessage` call minus the time just before the POST, matched by nonce. The first
 * `warmupSeconds` of sends are left out of the figures. Also returns the deposits' own HTTP latency
 * (POST → 201, i.e. until the commit), to tell commit time from push time. `ackIntervalMs` > 0 (for
 * diagnosis) sends acks at most that often instead of as soon as the previous ack returned.
 */
export async function deliveryPass({
  url,
  receiver,
  envelopes,
  rate,
  warmupSeconds,
  log,
  ackIntervalMs = 0,
}) {
  const client = createRelayClient({ url, WebSocket })
  await client.login({ did: receiver.did, keyUri: receiver.authKeyUri, sign: (d) => receiver.auth.sign(d) })
  const sentAt = new Map()
  const latencies = []
  const errors = []
  const skip = Math.round(warmupSeconds * rate)
  let received = 0
  let acked = 0
  const pendingAcks = []
  let ackInFlight = false
  let allArrived
  const arrived = new Promise((resolve) => {
    allArrived = resolve
  })
  let sub
  let ackFrames = 0
  let ackTimer
  const flushAcks = () => {
    if (ackInFlight || pendingAcks.length === 0) return
    if (ackIntervalMs > 0 && ackTimer === undefined) {
      ackTimer = setTimeout(() => {
        ackTimer = undefined
        send()
      }, ackIntervalMs)
      return
    }
    if (ackIntervalMs === 0) send()
  }
  const send = () => {
    if (ackInFlight || pendingAcks.length === 0) return
    ackFrames++
    ackInFlight = true
    const ids = pendingAcks.splice(0, 1000)
    sub
      .ack(ids)
      .then(
        (n) => {
          acked += n
        },
        (e) => errors.push(`ack: ${e.message}`),
      )
      .finally(() => {
        ackInFlight = false
        flushAcks()
      })
  }
  let ready
  const opened = new Promise((resolve) => {
    ready = resolve
  })
  sub = client.subscribe(
    (m) => {
      const t1 = performance.now()
      const sent = sentAt.get(m.envelope.nonce)
      if (sent !== undefined) {
        sentAt.delete(m.envelope.nonce)
        if (sent.i >= skip) latencies.push(t1 - sent.t0)
        received++
        if (received === envelopes.length) allArrived()
      }
      pendingAcks.push(m.id)
      flushAcks()
    },
    { onOpen: () => ready(), onError: (e) => errors.push(e.message) },
  )
  await opened

  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const statuses = new Map()
  const httpLatencies = []
  const inFlight = []
  const start = performance.now()
  let i = 0
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(envelopes.length, Math.floor(((performance.now() - start) * rate) / 1000))
      while (i < due) {
        const e = envelopes[i]
        const t0 = performance.now()
        const k = i
        sentAt.set(e.nonce, { t0, i })
        inFlight.push(
          post(agent, url, e.json).then((s) => {
            if (k >= skip) httpLatencies.push(performance.now() - t0)
            statuses.set(s, (statuses.get(s) ?? 0) + 1)
          }),
        )
        i++
      }
      if (i >= envelopes.length) resolve()
      else setTimeout(tick, 1)
    }
    tick()
  })
  const sendSeconds = (performance.now() - start) / 1000
  await Promise.all(inFlight)
  await Promise.race([arrived, new Promise((r) => setTimeout(r, 5000))])
  // Let the last acks land.
  for (let w = 0; w < 50 && (ackInFlight || pendingAcks.length > 0); w++)
    await new Promise((r) => setTimeout(r, 20))
  sub.close()
  agent.destroy()
  latencies.sort((a, b) => a - b)
  httpLatencies.sort((a, b) => a - b)
  const not201 = [...statuses].filter(([s]) => s !== 201).reduce((n, [, c]) => n + c, 0)
  if (errors.length > 0) log(`    client errors: ${[...new Set(errors)].slice(0, 3).join('; ')}`)
  return {
    reqPerSec: envelopes.length / sendSeconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies.at(-1),
    depositP50Ms: quantile(httpLatencies, 0.5),
    depositP99Ms: quantile(httpLatencies, 0.99),
    measured: latencies.length,
    lost: envelopes.length - received,
    not201,
    acked,
    ackFrames,
  }
}
