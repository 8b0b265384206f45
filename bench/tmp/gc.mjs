import { PerformanceObserver } from 'node:perf_hooks'
import * as core from '../../packages/core/dist/index.js'
import { bodyOfSize, makePeer, revivePeer } from '../lib/messaging/setup.mjs'
const n = Number(process.argv[2] ?? 6000); const cold = process.argv[3] !== 'warm'
const W0 = Number(process.argv[4] ?? 500); const body = bodyOfSize(200)
const peers = Array.from({length: cold ? n+W0 : 1}, (_, i) => revivePeer(makePeer(`peer/${i}`)))
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
const W = Number(process.argv[4] ?? 500); for (let i = 0; i < W; i++) await op(i)
globalThis.gc?.()
const gcs = {}; let gcTime = 0
const obs = new PerformanceObserver(l => { for (const e of l.getEntries()) { const k = e.detail?.kind ?? e.kind; gcs[k]=(gcs[k]||0)+1; gcTime += e.duration } }); obs.observe({ entryTypes: ['gc'] })
console.log("TIMED START"); const h0 = process.memoryUsage().heapUsed
const c0 = process.cpuUsage(); const t0 = performance.now()
for (let i = W; i < n+W; i++) await op(i)
const c = process.cpuUsage(c0); const w = performance.now() - t0
await new Promise(r=>setTimeout(r,50))
console.log(`${((c.user + c.system) / n).toFixed(1)} µs/op CPU, ${(w*1000/n).toFixed(1)} µs/op wall; gc ${JSON.stringify(gcs)} ${(gcTime*1000/n).toFixed(1)} µs/op in gc pauses`)
