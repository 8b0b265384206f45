import { blake2AsU8a, encodeAddress as pdEncodeAddress } from '@polkadot/util-crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addressOfKey,
  decodeAddress,
  didOf,
  didSubject,
  encodeAddress,
  isSameSubject,
  parseDid,
  toFullDid,
  validateDidUri,
} from '../../src/did/index.js'
import { parseCacheSize } from '../../src/did/lib/uri.js'
import type { MessagingError } from '../../src/errors.js'
import { fromHex, toHex } from '../../src/lib/bytes.js'
import { caught, expectCode, onlyMessagingErrors } from '../helpers/expect-error.js'

// Spec §7.1 and §11.3.
const ZERO_ADDRESS = '4nv4phaKc4EcwENdRERuMF79ZSSB5xvnAk3zNySSbVbXhSwS'
const SENDER_PK = '0x50780547322a1ceba67ea8c552c9bc6c686f8698ac9a8cafab7cd15a1db19859'
const SENDER_ADDRESS = '4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B'
const RECEIVER_PK = '0x17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce'
const RECEIVER_ADDRESS = '4oTGNPyGzC8gxydsGWQqDX8yzZvLJ64F1tZBmwPtZFeo7Wkc'
const SENDER =
  'did:kilt:light:004pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B:z1Ac9CMtYCTRWjetJfJqJoV7FcNFGJg1GdQ8aUFrWeYoEti3ZKjn7kGoYmif6AS3QKVWfenRxQbD7TjayKVjnSk'

describe('addresses (§7.1)', () => {
  it('encodes the spec examples', () => {
    expect(encodeAddress(new Uint8Array(32))).toBe(ZERO_ADDRESS)
    expect(encodeAddress(fromHex(SENDER_PK))).toBe(SENDER_ADDRESS)
    expect(encodeAddress(fromHex(RECEIVER_PK))).toBe(RECEIVER_ADDRESS)
  })
  it('decodes them back', () => {
    expect(toHex(decodeAddress(SENDER_ADDRESS))).toBe(SENDER_PK)
    expect(decodeAddress(ZERO_ADDRESS)).toEqual(new Uint8Array(32))
  })
  it('agrees with polkadot encodeAddress(pk, 38) on random keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (pk) => {
        const a = encodeAddress(pk)
        expect(a).toBe(pdEncodeAddress(pk, 38))
        expect(decodeAddress(a)).toEqual(pk)
      }),
      { numRuns: 100 },
    )
  })
  it('rejects wrong lengths, prefixes and checksums', () => {
    expectCode(() => encodeAddress(new Uint8Array(31)), 'ERR_KEY_INVALID')
    expectCode(() => decodeAddress(`${ZERO_ADDRESS}1`), 'ERR_DID_ADDRESS_INVALID', 'AddressInvalidError')
    expectCode(() => decodeAddress(`${ZERO_ADDRESS.slice(0, -1)}T`), 'ERR_DID_ADDRESS_INVALID')
    // Polkadot (prefix 0) and generic Substrate (42) addresses of the same key.
    expectCode(() => decodeAddress(pdEncodeAddress(new Uint8Array(32), 0)), 'ERR_DID_ADDRESS_INVALID')
    expectCode(() => decodeAddress(pdEncodeAddress(new Uint8Array(32), 42)), 'ERR_DID_ADDRESS_INVALID')
    expectCode(() => decodeAddress('0OIl'), 'ERR_DID_ADDRESS_INVALID')
    expectCode(() => decodeAddress(42 as unknown as string), 'ERR_DID_ADDRESS_INVALID', 'AddressTypeError')
  })
  it('derives the ecdsa address from the hashed compressed key', () => {
    const pk = new Uint8Array(33).fill(2)
    // polkadot's keyring does the same: blake2b-256 of keys longer than 32 bytes
    expect(addressOfKey({ type: 'ecdsa', publicKey: pk })).toBe(pdEncodeAddress(blake2AsU8a(pk), 38))
    expect(addressOfKey({ type: 'sr25519', publicKey: new Uint8Array(32) })).toBe(ZERO_ADDRESS)
    expectCode(
      () => addressOfKey({ type: 'x25519', publicKey: new Uint8Array(32) }),
      'ERR_KEY_TYPE_UNSUPPORTED',
    )
    expectCode(() => addressOfKey({ type: 'ecdsa', publicKey: new Uint8Array(32) }), 'ERR_KEY_INVALID')
  })
})

