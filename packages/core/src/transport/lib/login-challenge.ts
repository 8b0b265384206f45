/**
 * @module transport/lib/login-challenge
 * The relay login challenge is bound to the relay it logs in to, so a malicious relay cannot pass
 * on another relay's challenge and log in there with the victim's signature. The challenge is
 * `kilt-relay-login/v1\n<relay origin>\n<nonce: 64 lowercase hex>`; the client signs only that
 * form, with the origin of the URL it is logging in to.
 */

/** The first line of a relay login challenge. */
export const RELAY_LOGIN_CHALLENGE_TAG = 'kilt-relay-login/v1'

const NONCE = /^[0-9a-f]{64}$/

/**
 * Whether `challenge` is a login challenge of the relay at `relayUrl`: exactly
 * `kilt-relay-login/v1\n${new URL(relayUrl).origin}\n` followed by 64 lowercase hex characters.
 * Never throws: anything else (non-strings, a URL without an origin) is `false`.
 *
 * @param challenge - the challenge string the relay sent
 * @param relayUrl - the relay's base URL the client logs in to (any path; only the origin counts)
 * @returns true when the client may sign the challenge
 * @example
 * relayLoginChallengeValid(`kilt-relay-login/v1\nhttps://relay.example\n${'ab'.repeat(32)}`, 'https://relay.example/') // true
 */
export function relayLoginChallengeValid(challenge: unknown, relayUrl: unknown): boolean {
  if (typeof challenge !== 'string' || typeof relayUrl !== 'string' || relayUrl.length > 2048) return false
  let origin: string
  try {
    const u = new URL(relayUrl)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false
    origin = u.origin
  } catch {
    return false
  }
  const prefix = `${RELAY_LOGIN_CHALLENGE_TAG}\n${origin}\n`
  return (
    challenge.length === prefix.length + 64 &&
    challenge.startsWith(prefix) &&
    NONCE.test(challenge.slice(prefix.length))
  )
}
