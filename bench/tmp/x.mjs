import sodium from 'sodium-native'
import crypto from 'node:crypto'
const N=10000
const sk = Buffer.alloc(32); sodium.randombytes_buf(sk)
const pks = Array.from({length:N},()=>{const s=Buffer.alloc(32);sodium.randombytes_buf(s);const p=Buffer.alloc(32);sodium.crypto_scalarmult_base(p,s);return p})
const out=Buffer.alloc(32)
function t(name, f){ for(let i=0;i<500;i++) f(i); const t0=performance.now(); for(let i=0;i<N;i++) f(i); const dt=performance.now()-t0; console.log(name.padEnd(20), (dt*1000/N).toFixed(1),'µs') }
const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420','hex'), sk])
const priv = crypto.createPrivateKey({key:pkcs8, format:'der', type:'pkcs8'})
const spkiPre = Buffer.from('302a300506032b656e032100','hex')
for (let r=0;r<2;r++){
t('sodium scalarmult', i=>sodium.crypto_scalarmult(out, sk, pks[i]))
const kos = pks.map(p=>crypto.createPublicKey({key:{kty:'OKP',crv:'X25519',x:p.toString('base64url')}, format:'jwk'}))
t('jwk import', i=>crypto.createPublicKey({key:{kty:'OKP',crv:'X25519',x:pks[i].toString('base64url')}, format:'jwk'}))
t('der import', i=>crypto.createPublicKey({key:Buffer.concat([spkiPre,pks[i]]), format:'der', type:'spki'}))
t('dh only', i=>crypto.diffieHellman({privateKey: priv, publicKey: kos[i]}))
}
