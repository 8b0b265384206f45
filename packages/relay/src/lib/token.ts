/**
 * @module lib/token
 * Short-lived bearer tokens: `v1.<subject>.<expiresAt>.<mac>` where `mac` is HMAC-SHA256 (hex)
 * with the deployment secret over (deployment id, subject, expiry). Stateless, shared by every
 * instance on the same database; a token minted with another secret never verifies.
 */
import { timingSafeEqual } from 'node:crypto'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'

const PREFIX = 'v1'
const MAC_HEX_LENGTH = 64
const MAX_TOKEN_LENGTH = 256
const SUBJECT_RE = /^[1-9A-HJ-NP-Za-km-z]{1,64}$/
const EXPIRY_RE = /^[0-9]{1,16}$/

function mac(secret: Uint8Array, deploymentId: string, subject: string, expiresAt: number): string {
  const data = utf8ToBytes(`kilt-relay-token/v1\n${deploymentId}\n${subject}\n${expiresAt}`)
  return bytesToHex(hmac(sha256, secret, data))
}

/**
 * Mints a token for a mailbox subject.
 * @param secret - the 32-byte deployment secret
 * @param deploymentId - names the deployment (bound into the MAC)
 * @param subject - the DID subject (SS58 address)
 * @param expiresAt - expiry in ms since the epoch
 * @example
 * const token = mintToken(secret, 'kilt-relay', subject, Date.now() + 900_000)
 */
export function mintToken(
  secret: Uint8Array,
  deploymentId: string,
  subject: string,
  expiresAt: number,
): string {
  return `${PREFIX}.${subject}.${expiresAt}.${mac(secret, deploymentId, subject, expiresAt)}`
}

/**
 * Verifies a token and returns its subject, or `null` when it is malformed, expired or was not
 * minted with this secret and deployment id. The MAC comparison is timing-safe.
 * @param token - the bearer token (untrusted)
 * @param now - current time in ms
 * @example
 * const subject = verifyToken(secret, 'kilt-relay', token, Date.now())
 */
export function verifyToken(
  secret: Uint8Array,
  deploymentId: string,
  token: unknown,
  now: number,
): { subject: string; expiresAt: number } | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null
  const parts = token.split('.')
  if (parts.length !== 4 || parts[0] !== PREFIX) return null
  const [, subject, expiry, given] = parts as [string, string, string, string]
  if (!SUBJECT_RE.test(subject) || !EXPIRY_RE.test(expiry) || given.length !== MAC_HEX_LENGTH) return null
  const expiresAt = Number(expiry)
  const expected = mac(secret, deploymentId, subject, expiresAt)
  const ok = timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(given, 'latin1'))
  if (!ok || expiresAt <= now) return null
  return { subject, expiresAt }
}
