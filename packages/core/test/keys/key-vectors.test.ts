/**
 * Spec §11.1–§11.3 key vectors and the `dids.*` keys of the SDK vector file: seed → public key.
 */
import { blake2b } from '@noble/hashes/blake2.js'
import { describe, expect, it } from 'vitest'
import { ed25519FromSeed, sr25519FromSeed, x25519FromSeed } from '../../src/keys/index.js'
import { fromHex, toHex } from '../../src/lib/bytes.js'
import { loadVectors } from '../helpers/vectors.js'

const h = (hex: string) => fromHex(hex)

// §11.1 (docs example; ed25519 auth keys, x25519 secret = seed)
const ed25519Vectors = [
  [
    '0x162889a0ceb774712d4e637c1ff2dfdc1d0b798178bae1477ca671aa54c53376',
    '0xe73aec811bef5973869d0b040ad272826fa6b8c3ee0617ed8f5c13a33ffd3362',
  ],
  [
    '0xeeaa466c9534d7b36abb15954dfd1db46eafbb2e44c6a59c4ce5158651fef8a7',
    '0x72cc74cfc7a90e2593a295235bc6a48b46d47a74a7591dc6060c211d290572dc',
  ],
  // §11.3 receiverAuthEd25519
  [
    '0x3333333333333333333333333333333333333333333333333333333333333333',
    '0x17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce',
  ],
]
// §11.2 (SDK golden snapshot) and §11.3 senderAuthSr25519
const sr25519Vectors = [
  [
    '0x127f2375faf3472c2f94ffcdd5424590b27294631f2cb8041407e501bc97c44c',
    '0x8475ca6b2075414b90d01404302df4f180e90222f5cf978288c4ddabd98adf57',
  ],
  [
    '0xdc6f4d21a91848eeeac1811c73a2323060ef2d8d4a07ece2f216d5b8f977520b',
    '0xaacbe46d9f27d193dc13db1bc42e0e9e056dc31a1499b830793dda3ee3e99301',
  ],
  [
    '0xa748f38e896ddc52b6e5cc5baa754f7f841381ef32bf1d86d51026857c6c05dc',
    '0xb467d8769800290db59206445274fd9d783be36d7d52d15f85f9050db6f5c077',
  ],
  [
    '0x1111111111111111111111111111111111111111111111111111111111111111',
    '0x50780547322a1ceba67ea8c552c9bc6c686f8698ac9a8cafab7cd15a1db19859',
  ],
]
const x25519Vectors = [
  // §11.1
  [
    '0x2f09224e18d8579d5942dd16211308cf9e634ed1bfd62471f5c57f4f3e80d786',
    '0xd41f943413e3ca5d5ba49b6f032a4df20f3b5acb6f7cc33ae6052bf044582256',
  ],
  [
    '0x908a9aaa4db3a0440b42722976bd241705c5b0ce50d71ecb23f1caf9e5b22c3a',
    '0x9bd9f84cfcf8ce2900ecf2dc392aacfbbfe59b2817b13c528d87924cab019973',
  ],
  // §11.2
  [
    '0xbc7c6533bdec7f006528939dc6742341247a2ed2ccfaf3f8ad64d329cf25edf6',
    '0xb36908028ea6025dab89f1df5d51cd38c4bb4462d0603de86bc719300075d213',
  ],
  [
    '0x895dfdeb24799b226df3f89217f2789e5f4a4f62ebd7d8241899c767efd712aa',
    '0x41dd3c554ffd4e279b6365394183b6aaea7c0afd4e75a0e72e2b29c0db3f2f74',
  ],
  [
    '0xd4b7768834d8728ea050e813e6998be794cccacb507b0da6f450bd75251dc3e4',
    '0x1fd901a6bdd18495855b94701c33bcd7bca2f0d4f5eab652a1eef890c667dd1f',
  ],
  // §11.3
  [
    '0x2222222222222222222222222222222222222222222222222222222222222222',
    '0x0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20',
  ],
  [
    '0x4444444444444444444444444444444444444444444444444444444444444444',
    '0xff2ee45601ec1b67310c7790404585ae697331eee1c1f8cf2419731c1fff3e6b',
  ],
]

describe('spec §11 key vectors', () => {
  it.each(ed25519Vectors)('ed25519 seed %s', (seed, pub) => {
    const pair = ed25519FromSeed(h(seed))
    expect(pair.type).toBe('ed25519')
    expect(toHex(pair.publicKey)).toBe(pub)
    expect(toHex(pair.secretKey)).toBe(seed)
  })
  it.each(sr25519Vectors)('sr25519 mini secret %s', (seed, pub) => {
    const pair = sr25519FromSeed(h(seed))
    expect(pair.type).toBe('sr25519')
    expect(toHex(pair.publicKey)).toBe(pub)
    expect(pair.secretKey.length).toBe(64)
  })
  it.each(x25519Vectors)('x25519 secret %s', (secret, pub) => {
    const pair = x25519FromSeed(h(secret))
    expect(pair.type).toBe('x25519')
    expect(toHex(pair.publicKey)).toBe(pub)
    expect(toHex(pair.secretKey)).toBe(secret)
  })
  it('§11.2 x25519 secret = blake2b-256(seed)', () => {
    for (const [i, [seed]] of sr25519Vectors.slice(0, 3).entries()) {
      const secret = blake2b(h(seed!), { dkLen: 32 })
      expect(toHex(x25519FromSeed(secret).publicKey)).toBe(x25519Vectors[2 + i]![1])
    }
  })
})

describe('SDK vector file dids.*', () => {
  const { dids } = loadVectors()
  const names = Object.keys(dids)
  it('has the six anchor DIDs', () => {
    expect(names.sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'eve'])
  })
  it.each(names)('%s authentication seed → public key', (name) => {
    const auth = dids[name].authentication
    const make = auth.type === 'sr25519' ? sr25519FromSeed : ed25519FromSeed
    expect(['sr25519', 'ed25519']).toContain(auth.type)
    const pair = make(h(auth.seed))
    expect(pair.type).toBe(auth.type)
    expect(toHex(pair.publicKey)).toBe(auth.publicKey)
  })
  it.each(names.filter((n) => dids[n].keyAgreement !== undefined))(
    '%s keyAgreement secret → public key',
    (name) => {
      const ka = dids[name].keyAgreement
      expect(ka.type).toBe('x25519')
      expect(toHex(x25519FromSeed(h(ka.secretKey)).publicKey)).toBe(ka.publicKey)
    },
  )
})
