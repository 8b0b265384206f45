import { fromHex, toHex } from '@kilt-messaging/core'
/**
 * @module web/credential
 * Builds a self-issued KILT credential (SDK 0.35.2 `Credential.fromClaim` hashing: salted
 * blake2b-256 statement hashes and a root hash) so that the compose templates of
 * `request-attestation` and `submit-credential` pass the library's integrity and owner checks.
 */
import { blake2b } from '@noble/hashes/blake2.js'

const enc = new TextEncoder()
const hash = (bytes: Uint8Array): string => toHex(blake2b(bytes, { dkLen: 32 }))

/** A demo CType hash (the vectors' "Anchor Test Identity"). */
export const DEMO_CTYPE_HASH = '0xf7ac9c4babe1da8a0b1d70bebf7cb36fc147e365d7055694f94318c8f11fd4d5'

export interface DemoCredential {
  claim: { cTypeHash: string; contents: Record<string, string | number | boolean>; owner: string }
  legitimations: []
  claimHashes: string[]
  claimNonceMap: Record<string, string>
  rootHash: string
  delegationId: null
}

/**
 * A credential over `contents`, owned by `owner`, with fresh random nonces.
 * @param owner - the owner DID (the sender of the message that carries it)
 * @param contents - claim contents
 */
export function buildCredential(
  owner: string,
  contents: Record<string, string | number | boolean>,
  cTypeHash = DEMO_CTYPE_HASH,
): DemoCredential {
  const vocabulary = `kilt:ctype:${cTypeHash}#`
  const statements = [JSON.stringify({ '@id': owner })]
  for (const [k, v] of Object.entries(contents)) statements.push(JSON.stringify({ [vocabulary + k]: v }))
  const claimNonceMap: Record<string, string> = {}
  const claimHashes: string[] = []
  for (const s of statements) {
    const digest = hash(enc.encode(s))
    const nonce = crypto.randomUUID()
    claimNonceMap[digest] = nonce
    claimHashes.push(hash(enc.encode(nonce + digest)))
  }
  claimHashes.sort()
  const all = new Uint8Array(claimHashes.length * 32)
  claimHashes.forEach((h, i) => {
    all.set(fromHex(h), i * 32)
  })
  return {
    claim: { cTypeHash, contents, owner },
    legitimations: [],
    claimHashes,
    claimNonceMap,
    rootHash: hash(all),
    delegationId: null,
  }
}