describe('parseDid (§7.2)', () => {
  it('parses full DIDs and key URIs', () => {
    const p = parseDid(`did:kilt:${SENDER_ADDRESS}#0x1234`)
    expect(p).toMatchObject({
      did: `did:kilt:${SENDER_ADDRESS}`,
      type: 'full',
      version: 1,
      address: SENDER_ADDRESS,
      fragment: '#0x1234',
    })
    expect(toHex(p.addressPublicKey)).toBe(SENDER_PK)
    expect(p.authKeyType).toBeUndefined()
    expect(p.encodedDetails).toBeUndefined()
    expect(parseDid(`did:kilt:${SENDER_ADDRESS}`).fragment).toBeUndefined()
  })
  it('parses light DIDs with and without details and fragment', () => {
    const p = parseDid(`${SENDER}#encryption`)
    expect(p).toMatchObject({
      did: SENDER,
      type: 'light',
      address: SENDER_ADDRESS,
      authKeyType: 'sr25519',
      authKeyTypeEncoding: '00',
      encodedDetails: SENDER.split(':')[4],
      fragment: '#encryption',
    })
    const short = parseDid(`did:kilt:light:01${RECEIVER_ADDRESS}`)
    expect(short).toMatchObject({ type: 'light', authKeyType: 'ed25519', address: RECEIVER_ADDRESS })
    expect(short.encodedDetails).toBeUndefined()
    expect(toHex(short.addressPublicKey)).toBe(RECEIVER_PK)
  })
  it('parses other 2-digit codes without an auth key type, as the SDK', () => {
    const p = parseDid(`did:kilt:light:11${ZERO_ADDRESS}`)
    expect(p.authKeyTypeEncoding).toBe('11')
    expect(p.authKeyType).toBeUndefined()
  })
  it('does not decode the details', () => {
    // garbage details still parse; lightDidToDocument is where they are decoded
    expect(parseDid(`did:kilt:light:00${ZERO_ADDRESS}:randomdetails`).encodedDetails).toBe('randomdetails')
  })
  it('rejects the SDK test suite negatives (§11.4) and other junk', () => {
    for (const bad of [
      'did:kilt:light:sdasdsadas',
      'random-uri',
      'did:kilt:light',
      'did:kilt:light:',
      `did:kilt:light:0${ZERO_ADDRESS}`,
      `did:kilt:light:00${ZERO_ADDRESS}:`,
      `did:kilt:${ZERO_ADDRESS}#`,
      `did:kilt:${ZERO_ADDRESS}#a#b`,
      `did:kilt:${ZERO_ADDRESS}\n`,
      `did:kilt:v1:${ZERO_ADDRESS}`,
      `did:kilt:${ZERO_ADDRESS.slice(1)}`,
      `DID:KILT:${ZERO_ADDRESS}`,
      'did:kilt:thisisnotareceiveraddress',
      'this is not a sender did',
      '',
    ])
      expectCode(() => parseDid(bad), 'ERR_DID_INVALID', 'InvalidDidFormatError')
    expectCode(() => parseDid(12 as unknown as string), 'ERR_DID_INVALID')
    expectCode(() => parseDid(null as unknown as string), 'ERR_DID_INVALID')
  })
  it('checks the address checksum and prefix, not just the regex', () => {
    const flipped = `${ZERO_ADDRESS.slice(0, 10)}${ZERO_ADDRESS[10] === 'a' ? 'b' : 'a'}${ZERO_ADDRESS.slice(11)}`
    expectCode(() => parseDid(`did:kilt:${flipped}`), 'ERR_DID_ADDRESS_INVALID', 'AddressInvalidError')
    expectCode(() => parseDid(`did:kilt:light:00${flipped}`), 'ERR_DID_ADDRESS_INVALID')
    // the light regex allows 49-character addresses; KILT addresses of 32-byte keys have 48
    expectCode(() => parseDid(`did:kilt:light:00${ZERO_ADDRESS}z`), 'ERR_DID_ADDRESS_INVALID')
    // a well-formed SS58 address of prefix 37 that also starts with "4"
    const other = pdEncodeAddress(new Uint8Array(32).fill(7), 37)
    expect(other[0]).toBe('4')
    expectCode(() => parseDid(`did:kilt:${other}`), 'ERR_DID_ADDRESS_INVALID')
  })
  it('returns frozen results whose key bytes cannot poison the cache', () => {
    const a = parseDid(SENDER)
    expect(Object.isFrozen(a)).toBe(true)
    a.addressPublicKey.fill(0)
    expect(toHex(parseDid(SENDER).addressPublicKey)).toBe(SENDER_PK)
  })
  it('handles long inputs in linear work, without caching them', () => {
    /** A light DID with `n` characters of details and n/20 '#' before its fragment. */
    const long = (n: number) => `did:kilt:light:00${ZERO_ADDRESS}:z${'1'.repeat(n)}#${'#x'.repeat(n / 20)}`
    // the SDK's lazy details group may contain '#': only the last fragment counts
    expect(parseDid(long(200_000)).fragment).toBe('#x')
    expectCode(() => parseDid(`${long(200_000)}\n`), 'ERR_DID_INVALID')
    const ok = parseDid(`did:kilt:light:00${ZERO_ADDRESS}:z${'1'.repeat(200_000)}#x`)
    expect(ok.fragment).toBe('#x')
    /** The string work of parsing the long DID of `n` and refusing it with a newline appended. */
    function work(n: number): number {
      const uri = long(n)
      const bad = `${uri}\n`
      const cached = parseCacheSize()
      let parsed: ReturnType<typeof parseDid> | undefined
      let refused: MessagingError | undefined
      const w = stringWork(() => {
        parsed = parseDid(uri)
        refused = caught(() => parseDid(bad))
      })
      expect(parsed?.fragment).toBe('#x')
      expect(refused?.code).toBe('ERR_DID_INVALID')
      // Nothing this long is kept: the parse cache holds short URIs only.
      expect(parseCacheSize()).toBe(cached)
      return w
    }
    const small = work(20_000)
    const large = work(200_000)
    expect(small).toBeGreaterThan(20_000)
    // Ten times the length, at most ten times the work: a pass over the string per '#' (or per
    // character) would make it a hundred times. (A regular expression that backtracks
    // catastrophically runs inside one `exec`: that, at 200k characters, takes minutes and ends at
    // the test's timeout.)
    expect(large).toBeLessThanOrEqual(10 * small)
  })
  it('never throws anything but MessagingError on random strings and mutations', () => {
    const valid = [
      SENDER,
      `${SENDER}#encryption`,
      `did:kilt:${SENDER_ADDRESS}#0xab`,
      `did:kilt:light:01${ZERO_ADDRESS}`,
    ]
    const mutated = fc
      .tuple(
        fc.constantFrom(...valid),
        fc.nat(),
        fc.oneof(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3, unit: 'binary' })),
        fc.nat({ max: 3 }),
      )
      .map(([s, pos, ins, del]) => {
        const i = pos % (s.length + 1)
        return s.slice(0, i) + ins + s.slice(i + del)
      })
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutated), (s) => {
        onlyMessagingErrors(() => parseDid(s))
        onlyMessagingErrors(() => validateDidUri(s))
      }),
      { numRuns: 1000 },
    )
  })
})

