import * as core from '../../packages/core/dist/index.js'
import { bodyOfSize, makePeer, revivePeer } from '../lib/messaging/setup.mjs'
const n = Number(process.argv[2] ?? 4000)
const cold = process.argv[3] !== 'warm'
const body = bodyOfSize(200)
const peers = Array.from({length: cold ? 2*n+500 : 1}, (_, i) => revivePeer(makePeer(`peer/${i}`)))
const receiver = revivePeer(makePeer('receiver'))
const rings = peers.map(p => core.createKeyring([{ keyUri: p.keyUri, secretKey: p.encSecret }]))
const receiverRing = core.createKeyring([{ keyUri: receiver.keyUri, secretKey: receiver.encSecret }])
const replay = core.createReplayGuard({ store: core.createMemoryReplayStore({ maxEntries: 2_000_000 }) })
const P = i => cold ? i : 0
async function round(off) {
  const ms = [], es = []
  const T = () => [process.cpuUsage(), performance.now()]
  const D = ([c0,t0]) => { const c=process.cpuUsage(c0); return `${((c.user+c.system)/n).toFixed(1)}cpu/${((performance.now()-t0)*1000/n).toFixed(1)}wall` }
  let t = T()
  for (let i = 0; i < n; i++) ms.push(core.createMessage(body, { sender: peers[P(off+i)].did, receiver: receiver.did }))
  const a = D(t); t = T()
  for (let i = 0; i < n; i++) es.push(await core.encryptMessage(ms[i], { keys: rings[P(off+i)], receiverKeyUri: receiver.keyUri }))
  const b = D(t); t = T()
  for (let i = 0; i < n; i++) await core.decryptMessage(es[i], { keys: receiverRing, replay })
  const c = D(t)
  console.log(`create ${a} | encrypt ${b} | decrypt ${c}`)
}
await round(0); globalThis.gc?.()
await round(n+500)
