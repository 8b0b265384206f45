import * as core from '../../packages/core/dist/index.js'
import { base58Decode } from '../../packages/core/dist/did/lib/base58.js'
import { blake2b, blake2bImplementation } from '../../packages/core/dist/crypto/lib/blake2b.js'
import { makePeer } from '../lib/messaging/setup.mjs'
await core.getBoxBackend()
console.log(blake2bImplementation())
const N=20000
const peers = Array.from({length: 3000}, (_, i) => makePeer(`peer/${i}`))
const addrs = peers.map(p=>p.did.slice(17, p.did.indexOf(':',17)))
const dets = peers.map(p=>p.did.slice(p.did.indexOf(':',17)+1))
console.log(addrs[0].length, dets[0].length, dets[0])
function t(name, f){ for(let i=0;i<3000;i++) f(i%3000); const t0=performance.now(); for(let i=0;i<N;i++) f(i%3000); console.log(name.padEnd(28), ((performance.now()-t0)*1000/N).toFixed(2),'µs') }
t('b58 addr', i=>base58Decode(addrs[i]))
t('b58 details', i=>base58Decode(dets[i]))
const inp = new Uint8Array(40)
t('blake2b 64', i=>blake2b(inp,64))
