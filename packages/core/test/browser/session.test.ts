/**
 * The Credential API session start in Chromium, with the WebCrypto and noble backends: a challenge
 * answered from one vector DID (the session) to another (the dApp) verifies, another challenge and a
 * tampered box do not.
 */
import { expect, it } from 'vitest'
import { loadBoxBackend } from '../../src/crypto/backend.js'
import type { DidResourceUri, DidUri } from '../../src/did/types.js'
import { createKeyring } from '../../src/keys/keyring.js'
import { fromHex } from '../../src/lib/bytes.js'
import {
  answerSessionChallenge,
  createSessionChallenge,
  verifySessionChallenge,
} from '../../src/session/index.js'
import { describeInBrowser, vectors as v } from './vectors.js'

function identity(name: string) {
  const d = v.dids[name]
  const ka = d?.keyAgreement
  if (d === undefined || ka === undefined) throw new Error(`no key agreement key for ${name}`)
  return { did: d.uri as DidUri, keyUri: ka.keyUri as DidResourceUri, secretKey: fromHex(ka.secretKey) }
}

describeInBrowser('session start in the browser', () => {
  for (const name of ['webcrypto', 'noble'] as const)
    it(`${name}: answer → verify; another challenge or a flipped bit fails`, async () => {
      const backend = await loadBoxBackend(name)
      if (backend === undefined) throw new Error(`${name} backend unavailable`)
      const dApp = identity('alice')
      const session = identity('bob')
      const dAppKeys = createKeyring([{ keyUri: dApp.keyUri, secretKey: dApp.secretKey }], { backend })
      const sessionKeys = createKeyring([{ keyUri: session.keyUri, secretKey: session.secretKey }], {
        backend,
      })
      const challenge = createSessionChallenge()
      const start = await answerSessionChallenge(
        { challenge, dAppEncryptionKeyUri: dApp.keyUri },
        { keys: sessionKeys, sessionDid: session.did },
      )
      const options = { challenge, dAppEncryptionKeyUri: dApp.keyUri, keys: dAppKeys }
      expect((await verifySessionChallenge(start, options)).did).toBe(session.did)
      await expect(
        verifySessionChallenge(start, { ...options, challenge: createSessionChallenge() }),
      ).rejects.toMatchObject({ code: 'ERR_SESSION_CHALLENGE_MISMATCH' })
      const c = start.encryptedChallenge
      const flipped = `${c.slice(0, -1)}${c.endsWith('0') ? '1' : '0'}`
      await expect(
        verifySessionChallenge({ ...start, encryptedChallenge: flipped }, options),
      ).rejects.toMatchObject({
        code: 'ERR_DECRYPTION_FAILED',
      })
    })
})
