// Benchmark of the NaCl box backends (spec §3.1) against raw libsodium, tweetnacl and KILT's SDK.
//
// Build first, then run (plain Node ESM, imports the compiled core from packages/core/dist):
//   npx tsc -b packages/core && node bench/crypto.mjs
// Environment: BENCH_MS (time per measurement, default 250), BENCH_ROUNDS (every case is measured
// this many times, interleaved, and the best run is reported — robust against a busy machine;
// default 3), BENCH_PEERS (distinct peers for the cold runs, default 4000).
//
// Figures are operations per second of one party with a fixed own key: an "encrypt + decrypt" is
// sealing one box to a peer plus opening one box from a peer. "cold" uses a new peer for each of
// the two (two X25519 exchanges, nothing cached), "warm" the same peer (shared key cached by the
// keyring; raw crypto_box_easy and the SDK have no cache, so for them warm = cold).
import { randomBytes as nodeRandomBytes } from 'node:crypto'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const core = await import('../packages/core/dist/crypto/index.js')
const { createKeyring } = await import('../packages/core/dist/keys/keyring.js')
const nacl = require('tweetnacl')
let sodium
try {
  sodium = require('sodium-native')
} catch {
  sodium = undefined
}
let kiltCrypto
try {
  kiltCrypto = (await import('@kiltprotocol/utils')).Crypto
} catch {
  kiltCrypto = undefined
}

const MS = Number(process.env.BENCH_MS ?? 250)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const PEERS = Number(process.env.BENCH_PEERS ?? 4000)

/** Runs `fn(i)` for about MS milliseconds (at most `max` times, i from 0); returns ops/s. */
async function measure(fn, max, isAsync) {
  let n = 0
  const t0 = performance.now()
  let t = 0
  if (isAsync) {
    while (t < MS && n < max) {
      await fn(n++)
      if ((n & 7) === 0) t = performance.now() - t0
    }
  } else {
    while (t < MS && n < max) {
      fn(n++)
      if ((n & 7) === 0) t = performance.now() - t0
    }
  }
  t = performance.now() - t0
  return (n / t) * 1000
}

// Key material: our key pair and PEERS peers; odd-numbered peers send us boxes, we seal to the
// even-numbered ones, so a cold run never hits a cache.
const u8 = (n) => new Uint8Array(nodeRandomBytes(n))
const mine = nacl.box.keyPair.fromSecretKey(u8(32))
const peers = Array.from({ length: PEERS }, () => nacl.box.keyPair.fromSecretKey(u8(32)))
const nonce = u8(24)
const OWN = 'did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B#encryption'
const HALF = Math.floor(PEERS / 2)
const even = (i) => peers[(2 * i) % PEERS]
const odd = (i) => (2 * i + 1) % PEERS

const backends = await core.availableBoxBackends()
const chosen = await core.getBoxBackend()
console.log(
  `node ${process.version}; backends available: ${backends.map((b) => b.name).join(', ')}; chosen: ${chosen.name}`,
)
console.log(`BENCH_MS=${MS} BENCH_ROUNDS=${ROUNDS} BENCH_PEERS=${PEERS}\n`)

/** @type {{ group: string, name: string, setup: () => Promise<{ fn: (i: number) => unknown, max: number, isAsync: boolean, done?: () => void }>, best: number }[]} */
const cases = []
const add = (group, name, setup) => cases.push({ group, name, setup, best: 0 })

for (const b of backends) {
  add('X25519 + HSalsa20 (beforenm), new peer each time', `beforenm ${b.name}`, async () => ({
    fn: (i) => b.beforenm(peers[i % PEERS].publicKey, mine.secretKey),
    max: b.name === 'noble' ? 200 : PEERS,
    isAsync: b.name === 'webcrypto',
  }))
}
if (sodium) {
  const q = new Uint8Array(32)
  add(
    'X25519 + HSalsa20 (beforenm), new peer each time',
    'raw sodium crypto_scalarmult (no HSalsa20)',
    async () => ({
      fn: (i) => sodium.crypto_scalarmult(q, mine.secretKey, peers[i % PEERS].publicKey),
      max: PEERS,
      isAsync: false,
    }),
  )
}
add('X25519 + HSalsa20 (beforenm), new peer each time', 'tweetnacl box.before', async () => ({
  fn: (i) => nacl.box.before(peers[i % PEERS].publicKey, mine.secretKey),
  max: 200,
  isAsync: false,
}))

