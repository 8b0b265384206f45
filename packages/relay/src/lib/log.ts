/**
 * @module lib/log
 * Privacy helpers for logs: DIDs appear only as short blake2b hashes.
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'

/**
 * A short, stable, non-reversible tag of a DID or DID subject for logs (blake2b, 8 bytes, hex).
 * @param did - a DID, DID URI or SS58 subject
 * @example
 * hashDid('4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B') // 16 hex characters
 */
export function hashDid(did: string): string {
  return bytesToHex(blake2b(utf8ToBytes(did), { dkLen: 8 }))
}
