import nacl from 'tweetnacl'
import { describe, expect, it } from 'vitest'
import { nobleBackend, open, randomBytes, seal } from '../../src/crypto/index.js'
import { rejectionCode } from '../helpers/expect-error.js'

describe('crypto/box seal/open: the backend argument', () => {
  const a = nacl.box.keyPair()
  const b = nacl.box.keyPair()
  const nonce = randomBytes(24)
  const { beforenm: _beforenm, ...noBeforenm } = nobleBackend
  const notBackends: unknown[] = [
    null,
    {},
    'noble',
    1,
    0n,
    true,
    Symbol('b'),
    [],
    () => nobleBackend,
    noBeforenm,
    { ...nobleBackend, openAfternm: 'x' },
    Promise.resolve(nobleBackend),
  ]

  it('rejects anything that is not a BoxBackend with ERR_ARGUMENT_INVALID', async () => {
    for (const bad of notBackends) {
      const label = typeof bad === 'symbol' ? 'symbol' : String(bad)
      expect(
        await rejectionCode(seal(new Uint8Array(1), nonce, b.publicKey, a.secretKey, bad as never)),
        `seal ${label}`,
      ).toBe('ERR_ARGUMENT_INVALID')
      expect(
        await rejectionCode(open(new Uint8Array(17), nonce, b.publicKey, a.secretKey, bad as never)),
        `open ${label}`,
      ).toBe('ERR_ARGUMENT_INVALID')
    }
  })

  it('accepts undefined (the default backend) and any object with the BoxBackend methods', async () => {
    const msg = Uint8Array.of(1, 2, 3)
    const want = nacl.box(msg, nonce, b.publicKey, a.secretKey)
    expect(await seal(msg, nonce, b.publicKey, a.secretKey)).toEqual(want)
    expect(await seal(msg, nonce, b.publicKey, a.secretKey, undefined)).toEqual(want)
    // a wrapper (not one of ours, not frozen) is fine: the check is structural
    const wrapper = { ...nobleBackend }
    expect(await seal(msg, nonce, b.publicKey, a.secretKey, wrapper)).toEqual(want)
    expect(await open(want, nonce, a.publicKey, b.secretKey, wrapper)).toEqual(msg)
  })
})
