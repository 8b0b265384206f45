/**
 * @module lib/metrics
 * Hand-formatted Prometheus text exposition (format 0.0.4): counters, gauges and one latency
 * histogram. Label values are from closed sets (route patterns, reject codes), never user input.
 */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const

interface Histogram {
  counts: number[]
  sum: number
  count: number
}

/** The relay's metrics registry. */
export class RelayMetrics {
  deposits = 0
  deliveries = { http: 0, ws: 0 }
  acks = 0
  logins = 0
  expired = 0
  liveConnections = 0
  readonly rejects = new Map<string, number>()
  readonly latency = new Map<string, Histogram>()

  /** Counts a rejection by its error code. */
  reject(code: string): void {
    this.rejects.set(code, (this.rejects.get(code) ?? 0) + 1)
  }

  /** Records one request's latency (seconds) under its route pattern and method. */
  observe(route: string, seconds: number): void {
    let h = this.latency.get(route)
    if (h === undefined) {
      // Route patterns are a closed set (registered routes plus "unmatched").
      h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }
      this.latency.set(route, h)
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++
    h.sum += seconds
    h.count++
  }

  /**
   * Renders the Prometheus text format.
   * @param depth - current total queued messages (from the store)
   */
  render(depth: number | null): string {
    const out: string[] = []
    const counter = (name: string, help: string, value: number): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`)
    }
    counter('kilt_relay_deposits_total', 'Envelopes durably stored.', this.deposits)
    out.push(
      '# HELP kilt_relay_deliveries_total Envelopes handed to a recipient.',
      '# TYPE kilt_relay_deliveries_total counter',
      `kilt_relay_deliveries_total{channel="http"} ${this.deliveries.http}`,
      `kilt_relay_deliveries_total{channel="ws"} ${this.deliveries.ws}`,
    )
    counter('kilt_relay_acks_total', 'Envelopes acknowledged and deleted.', this.acks)
    counter('kilt_relay_logins_total', 'Tokens issued.', this.logins)
    counter('kilt_relay_expired_total', 'Envelopes deleted by the TTL sweep.', this.expired)
    out.push(
      '# HELP kilt_relay_live_connections Open live WebSocket sessions.',
      '# TYPE kilt_relay_live_connections gauge',
      `kilt_relay_live_connections ${this.liveConnections}`,
    )
    if (depth !== null)
      out.push(
        '# HELP kilt_relay_queue_depth Envelopes currently queued in all mailboxes.',
        '# TYPE kilt_relay_queue_depth gauge',
        `kilt_relay_queue_depth ${depth}`,
      )
    out.push(
      '# HELP kilt_relay_rejects_total Rejected requests by error code.',
      '# TYPE kilt_relay_rejects_total counter',
    )
    for (const [code, n] of this.rejects) out.push(`kilt_relay_rejects_total{reason="${code}"} ${n}`)
    out.push(
      '# HELP kilt_relay_request_duration_seconds Request latency by route.',
      '# TYPE kilt_relay_request_duration_seconds histogram',
    )
    for (const [route, h] of this.latency) {
      for (let i = 0; i < BUCKETS.length; i++)
        out.push(
          `kilt_relay_request_duration_seconds_bucket{route="${route}",le="${BUCKETS[i]}"} ${h.counts[i]}`,
        )
      out.push(
        `kilt_relay_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${h.count}`,
        `kilt_relay_request_duration_seconds_sum{route="${route}"} ${h.sum}`,
        `kilt_relay_request_duration_seconds_count{route="${route}"} ${h.count}`,
      )
    }
    return `${out.join('\n')}\n`
  }
}
