/**
 * @module transport/lib/discovery-policy
 * Which discovered relay endpoints a client may call. A light DID's `KiltMessagingRelay` endpoint
 * is chosen by whoever made the DID, so without a policy `send` could be pointed at the sender's
 * own network (`http://127.0.0.1:…`, `http://169.254.169.254/`, a router at `192.168.0.1`). A
 * discovered endpoint must be `https:` and its host must not be a loopback, private, link-local,
 * unique-local, unspecified, multicast or reserved address literal (IPv4, IPv6, or IPv4 embedded
 * in IPv6), nor `localhost`. DNS names are not resolved (browsers cannot), so a public name that
 * resolves to a private address is not caught here.
 */

/** `[a, b, c, d]` of a dotted IPv4 literal as the WHATWG URL parser serializes it, else null. */
function ipv4(host: string): number[] | null {
  const parts = host.split('.')
  if (parts.length !== 4) return null
  const out: number[] = []
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null
    const n = Number(p)
    if (n > 255) return null
    out.push(n)
  }
  return out
}

/** Why an IPv4 address is not a public unicast address, or null when it is. */
function ipv4Refusal(a: readonly number[]): string | null {
  const [x = 0, y = 0] = a
  if (x === 0) return 'unspecified'
  if (x === 127) return 'loopback'
  if (x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168)) return 'private'
  if (x === 100 && y >= 64 && y <= 127) return 'shared (carrier-grade NAT)'
  if (x === 169 && y === 254) return 'link-local'
  if (x >= 224) return 'multicast or reserved'
  return null
}

/** The eight 16-bit groups of an IPv6 literal (without brackets) as serialized by URL, else null. */
function ipv6(host: string): number[] | null {
  if (!/^[0-9a-f:]+$/.test(host)) return null
  const halves = host.split('::')
  if (halves.length > 2) return null
  const parse = (s: string): number[] | null => {
    if (s === '') return []
    const groups = s.split(':')
    const out: number[] = []
    for (const g of groups) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null
      out.push(Number.parseInt(g, 16))
    }
    return out
  }
  const head = parse(halves[0] ?? '')
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : []
  if (head === null || tail === null) return null
  if (halves.length === 1) return head.length === 8 ? head : null
  const fill = 8 - head.length - tail.length
  if (fill < 1) return null
  return [...head, ...new Array<number>(fill).fill(0), ...tail]
}

function embeddedV4(hi: number, lo: number): number[] {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]
}

/** Why an IPv6 address is not a public unicast address, or null when it is. */
function ipv6Refusal(g: readonly number[]): string | null {
  const w = (i: number): number => g[i] ?? 0
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0)
  if (zeros(0, 8)) return 'unspecified'
  if (zeros(0, 7) && w(7) === 1) return 'loopback'
  // IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d,
  // NAT64 64:ff9b::a.b.c.d: judge the embedded IPv4 address.
  if (
    (zeros(0, 5) && (w(5) === 0xffff || w(5) === 0)) ||
    (zeros(0, 4) && w(4) === 0xffff && w(5) === 0) ||
    (w(0) === 0x64 && w(1) === 0xff9b && zeros(2, 6))
  ) {
    const why = ipv4Refusal(embeddedV4(w(6), w(7)))
    return why === null ? null : `IPv4-embedded ${why}`
  }
  // 6to4 2002:a.b.c.d::/48.
  if (w(0) === 0x2002) {
    const why = ipv4Refusal(embeddedV4(w(1), w(2)))
    return why === null ? null : `6to4 ${why}`
  }
  if ((w(0) & 0xffc0) === 0xfe80) return 'link-local'
  if ((w(0) & 0xffc0) === 0xfec0) return 'site-local'
  if ((w(0) & 0xfe00) === 0xfc00) return 'unique-local'
  if ((w(0) & 0xff00) === 0xff00) return 'multicast'
  return null
}

/**
 * Why a discovered relay endpoint must not be called, or null when it may be.
 *
 * @param url - a parsed http(s) URL (the WHATWG parser has normalized IPv4 and IPv6 literals)
 * @returns a short reason, or null
 */
export function discoveredRelayRefusal(url: URL): string | null {
  if (url.protocol !== 'https:') return 'it is not https'
  let host = url.hostname
  if (host.startsWith('[') && host.endsWith(']')) {
    const g = ipv6(host.slice(1, -1))
    if (g === null) return 'its IPv6 host is not understood'
    const why = ipv6Refusal(g)
    return why === null ? null : `its host is a ${why} address`
  }
  if (host.endsWith('.')) host = host.slice(0, -1)
  if (host === '' || host === 'localhost' || host.endsWith('.localhost')) return 'its host is localhost'
  const v4 = ipv4(host)
  if (v4 !== null) {
    const why = ipv4Refusal(v4)
    return why === null ? null : `its host is a ${why} address`
  }
  return null
}
