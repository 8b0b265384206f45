import * as core from '../../packages/core/dist/index.js'
import { makePeer } from '../lib/messaging/setup.mjs'
const N = 3000
const peers = Array.from({length: 6*N}, (_, i) => makePeer(`peer/${i}`))
await core.getBoxBackend()
let off = 0
function t(name, f){ const t0=performance.now(); for(let i=0;i<N;i++) f(peers[off+i]); console.log(name.padEnd(28), ((performance.now()-t0)*1000/N).toFixed(2),'µs wall'); off+=N }
globalThis.gc()
t('lightDidToDocument', p=>core.lightDidToDocument(p.did))
t('parseDid', p=>core.parseDid(p.did))
t('decodeAddress', p=>core.decodeAddress(p.did.slice(17, p.did.indexOf(':',17))))
t('slice only', p=>p.did.slice(17, p.did.indexOf(':',17)))
t('didSubject', p=>core.didSubject(p.did))
