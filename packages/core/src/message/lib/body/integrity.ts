/**
 * @module message/lib/body/integrity
 * `Credential.verifyDataIntegrity` of SDK 0.35.2 (spec §2.4 "Credential-layer details"): the root
 * hash recomputed from claim hashes, legitimation root hashes and delegation id, and every claim
 * statement proven by a nonce and a salted hash. `Message.verify` does not do this (vectors README,
 * item 8, `l07`); signatures are not checked here.
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { fromHex, toHex, utf8 } from '../../../lib/bytes.js'
import { type Ctx, fail, type Obj } from './check.js'
import { checkCredential } from './credential.js'

function hash256(bytes: Uint8Array): string {
  return toHex(blake2b(bytes, { dkLen: 32 }))
}

/** `Credential.calculateRootHash`. Inputs must be checked 256-bit hex. */
export function calculateRootHash(credential: Obj): string {
  const leaves: Uint8Array[] = []
  for (const h of credential.claimHashes as string[]) leaves.push(fromHex(h))
  for (const l of credential.legitimations as Obj[]) leaves.push(fromHex(l.rootHash))
  if (credential.delegationId) leaves.push(fromHex(credential.delegationId))
  const all = new Uint8Array(leaves.reduce((n, l) => n + l.length, 0))
  let at = 0
  for (const l of leaves) {
    all.set(l, at)
    at += l.length
  }
  return hash256(all)
}

/** The claim statements as the SDK hashes them (`makeStatementsJsonLD`). */
export function claimStatements(claim: Obj): string[] {
  const vocabulary = `kilt:ctype:${claim.cTypeHash as string}#`
  const out: string[] = []
  if (claim.owner) out.push(JSON.stringify({ '@id': claim.owner }))
  for (const [key, value] of Object.entries((claim.contents ?? {}) as Obj)) {
    out.push(JSON.stringify({ [vocabulary + key]: value }))
  }
  return out
}

function checkIntegrity(credential: Obj, path: string): void {
  if (credential.rootHash !== calculateRootHash(credential))
    fail(
      `${path}.rootHash`,
      'RootHashUnverifiableError',
      'does not match the claim hashes, legitimations and delegation id',
    )
  const nonces = credential.claimNonceMap as Obj
  const hashes = new Set(credential.claimHashes as string[])
  for (const statement of claimStatements(credential.claim as Obj)) {
    const digest = hash256(utf8(statement))
    const nonce = Object.hasOwn(nonces, digest) ? nonces[digest] : undefined
    if (typeof nonce !== 'string' || !nonce)
      fail(`${path}.claim`, 'ClaimUnverifiableError', `no nonce for the statement with digest ${digest}`)
    if (!hashes.has(hash256(utf8(nonce + digest))))
      fail(
        `${path}.claim`,
        'ClaimUnverifiableError',
        `no salted hash for the statement with digest ${digest}`,
      )
  }
  ;(credential.legitimations as Obj[]).forEach((l, i) => {
    checkIntegrity(l, `${path}.legitimations[${i}]`)
  })
}

/** Structure (strict) then integrity of a credential or presentation. Input must be scanned. */
export function verifyIntegrity(credential: unknown, path: string): void {
  const ctx: Ctx = { compat: false }
  const c = checkCredential(credential, path, ctx)
  checkIntegrity(c, path)
}