describe('validateDidUri (§7.7)', () => {
  it('follows the SDK order of checks and codes', () => {
    expectCode(() => validateDidUri(42), 'ERR_ARGUMENT_INVALID', 'TypeError')
    expectCode(() => validateDidUri('nope'), 'ERR_DID_INVALID')
    expectCode(() => validateDidUri(`did:kilt:${SENDER_ADDRESS}#x`, 'Did'), 'ERR_DID_FRAGMENT', 'DidError')
    expectCode(
      () => validateDidUri(`did:kilt:${SENDER_ADDRESS}`, 'ResourceUri'),
      'ERR_DID_FRAGMENT',
      'DidError',
    )
    expectCode(() => validateDidUri(SENDER, 'Nope' as 'Did'), 'ERR_ARGUMENT_INVALID')
    const badAddress = `did:kilt:${ZERO_ADDRESS.slice(0, -1)}T`
    // the fragment check comes before the address check, as in the SDK
    expectCode(() => validateDidUri(`${badAddress}#x`, 'Did'), 'ERR_DID_FRAGMENT')
    expectCode(() => validateDidUri(badAddress), 'ERR_DID_ADDRESS_INVALID')
  })
  it('accepts valid URIs, without decoding light-DID details', () => {
    validateDidUri(SENDER)
    validateDidUri(SENDER, 'Did')
    validateDidUri(`${SENDER}#encryption`, 'ResourceUri')
    validateDidUri(`did:kilt:light:00${ZERO_ADDRESS}:randomdetails`)
  })
  it("accepts the SDK's legacy boolean expectType: false as 'Did', true as either", () => {
    const resource = `did:kilt:${SENDER_ADDRESS}#x`
    expectCode(() => validateDidUri(resource, false), 'ERR_DID_FRAGMENT', 'DidError')
    validateDidUri(SENDER, false)
    validateDidUri(resource, true)
    validateDidUri(SENDER, true)
    // the other checks still apply under a boolean
    expectCode(() => validateDidUri('nope', true), 'ERR_DID_INVALID')
    expectCode(
      () => validateDidUri(`did:kilt:${ZERO_ADDRESS.slice(0, -1)}T`, false),
      'ERR_DID_ADDRESS_INVALID',
    )
    expectCode(() => validateDidUri(42, false), 'ERR_ARGUMENT_INVALID')
    // anything else is still a programming mistake
    for (const bad of [null, 0, 1, '', 'did', 'resourceUri', {}, Symbol('e')])
      expectCode(() => validateDidUri(SENDER, bad as 'Did'), 'ERR_ARGUMENT_INVALID')
  })
})

