/**
 * @module session/lib/handshake
 * Both ends of the session start: boxing the challenge (extension) and checking it (dApp).
 */
import type { DidResourceUri, DidUri } from '../../did/types.js'
import { MessagingError } from '../../errors.js'
import { equalBytes } from '../../lib/bytes.js'
import { openBox } from '../../message/lib/decrypt.js'
import { plainDid, resourceUri } from '../../message/lib/did-checks.js'
import { checkSenderKeyUri, sealWithCallback } from '../../message/lib/encrypt.js'
import { agreementKey } from '../../message/lib/key-cache.js'
import type { SourceKind } from '../../message/lib/key-source.js'
import { freshNonce } from '../../message/lib/nonce.js'
import type { ResolverChoice } from '../../message/lib/options.js'
import { challengeBytes } from './challenge-bytes.js'
import { readSessionStart } from './session-start.js'

export interface VerifyInput {
  readonly challenge: unknown
  readonly dAppKeyUri: unknown
  readonly source: SourceKind
  readonly resolver: ResolverChoice
}

export interface Verified {
  readonly encryptionKeyUri: DidResourceUri
  readonly did: DidUri
  readonly publicKey: Uint8Array
}

function argument(name: string, cause: unknown): MessagingError {
  return new MessagingError(
    'ERR_ARGUMENT_INVALID',
    `"${name}" expected a KILT DID resource URI with a #fragment`,
    {
      cause,
    },
  )
}

function dAppKey(value: unknown): DidResourceUri {
  try {
    return resourceUri(value)
  } catch (cause) {
    throw argument('dAppEncryptionKeyUri', cause)
  }
}

export async function verify(session: unknown, input: VerifyInput): Promise<Verified> {
  // the caller's own values first: a malformed option is a programming mistake, not a bad answer
  const expected = challengeBytes(input.challenge)
  const ownKeyUri = dAppKey(input.dAppKeyUri)
  const start = readSessionStart(session)
  const { resolver, cacheable } = input.resolver
  const pending = agreementKey(resolver, start.keyUri, 'session', cacheable)
  const sessionKey = pending instanceof Promise ? await pending : pending
  // the key URI's own DID must control the key (a resolver answering another DID's key is refused)
  if (sessionKey.controller !== start.key.did)
    throw new MessagingError(
      'ERR_SESSION_INVALID',
      'The session key is not controlled by the DID of its key URI',
    )
  const openedBox = openBox(input.source, ownKeyUri, sessionKey.publicKey, start.box, start.nonce)
  const bytes = openedBox instanceof Promise ? await openedBox : openedBox
  try {
    if (!equalBytes(bytes, expected))
      throw new MessagingError(
        'ERR_SESSION_CHALLENGE_MISMATCH',
        'The session answers another challenge than the one issued',
      )
  } finally {
    // our keyring opened into an internal temporary (a callback's array is the caller's)
    if (input.source.kind === 'keyring') bytes.fill(0)
  }
  return Object.freeze({
    encryptionKeyUri: start.keyUri,
    did: start.key.did as DidUri,
    publicKey: sessionKey.publicKey.slice(),
  })
}

export interface AnswerInput {
  readonly challenge: unknown
  readonly dAppKeyUri: unknown
  readonly sessionDid: unknown
  readonly source: SourceKind
  readonly resolver: ResolverChoice
}

export interface Answered {
  readonly keyUri: DidResourceUri
  readonly box: Uint8Array
  readonly nonce: Uint8Array
}

export async function answer(input: AnswerInput): Promise<Answered> {
  const data = challengeBytes(input.challenge, 1)
  const dAppKeyUri = dAppKey(input.dAppKeyUri)
  let sessionDid: DidUri
  try {
    sessionDid = plainDid(input.sessionDid)
  } catch (cause) {
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"sessionDid" expected a KILT DID without fragment', {
      cause,
    })
  }
  const { resolver, cacheable } = input.resolver
  const pending = agreementKey(resolver, dAppKeyUri, 'dApp', cacheable)
  const dApp = pending instanceof Promise ? await pending : pending
  const { source } = input
  if (source.kind === 'keyring') {
    const { keyring } = source
    const own = keyring.keyUriFor(sessionDid)
    if (own === undefined)
      throw new MessagingError(
        'ERR_KEY_UNAVAILABLE',
        'The keyring holds no key agreement key of the session DID',
      )
    const checked = checkSenderKeyUri(own, sessionDid, resolver, () => keyring.publicKey(own))
    const keyUri = typeof checked === 'string' ? checked : await checked
    // own copies: the nonce and box are hex-encoded by the caller, nothing else keeps them
    const nonce = freshNonce().slice()
    const sealed = keyring.sealFor(keyUri, dApp.publicKey, data, nonce)
    const box = sealed instanceof Uint8Array ? sealed : await sealed
    return { keyUri, box, nonce }
  }
  const r = await sealWithCallback(source.encrypt!, sessionDid, data, dApp.publicKey, resolver)
  return { keyUri: r.senderKeyUri, box: r.box, nonce: r.nonce }
}
