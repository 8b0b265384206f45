import * as core from '../../packages/core/dist/index.js'
import { makePeer, revivePeer } from '../lib/messaging/setup.mjs'
const N = 3000
const peers = Array.from({length: 4*N}, (_, i) => revivePeer(makePeer(`peer/${i}`)))
const r = core.defaultResolver()
const backend = await core.getBoxBackend()
let off = 0
async function t(name, f){ const t0=performance.now(); const c0=process.cpuUsage(); for(let i=0;i<N;i++) await f(peers[off+i]); const c=process.cpuUsage(c0); console.log(name.padEnd(28), ((performance.now()-t0)*1000/N).toFixed(2),'µs wall', ((c.user+c.system)/N).toFixed(2), 'cpu'); off+=N }
await t('parseDid', p=>core.parseDid(p.did))
await t('resolveKey', p=>r.resolveKey(p.keyUri,'keyAgreement'))
await t('resolve', p=>r.resolve(p.did))
await t('beforenm', p=>backend.beforenm(p.encPub, peers[0].encSecret))
console.log(backend.name)
