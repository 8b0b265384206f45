// profile only the timed window: node bench/tmp/tprof.mjs <n> <cold|warm> <out>
import { Session } from 'node:inspector/promises'
import fs from 'node:fs'
import * as core from '../../packages/core/dist/index.js'
import { bodyOfSize, makePeer, revivePeer } from '../lib/messaging/setup.mjs'
const n = Number(process.argv[2] ?? 6000); const cold = process.argv[3] !== 'warm'
const W = 500
const body = bodyOfSize(200)
const peers = Array.from({length: cold ? n+W : 1}, (_, i) => revivePeer(makePeer(`peer/${i}`)))
const receiver = revivePeer(makePeer('receiver'))
const rings = peers.map(p => core.createKeyring([{ keyUri: p.keyUri, secretKey: p.encSecret }]))
const receiverRing = core.createKeyring([{ keyUri: receiver.keyUri, secretKey: receiver.encSecret }])
const replay = core.createReplayGuard({ store: core.createMemoryReplayStore({ maxEntries: 2_000_000 }) })
const P = i => cold ? i : 0
const op = async (i) => {
  const message = core.createMessage(body, { sender: peers[P(i)].did, receiver: receiver.did })
  const envelope = await core.encryptMessage(message, { keys: rings[P(i)], receiverKeyUri: receiver.keyUri })
  await core.decryptMessage(envelope, { keys: receiverRing, replay })
}
for (let i = 0; i < W; i++) await op(i)
const s = new Session(); s.connect()
await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 40 })
await s.post('Profiler.start')
const t0 = performance.now()
for (let i = W; i < n+W; i++) await op(i)
const w = performance.now() - t0
const { profile } = await s.post('Profiler.stop')
fs.mkdirSync(process.argv[4], { recursive: true }); fs.writeFileSync(process.argv[4] + '/p.cpuprofile', JSON.stringify(profile))
console.log(`${(w*1000/n).toFixed(1)} µs/op wall`)
