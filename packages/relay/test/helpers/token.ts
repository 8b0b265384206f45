/**
 * @module test/helpers/token
 * Logs an identity in to a relay through `app.inject` (challenge, then signed token request).
 */
import type { FastifyInstance } from 'fastify'
import { hex, type Identity } from './identities.js'

/**
 * Fetches a bearer token of `who` from `app`: the challenge is requested with `Host: host` (the
 * origin the challenge names), then signed with `who`'s authentication key.
 *
 * @param app - the relay
 * @param who - the identity logging in
 * @param host - the `Host` header of the challenge request (the relay's listen origin)
 * @returns the token the relay issued
 * @example
 * const token = await relayToken(app, alice, new URL(url).host)
 */
export async function relayToken(app: FastifyInstance, who: Identity, host: string): Promise<string> {
  const c = await app.inject({
    method: 'POST',
    url: '/v1/auth/challenge',
    headers: { host },
    payload: { did: who.did },
  })
  const challenge = c.json().challenge as string
  const t = await app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    payload: {
      did: who.did,
      challenge,
      keyUri: who.authKeyUri,
      signature: hex(who.auth.sign(new TextEncoder().encode(challenge))),
    },
  })
  return t.json().token as string
}
