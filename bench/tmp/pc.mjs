import * as core from '../../packages/core/dist/index.js'
import { bodyOfSize, makePeer, revivePeer } from '../lib/messaging/setup.mjs'
const n = Number(process.argv[2] ?? 6000)
const body = bodyOfSize(200)
const peers = Array.from({length: n+500}, (_, i) => revivePeer(makePeer(`peer/${i}`)))
const receiver = revivePeer(makePeer('receiver'))
const rings = peers.map(p => core.createKeyring([{ keyUri: p.keyUri, secretKey: p.encSecret }]))
const receiverRing = core.createKeyring([{ keyUri: receiver.keyUri, secretKey: receiver.encSecret }])
const replay = core.createReplayGuard({ store: core.createMemoryReplayStore({ maxEntries: 2_000_000 }) })
const op = async (i) => {
  const message = core.createMessage(body, { sender: peers[i].did, receiver: receiver.did })
  const envelope = await core.encryptMessage(message, { keys: rings[i], receiverKeyUri: receiver.keyUri })
  await core.decryptMessage(envelope, { keys: receiverRing, replay })
}
for (let i = 0; i < 500; i++) await op(i)
globalThis.gc?.()
const c0 = process.cpuUsage(); const t0 = performance.now()
for (let i = 500; i < n+500; i++) await op(i)
const c = process.cpuUsage(c0); const w = performance.now() - t0
console.log(`${((c.user + c.system) / n).toFixed(1)} µs/op CPU, ${(w*1000/n).toFixed(1)} µs/op wall (${n} ops)`)
