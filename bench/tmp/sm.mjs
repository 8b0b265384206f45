import sodium from 'sodium-native'
import crypto from 'node:crypto'
const N=20000
const sk = Buffer.alloc(32), pk=Buffer.alloc(32); sodium.randombytes_buf(sk); sodium.crypto_scalarmult_base(pk, sk)
const pks = Array.from({length:N},()=>{const s=Buffer.alloc(32);sodium.randombytes_buf(s);const p=Buffer.alloc(32);sodium.crypto_scalarmult_base(p,s);return p})
const out=Buffer.alloc(32)
function t(name, f){ const t0=performance.now(); for(let i=0;i<N;i++) f(i); const dt=performance.now()-t0; console.log(name, (dt*1000/N).toFixed(1),'µs') }
for (let r=0;r<2;r++){
t('scalarmult', i=>sodium.crypto_scalarmult(out, sk, pks[i]))
const m=Buffer.alloc(600), c=Buffer.alloc(616), n=Buffer.alloc(24)
t('box_easy', i=>sodium.crypto_box_easy(c, m, n, pks[i], sk))
// node crypto
const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420','hex'), sk])
const priv = crypto.createPrivateKey({key:pkcs8, format:'der', type:'pkcs8'})
t('node dh jwk', i=>crypto.diffieHellman({privateKey: priv, publicKey: crypto.createPublicKey({key:{kty:'OKP',crv:'X25519',x:pks[i].toString('base64url')}, format:'jwk'})}))
}