for (const size of [200, 10240]) {
  const msg = u8(size)
  const group = `encrypt + decrypt, ${size === 200 ? '200 B' : '10 KB'}`
  const inbox = peers.map((p, i) =>
    i % 2 === 1 ? nacl.box(msg, nonce, mine.publicKey, p.secretKey) : undefined,
  )
  for (const b of backends) {
    const isAsync = b.name === 'webcrypto'
    add(group, `ours cold (keyring, ${b.name})`, async () => {
      const ring = createKeyring([{ keyUri: OWN, secretKey: mine.secretKey }], {
        backend: b,
        cacheSize: PEERS,
      })
      return {
        fn: isAsync
          ? async (i) => {
              await ring.sealFor(OWN, even(i).publicKey, msg, nonce)
              if ((await ring.openFor(OWN, peers[odd(i)].publicKey, inbox[odd(i)], nonce)) === null)
                throw new Error('open failed')
            }
          : (i) => {
              ring.sealFor(OWN, even(i).publicKey, msg, nonce)
              if (ring.openFor(OWN, peers[odd(i)].publicKey, inbox[odd(i)], nonce) === null)
                throw new Error('open failed')
            },
        max: b.name === 'noble' ? 100 : HALF,
        isAsync,
        done: () => ring.destroy(),
      }
    })
    add(group, `ours warm (keyring, ${b.name})`, async () => {
      const ring = createKeyring([{ keyUri: OWN, secretKey: mine.secretKey }], { backend: b })
      const p = peers[1]
      await ring.openFor(OWN, p.publicKey, inbox[1], nonce) // fills the cache
      return {
        fn: () => {
          ring.sealFor(OWN, p.publicKey, msg, nonce)
          if (ring.openFor(OWN, p.publicKey, inbox[1], nonce) === null) throw new Error('open failed')
        },
        max: Number.POSITIVE_INFINITY,
        isAsync: false,
        done: () => ring.destroy(),
      }
    })
  }
  if (sodium) {
    const c = new Uint8Array(size + 16)
    const m = new Uint8Array(size)
    add(group, 'raw sodium crypto_box_easy + crypto_box_open_easy', async () => ({
      fn: (i) => {
        sodium.crypto_box_easy(c, msg, nonce, even(i).publicKey, mine.secretKey)
        if (!sodium.crypto_box_open_easy(m, inbox[odd(i)], nonce, peers[odd(i)].publicKey, mine.secretKey))
          throw new Error('open failed')
      },
      max: Number.POSITIVE_INFINITY,
      isAsync: false,
    }))
    const k = new Uint8Array(32).fill(9)
    add(group, 'raw sodium secretbox (= *_afternm, precomputed key)', async () => ({
      fn: () => {
        sodium.crypto_secretbox_easy(c, msg, nonce, k)
        if (!sodium.crypto_secretbox_open_easy(m, c, nonce, k)) throw new Error('open failed')
      },
      max: Number.POSITIVE_INFINITY,
      isAsync: false,
    }))
  }
  add(group, 'tweetnacl box + box.open (cold)', async () => ({
    fn: (i) => {
      nacl.box(msg, nonce, even(i).publicKey, mine.secretKey)
      if (nacl.box.open(inbox[odd(i)], nonce, peers[odd(i)].publicKey, mine.secretKey) === null)
        throw new Error('open failed')
    },
    max: 200,
    isAsync: false,
  }))
  const kk = nacl.box.before(peers[1].publicKey, mine.secretKey)
  add(group, 'tweetnacl box.after + open.after (warm)', async () => ({
    fn: () => {
      nacl.box.after(msg, nonce, kk)
      if (nacl.box.open.after(inbox[1], nonce, kk) === null) throw new Error('open failed')
    },
    max: Number.POSITIVE_INFINITY,
    isAsync: false,
  }))
  if (kiltCrypto) {
    add(group, 'KILT SDK 0.35.2 encryptAsymmetric + decryptAsymmetric', async () => ({
      fn: (i) => {
        kiltCrypto.encryptAsymmetric(msg, even(i).publicKey, mine.secretKey)
        const got = kiltCrypto.decryptAsymmetric(
          { box: inbox[odd(i)], nonce },
          peers[odd(i)].publicKey,
          mine.secretKey,
        )
        if (got === false) throw new Error('open failed')
      },
      max: 200,
      isAsync: false,
    }))
  }
}

for (let r = 0; r < ROUNDS; r++) {
  for (const c of cases) {
    const { fn, max, isAsync, done } = await c.setup()
    c.best = Math.max(c.best, await measure(fn, max, isAsync))
    done?.()
  }
  process.stderr.write(`round ${r + 1}/${ROUNDS} done\n`)
}

const fmt = (x) => Math.round(x).toLocaleString('en-US')
let group = ''
for (const c of cases) {
  if (c.group !== group) {
    group = c.group
    console.log(`\n-- ${group} --`)
  }
  console.log(`${c.name.padEnd(58)} ${fmt(c.best).padStart(12)}`)
}

const get = (group, name) => cases.find((c) => c.group === group && c.name === name)?.best
console.log('\n-- targets: cold >= 50% of raw libsodium, cold >= 15x SDK, warm >= 100x SDK --')
for (const g of ['encrypt + decrypt, 200 B', 'encrypt + decrypt, 10 KB']) {
  const sodiumBox = get(g, 'raw sodium crypto_box_easy + crypto_box_open_easy')
  const sdk = get(g, 'KILT SDK 0.35.2 encryptAsymmetric + decryptAsymmetric')
  for (const b of backends) {
    const cold = get(g, `ours cold (keyring, ${b.name})`)
    const warm = get(g, `ours warm (keyring, ${b.name})`)
    const pct = sodiumBox ? `${((cold / sodiumBox) * 100).toFixed(0)}% of libsodium` : 'no libsodium'
    const xs = sdk ? `cold ${(cold / sdk).toFixed(1)}x SDK, warm ${(warm / sdk).toFixed(0)}x SDK` : 'no SDK'
    console.log(`${g.slice(-6).trim()} ${b.name.padEnd(9)}${b === chosen ? '*' : ' '} cold ${pct}; ${xs}`)
  }
}
console.log('(* = the backend getBoxBackend() chooses here)')
