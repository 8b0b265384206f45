import sodium from 'sodium-native'
import crypto from 'node:crypto'
import { bodyOfSize, makePeer, plaintextOf, revivePeer } from '../lib/messaging/setup.mjs'
const body = bodyOfSize(200)
const a = revivePeer(makePeer('peer/0')), b = revivePeer(makePeer('receiver'))
const ptHex = plaintextOf(body, a, b); const pt = Buffer.from(ptHex,'hex'); const ptStr = pt.toString()
const N = 200000
let sink
function t(name, f){ for(let i=0;i<2000;i++) sink=f(i); const t0=performance.now(); for(let i=0;i<N;i++) sink=f(i); console.log(name.padEnd(28), ((performance.now()-t0)*1000/N).toFixed(2),'µs') }
const key = Buffer.alloc(32), nonce=Buffer.alloc(24), box=Buffer.alloc(pt.length+16), out=Buffer.alloc(pt.length)
t('secretbox_easy', ()=>sodium.crypto_secretbox_easy(box, pt, nonce, key))
t('secretbox_open', ()=>sodium.crypto_secretbox_open_easy(out, box, nonce, key))
t('stringify body', ()=>JSON.stringify(body))
const bj = JSON.stringify(body)
t('parse body', ()=>JSON.parse(bj))
const te = new TextEncoder(), td = new TextDecoder('utf-8',{fatal:true})
t('TextEncoder 648', ()=>te.encode(ptStr))
t('Buffer.from utf8 648', ()=>Buffer.from(ptStr))
t('TextDecoder fatal 648', ()=>td.decode(pt))
t('Buffer toString utf8', ()=>pt.toString('utf8'))
t('JSON.parse plaintext', ()=>JSON.parse(ptStr))
t('hex encode box 664', ()=>box.toString('hex'))
const bh = '0x'+box.toString('hex')
t('hex decode Buffer', ()=>Buffer.from(bh.slice(2),'hex'))
t('hex decode latin1 check', ()=>{ const s = bh; return /^0x[0-9a-f]*$/.test(s) })
t('randomUUID', ()=>crypto.randomUUID())
const h=Buffer.alloc(32)
t('uuid+blake2b+hex', ()=>{ sodium.crypto_generichash(h, Buffer.from(crypto.randomUUID())); return '0x'+h.toString('hex')})
t('getRandomValues 24', ()=>crypto.getRandomValues(new Uint8Array(24)))
t('randombytes_buf 24', ()=>{const n=Buffer.allocUnsafe(24); sodium.randombytes_buf(n); return n})
const m = new Map(); let k=0
t('Map set 164-char key', (i)=>{ m.set(a.did.slice(0,60)+'>'+b.did.slice(0,50)+'|0x'+i.toString(16).padStart(64,'0'), i); })
const m2 = new Map(); 
t('Map set 66-char key', (i)=>{ m2.set('0x'+i.toString(16).padStart(64,'0'), i); })
t('async fn + await', async ()=>{ await null })
t('Object.freeze small', ()=>Object.freeze({a:1,b:2}))
