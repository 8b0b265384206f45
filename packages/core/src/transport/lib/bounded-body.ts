/**
 * @module transport/lib/bounded-body
 * Reads a response body as text without holding more than a bound in memory: a relay (or a
 * discovered endpoint) that streams gigabytes must not exhaust the client.
 */

/** Thrown when a body exceeds its bound; the caller maps it to `ERR_TRANSPORT`. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError'
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`)
  }
}

/**
 * The body of `response` as UTF-8 text (invalid sequences replaced, as `response.text()` does),
 * reading at most `maxBytes` bytes. A larger body (by `content-length` or as it streams) cancels
 * the stream and throws.
 *
 * @param response - a fetch Response
 * @param maxBytes - the largest accepted body, in bytes
 * @returns the body text
 * @throws ResponseTooLargeError when the body exceeds `maxBytes`; the stream's own errors (abort, network)
 */
export async function readBoundedText(response: Response, maxBytes: number): Promise<string> {
  const declared = response.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw new ResponseTooLargeError(maxBytes)
  }
  const body = response.body
  if (body === null) return ''
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      throw new ResponseTooLargeError(maxBytes)
    }
    chunks.push(value)
  }
  const all = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    all.set(c, at)
    at += c.byteLength
  }
  return new TextDecoder().decode(all)
}
