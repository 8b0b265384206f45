import * as core from '../../packages/core/dist/index.js'
import { makePeer, revivePeer } from '../lib/messaging/setup.mjs'
const N = 20000
const peers = Array.from({length: N}, (_, i) => makePeer(`peer/${i}`))
const r = core.defaultResolver()
await core.getBoxBackend()
const t0=performance.now()
for(let i=0;i<N;i++) await r.resolveKey(peers[i].keyUri,'keyAgreement')
console.log(((performance.now()-t0)*1000/N).toFixed(2))