describe('subjects', () => {
  const full = `did:kilt:${SENDER_ADDRESS}`
  it('compares by address only', () => {
    expect(isSameSubject(SENDER, full)).toBe(true)
    expect(isSameSubject(`${SENDER}#encryption`, `did:kilt:light:01${SENDER_ADDRESS}`)).toBe(true)
    expect(isSameSubject(SENDER, `did:kilt:${RECEIVER_ADDRESS}`)).toBe(false)
    expectCode(() => isSameSubject(SENDER, 'nope'), 'ERR_DID_INVALID')
  })
  it('derives subject, full DID and DID of a resource URI', () => {
    expect(didSubject(`${SENDER}#encryption`)).toBe(SENDER_ADDRESS)
    expect(toFullDid(`${SENDER}#encryption`)).toBe(full)
    expect(toFullDid(full)).toBe(full)
    expect(didOf(`${SENDER}#encryption`)).toBe(SENDER)
    expect(didOf(`${full}#0x12`)).toBe(full)
    expect(didOf(SENDER)).toBe(SENDER)
  })
})

/** String methods whose cost is bounded by the length of the string they are called on. */
const SCANNING = [
  'at',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'concat',
  'endsWith',
  'includes',
  'indexOf',
  'lastIndexOf',
  'localeCompare',
  'match',
  'matchAll',
  'normalize',
  'padEnd',
  'padStart',
  'replace',
  'replaceAll',
  'search',
  'slice',
  'split',
  'startsWith',
  'substring',
  'toLowerCase',
  'toUpperCase',
  'trim',
  'trimEnd',
  'trimStart',
] as const
/** Of those, the ones that read one character. */
const ONE_CHARACTER = new Set<string>(['at', 'charAt', 'charCodeAt', 'codePointAt'])

/**
 * Runs `fn` (synchronous) and returns an upper bound of the characters its string operations read:
 * each `RegExp.prototype.exec` (behind `test`, `match`, `replace` …) counts the length of its
 * input, each scanning string method the length of its string, a one-character read 1.
 */
function stringWork(fn: () => void): number {
  let work = 0
  const strings = String.prototype as unknown as Record<string, (...args: unknown[]) => unknown>
  const savedStrings = SCANNING.map((name) => [name, strings[name]!] as const)
  const savedExec = RegExp.prototype.exec
  for (const [name, original] of savedStrings)
    strings[name] = function (this: string, ...args: unknown[]) {
      work += ONE_CHARACTER.has(name) ? 1 : String(this).length
      return original.apply(this, args)
    }
  RegExp.prototype.exec = function (this: RegExp, input: string) {
    work += String(input).length
    return savedExec.call(this, input)
  }
  try {
    fn()
  } finally {
    for (const [name, original] of savedStrings) strings[name] = original
    RegExp.prototype.exec = savedExec
  }
  return work
}
