/**
 * @module lib/public-origins
 * The origins a relay is served at, which its login challenges are bound to
 * (`kilt-relay-login/v1\n<origin>\n<nonce>`). Only configured origins are ever put into a
 * challenge: deriving the origin from the request's Host header alone would let a malicious relay
 * forward a victim's login to an honest relay under its own name.
 */
import type { AddressInfo } from 'node:net'
import { invalidOption as invalid } from './errors.js'

/** Longest origin accepted. */
export const MAX_ORIGIN_LENGTH = 2048
const MAX_PUBLIC_URLS = 64

/**
 * Normalizes public URLs to their origins (`new URL(u).origin`).
 * @param value - one URL, several comma-separated, or a list of those
 * @returns the distinct origins, in order
 * @throws MessagingError ERR_ARGUMENT_INVALID when a URL is not an absolute http(s) URL
 * @example
 * publicOrigins('https://relay.example/, http://localhost:8787') // ['https://relay.example', 'http://localhost:8787']
 */
export function publicOrigins(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? [value] : value
  if (!Array.isArray(items)) invalid('"publicUrl" must be a string or an array of strings')
  const out: string[] = []
  for (const item of items) {
    if (typeof item !== 'string') invalid('"publicUrl" must be a string or an array of strings')
    for (const raw of item.split(',')) {
      const u = raw.trim()
      if (u === '') continue
      let origin: string
      try {
        const url = new URL(u)
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)')
        origin = url.origin
      } catch {
        invalid(`"publicUrl" ${JSON.stringify(u.slice(0, 80))} is not an http(s) URL`)
      }
      if (origin === 'null' || origin.length > MAX_ORIGIN_LENGTH)
        invalid(`"publicUrl" ${JSON.stringify(u.slice(0, 80))} has no usable origin`)
      if (!out.includes(origin)) out.push(origin)
    }
  }
  if (out.length === 0) invalid('"publicUrl" names no URL')
  if (out.length > MAX_PUBLIC_URLS) invalid(`"publicUrl" names more than ${MAX_PUBLIC_URLS} URLs`)
  return out
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0', ''])

/**
 * The default public origins of a relay listening on `host:port` without `publicUrl`: the loopback
 * origins (`http://127.0.0.1:<port>`, `http://localhost:<port>`, `http://[::1]:<port>`) plus
 * `http://<host>:<port>` for a specific (not unspecified) host.
 * @param host - the listen host or address (IPv6 with or without brackets)
 * @param port - the listen port (1..65535)
 * @throws TypeError on a port out of range
 * @example
 * defaultPublicOrigins('0.0.0.0', 8787) // ['http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787']
 */
export function defaultPublicOrigins(host: string, port: number): string[] {
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535)
    throw new TypeError('"port" must be an integer of 1..65535')
  const hosts = ['127.0.0.1', 'localhost', '[::1]']
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (!UNSPECIFIED.has(h)) hosts.push(h.includes(':') ? `[${h}]` : h)
  const out: string[] = []
  for (const name of hosts) {
    let origin: string
    try {
      origin = new URL(`http://${name}:${port}`).origin
    } catch {
      continue
    }
    if (origin !== 'null' && !out.includes(origin)) out.push(origin)
  }
  return out
}

/**
 * The default public origins from a listening server's address, or `undefined` before `listen`.
 * @param address - `server.address()`
 */
export function originsOfAddress(address: AddressInfo | string | null): string[] | undefined {
  if (address === null || typeof address !== 'object') return undefined
  return defaultPublicOrigins(address.address, address.port)
}

/**
 * Picks the configured origin a challenge request is bound to: the origin of the request
 * (protocol + Host) when configured, else the configured origin with the same host (a TLS-terminating
 * proxy forwarding plain http without `trustProxy`). The result is always one of `origins`.
 * @param requestOrigin - `${protocol}://${host}` of the request (untrusted)
 * @returns the origin, or `undefined` when the request names no origin this relay serves
 */
export function matchOrigin(requestOrigin: string, origins: readonly string[]): string | undefined {
  let url: URL
  try {
    url = new URL(requestOrigin)
  } catch {
    return undefined
  }
  if (origins.includes(url.origin)) return url.origin
  const sameHost = origins.filter((o) => new URL(o).host === url.host)
  return sameHost.length === 1 ? sameHost[0] : undefined
}
