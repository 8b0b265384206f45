#!/usr/bin/env node
/**
 * Emits encrypted cases for an SDK-based checker: for every `messages[]` entry of a vector file,
 * encrypts its `plaintext` with this library (fresh random nonce) from its sender's key to its
 * receiver, and writes `{ "cases": [ { id, receiver, encrypted, expectedPlaintext, expect } ] }` in the
 * format of the vectors README ("Format of a file of encrypted cases").
 *
 * Usage: npm run interop:emit -- --vectors <vectors.json> --out <cases.json>
 * (uses packages/core/dist: the npm script builds core first)
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { createKeyring, encryptMessage } from '../dist/index.js'

function arg(name) {
  const i = process.argv.indexOf(name)
  const value = i < 0 ? undefined : process.argv[i + 1]
  if (value === undefined || value.startsWith('--')) {
    console.error('usage: interop-emit --vectors <vectors.json> --out <cases.json>')
    process.exit(2)
  }
  return value
}

const hex = (s) => {
  if (typeof s !== 'string' || !/^0x([0-9a-f]{2})*$/i.test(s))
    throw new Error(`not hex: ${String(s).slice(0, 20)}`)
  return Uint8Array.from(s.slice(2).match(/../g) ?? [], (b) => Number.parseInt(b, 16))
}

const vectorsFile = arg('--vectors')
const outFile = arg('--out')
const vectors = JSON.parse(readFileSync(vectorsFile, 'utf8'))
if (!Array.isArray(vectors.messages) || typeof vectors.dids !== 'object')
  throw new Error(`${vectorsFile}: expected a vector file with "dids" and "messages"`)

const rings = new Map()
function ringOf(name) {
  let ring = rings.get(name)
  if (ring === undefined) {
    const d = vectors.dids[name]
    if (d?.keyAgreement?.secretKey === undefined) throw new Error(`no key agreement secret for "${name}"`)
    ring = createKeyring([{ keyUri: d.keyAgreement.keyUri, secretKey: hex(d.keyAgreement.secretKey) }])
    rings.set(name, ring)
  }
  return ring
}

const cases = []
for (const m of vectors.messages) {
  const encrypted = await encryptMessage(m.plaintext, {
    keys: ringOf(m.sender),
    receiverKeyUri: vectors.dids[m.receiver].keyAgreement.keyUri,
  })
  cases.push({
    id: `kilt-messaging/${m.id}`,
    receiver: m.receiver,
    encrypted,
    expectedPlaintext: m.plaintext,
    expect: m.expect ?? { decrypt: 'ok', verify: 'ok' },
  })
}
for (const ring of rings.values()) ring.destroy()
writeFileSync(outFile, `${JSON.stringify({ cases }, null, 2)}\n`)
console.error(`wrote ${cases.length} cases to ${outFile}`)
