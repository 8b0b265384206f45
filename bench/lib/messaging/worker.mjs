/**
 * One implementation of the messaging benchmark in its own process (forked by bench/messaging.mjs
 * with `sdk`, `ours` or `limit` as its argument). It loads only what that implementation needs,
 * so its heap and GC are its own. Protocol over IPC:
 * - `{ cmd: 'setup', case }` (peers, receiver, body, plaintext, sharedKey = the fixed pair's box key): builds the case (peers, keyrings, callbacks), warms up, replies `{ ok: true }`;
 * - `{ cmd: 'round', round, n }`: runs ops [round·n, (round+1)·n) and replies `{ opsPerSec }`
 *   measured on this process's CPU time (user + system) or, with `clock: 'wall'`, wall-clock time;
 * - `{ cmd: 'exit' }`.
 * Errors are replied as `{ error }`.
 */
import { revivePeer } from './setup.mjs'

const IMPL = process.argv[2]
if (!['sdk', 'ours', 'limit'].includes(IMPL)) throw new Error(`unknown implementation ${IMPL}`)

let current = null

async function loadSdk() {
  const Kilt = await import('@kiltprotocol/sdk-js')
  const { cryptoWaitReady } = await import('@polkadot/util-crypto')
  await cryptoWaitReady()
  async function resolveKey(keyUri, relationship) {
    const { did, fragment } = Kilt.Did.parse(keyUri)
    const document = Kilt.Did.parseDocumentFromLightDid(did, false)
    const keys = relationship
      ? (document[relationship] ?? [])
      : [...document.authentication, ...(document.keyAgreement ?? [])]
    const key = keys.find((k) => k.id === fragment)
    if (!key) throw new Error(`no key ${keyUri}`)
    return { controller: did, id: keyUri, publicKey: key.publicKey, type: key.type }
  }
  const encryptCb =
    (peer) =>
    async ({ data, peerPublicKey }) => {
      const { box, nonce } = Kilt.Utils.Crypto.encryptAsymmetric(data, peerPublicKey, peer.encSecret)
      return { data: box, nonce, keyUri: peer.keyUri }
    }
  const decryptCb =
    (peer) =>
    async ({ data, nonce, peerPublicKey }) => {
      const opened = Kilt.Utils.Crypto.decryptAsymmetric({ box: data, nonce }, peerPublicKey, peer.encSecret)
      if (opened === false) throw new Error('decryption failed')
      return { data: opened }
    }
  return (c) => {
    const receiverCb = decryptCb(c.receiver)
    const cbs = c.peers.map(encryptCb)
    return {
      op: async (i) => {
        const p = c.peerOf(i)
        const message = Kilt.Message.fromBody(c.body, c.peers[p].did, c.receiver.did)
        const encrypted = await Kilt.Message.encrypt(message, cbs[p], c.receiver.keyUri, { resolveKey })
        const decrypted = await Kilt.Message.decrypt(encrypted, receiverCb, { resolveKey })
        Kilt.Message.verify(decrypted)
      },
      destroy() {},
    }
  }
}

async function loadOurs() {
  const core = await import('../../../packages/core/dist/index.js')
  return (c) => {
    const receiverRing = core.createKeyring([{ keyUri: c.receiver.keyUri, secretKey: c.receiver.encSecret }])
    const rings = c.peers.map((p) => core.createKeyring([{ keyUri: p.keyUri, secretKey: p.encSecret }]))
    const replay = core.createReplayGuard({ store: core.createMemoryReplayStore({ maxEntries: 2_000_000 }) })
    return {
      op: async (i) => {
        const p = c.peerOf(i)
        const message = core.createMessage(c.body, { sender: c.peers[p].did, receiver: c.receiver.did })
        const envelope = await core.encryptMessage(message, {
          keys: rings[p],
          receiverKeyUri: c.receiver.keyUri,
        })
        await core.decryptMessage(envelope, { keys: receiverRing, replay })
      },
      destroy() {
        for (const r of rings) r.destroy()
        receiverRing.destroy()
      },
    }
  }
}

async function loadLimit() {
  const { default: sodium } = await import('sodium-native')
  return (c) => {
    const plaintext = c.plaintext
    const r = c.receiver
    const key = c.sharedKey
    const cold = (i) => {
      const p = c.peers[c.peerOf(i)]
      const nonce = new Uint8Array(24)
      sodium.randombytes_buf(nonce)
      const box = new Uint8Array(plaintext.length + 16)
      sodium.crypto_box_easy(box, plaintext, nonce, r.encPub, p.encSecret)
      const out = new Uint8Array(plaintext.length)
      if (!sodium.crypto_box_open_easy(out, box, nonce, p.encPub, r.encSecret))
        throw new Error('raw open failed')
    }
    const warm = () => {
      const nonce = new Uint8Array(24)
      sodium.randombytes_buf(nonce)
      const box = new Uint8Array(plaintext.length + 16)
      sodium.crypto_secretbox_easy(box, plaintext, nonce, key)
      const out = new Uint8Array(plaintext.length)
      if (!sodium.crypto_secretbox_open_easy(out, box, nonce, key)) throw new Error('raw open failed')
    }
    return { op: c.cold ? cold : warm, destroy() {} }
  }
}

const build = await { sdk: loadSdk, ours: loadOurs, limit: loadLimit }[IMPL]()

async function timeIt(from, n, fn, clock) {
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  for (let i = from; i < from + n; i++) await fn(i)
  const wallNs = Number(process.hrtime.bigint() - t0)
  const c = process.cpuUsage(c0)
  const ns = clock === 'wall' ? wallNs : (c.user + c.system) * 1000
  return (n * 1e9) / Math.max(ns, 1)
}

async function handle(msg) {
  if (msg.cmd === 'setup') {
    current?.destroy()
    current = null
    globalThis.gc?.()
    const s = msg.case
    const peers = s.peers.map(revivePeer)
    const c = {
      body: s.body,
      cold: s.cold,
      peers,
      receiver: revivePeer(s.receiver),
      plaintext: new Uint8Array(Buffer.from(s.plaintext, 'hex')),
      sharedKey: new Uint8Array(Buffer.from(s.sharedKey, 'hex')),
      // cold: timed ops use peers warmupPeers.. (each once; the limit cycles), the warm-up uses
      // 0..warmupPeers-1; warm: always peer 0
      peerOf: s.cold ? (i) => (i % (peers.length - s.warmupPeers)) + s.warmupPeers : () => 0,
    }
    current = build(c)
    // Warm up on the warm-up peers only (cold runs never meet a timed peer before its own op),
    // until both `warmup` ops and `warmupMs` have passed: steady state, not JIT compilation.
    const timedPeerOf = c.peerOf
    c.peerOf = s.cold ? (i) => i % s.warmupPeers : () => 0
    const until = performance.now() + s.warmupMs
    for (let i = 0; i < s.warmup || performance.now() < until; i++) await current.op(i)
    c.peerOf = timedPeerOf
    globalThis.gc?.()
    return { ok: true }
  }
  if (msg.cmd === 'round') return { opsPerSec: await timeIt(msg.round * msg.n, msg.n, current.op, msg.clock) }
  if (msg.cmd === 'exit') {
    current?.destroy()
    process.disconnect()
    return null
  }
  throw new Error(`unknown command ${msg.cmd}`)
}

process.on('message', (msg) => {
  handle(msg).then(
    (reply) => reply && process.send(reply),
    (e) => process.send({ error: String(e?.stack ?? e) }),
  )
})
process.send({ ready: IMPL })
