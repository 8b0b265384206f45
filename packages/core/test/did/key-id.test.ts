import { blake2AsU8a } from '@polkadot/util-crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fullDidKeyId } from '../../src/did/index.js'
import { fromHex, toHex } from '../../src/lib/bytes.js'
import { expectCode } from '../helpers/expect-error.js'

describe('fullDidKeyId (§7.4)', () => {
  it('matches the real Spiritnet key id of §11.5', () => {
    expect(
      fullDidKeyId({
        type: 'ed25519',
        publicKey: fromHex('0x98d57b312444dde1093fbef7d234580c6671c9e5b328c2f43b187d0eccf96e83'),
      }),
    ).toBe('#0x1c1dcca1a29abc3538294e2d746853349bc43d781de4fa013b6cef473e196dff')
  })
  it('matches the §11.3 key ids', () => {
    const cases: Array<[Parameters<typeof fullDidKeyId>[0]['type'], string, string]> = [
      [
        'x25519',
        '0x0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20',
        '0xbe4900e159fc16d34a008dd0af67fe1c31b2e784c8baefe6c8bbd558f3c8e1ff',
      ],
      [
        'x25519',
        '0xff2ee45601ec1b67310c7790404585ae697331eee1c1f8cf2419731c1fff3e6b',
        '0x5f8e0adb61fcb2aca39c532deefadffe58590d90a64942234140f1550100e9fd',
      ],
      [
        'sr25519',
        '0x50780547322a1ceba67ea8c552c9bc6c686f8698ac9a8cafab7cd15a1db19859',
        '0xfda9deb6cfbf5247a1f8cd8730abcff4927532808738aba1b60620e428786289',
      ],
      [
        'ed25519',
        '0x17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce',
        '0xd330db589671dd0d0493b8ab553b8c9ded776904e659b99dd04b8147c2fb0459',
      ],
    ]
    for (const [type, pk, id] of cases) expect(fullDidKeyId({ type, publicKey: fromHex(pk) })).toBe(`#${id}`)
  })
  it('hashes the SCALE enum with a 33-byte ecdsa key (polkadot blake2 as oracle)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 33, maxLength: 33 }), (pk) => {
        expect(fullDidKeyId({ type: 'ecdsa', publicKey: pk })).toBe(
          `#${toHex(blake2AsU8a(new Uint8Array([0, 2, ...pk]), 256))}`,
        )
      }),
      { numRuns: 50 },
    )
  })
  it('rejects unknown types and wrong lengths', () => {
    expectCode(() => fullDidKeyId({ type: 'ecdsa', publicKey: new Uint8Array(32) }), 'ERR_KEY_INVALID')
    expectCode(() => fullDidKeyId({ type: 'ed25519', publicKey: new Uint8Array(33) }), 'ERR_KEY_INVALID')
    expectCode(
      () => fullDidKeyId({ type: 'bls' as 'ed25519', publicKey: new Uint8Array(32) }),
      'ERR_KEY_TYPE_UNSUPPORTED',
    )
    expectCode(
      () => fullDidKeyId({ type: 'toString' as 'ed25519', publicKey: new Uint8Array(32) }),
      'ERR_KEY_TYPE_UNSUPPORTED',
    )
    expectCode(
      () => fullDidKeyId(null as unknown as Parameters<typeof fullDidKeyId>[0]),
      'ERR_ARGUMENT_INVALID',
    )
  })
})
