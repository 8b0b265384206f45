/**
 * @module crypto/lib/node
 * The Node fast path: `node:crypto` X25519 (OpenSSL). The module is loaded with a dynamic import
 * whose specifier bundlers ignore, only when the runtime looks like Node (or Bun/Deno), so the
 * core stays isomorphic. Peer keys are imported from JWK (cheaper than SPKI DER), own keys from
 * PKCS#8 once per secret array. The symmetric part stays on noble (node:crypto has no XSalsa20).
 */
import type { BoxBackend } from '../types.js'
import { fromB64u, maskedPublicKey, pkcs8X25519, toB64u } from './b64.js'
import { defineBackend, hasMethods } from './checks.js'
import { nobleOpen, nobleSeal } from './noble.js'
import { SecretMemo } from './secret-memo.js'

/** An opaque `KeyObject`. */
interface NodeKeyObject {
  readonly type: string
  export(options: { format: 'jwk' }): { x?: string }
}

/** The slice of `node:crypto` used here (core compiles without Node types). */
interface NodeCrypto {
  createPrivateKey(
    input:
      | { key: Uint8Array; format: 'der'; type: 'pkcs8' }
      | { key: { kty: 'OKP'; crv: 'X25519'; d: string; x: string }; format: 'jwk' },
  ): NodeKeyObject
  createPublicKey(
    input: NodeKeyObject | { key: { kty: 'OKP'; crv: 'X25519'; x: string }; format: 'jwk' },
  ): NodeKeyObject
  diffieHellman(options: { privateKey: NodeKeyObject; publicKey: NodeKeyObject }): Uint8Array
}

function isNodeLike(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } } }
  return typeof g.process?.versions?.node === 'string'
}

function isNodeCrypto(m: unknown): m is NodeCrypto {
  return hasMethods<NodeCrypto>(m, ['createPrivateKey', 'createPublicKey', 'diffieHellman'])
}

/** Loads `node:crypto`, or undefined where it does not exist. */
async function importNodeCrypto(): Promise<NodeCrypto | undefined> {
  if (!isNodeLike()) return undefined
  const spec = 'node:crypto'
  try {
    const m: unknown = await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)
    return isNodeCrypto(m) ? m : undefined
  } catch {
    return undefined
  }
}

const PLACEHOLDER_X = toB64u(new Uint8Array(32))

/** Builds the node backend from a loaded `node:crypto`. */
export function nodeBackendFrom(nc: NodeCrypto): BoxBackend {
  const privates = new SecretMemo<NodeKeyObject>()
  let jwkImport = true
  const importPrivateDer = (secretKey: Uint8Array): NodeKeyObject => {
    const der = pkcs8X25519(secretKey)
    try {
      return nc.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    } finally {
      der.fill(0)
    }
  }
  // For the exchange only `d` matters: Node derives the key from it and does not read `x`, so a
  // placeholder `x` saves a scalar multiplication (a JWK import is ~20x cheaper than PKCS#8 DER in
  // Node 20). Runtimes that insist on `x` fall back to DER. publicKey() always uses DER.
  const importPrivate = (secretKey: Uint8Array): NodeKeyObject => {
    if (jwkImport) {
      try {
        return nc.createPrivateKey({
          key: { kty: 'OKP', crv: 'X25519', d: toB64u(secretKey), x: PLACEHOLDER_X },
          format: 'jwk',
        })
      } catch {
        jwkImport = false
      }
    }
    return importPrivateDer(secretKey)
  }
  return defineBackend({
    name: 'node',
    publicKey(secretKey) {
      const x = nc.createPublicKey(importPrivateDer(secretKey)).export({ format: 'jwk' }).x
      if (typeof x !== 'string') throw new Error('node:crypto exported no public key')
      return fromB64u(x)
    },
    sharedSecret(peerPublicKey, secretKey) {
      const privateKey = privates.get(secretKey, importPrivate)
      const publicKey = nc.createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: toB64u(maskedPublicKey(peerPublicKey)) },
        format: 'jwk',
      })
      return nc.diffieHellman({ privateKey, publicKey })
    },
    seal: nobleSeal,
    open: nobleOpen,
    forgetSecret: (secretKey) => privates.delete(secretKey),
  })
}

/** The node backend, or undefined outside Node-compatible runtimes. */
export async function loadNodeImpl(): Promise<BoxBackend | undefined> {
  const nc = await importNodeCrypto()
  return nc === undefined ? undefined : nodeBackendFrom(nc)
}
