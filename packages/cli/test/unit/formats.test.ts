import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ARMOR_BEGIN, ARMOR_END, armor, crc24, dearmor } from '../../src/lib/armor.js'
import { readEnvelope } from '../../src/lib/envelope-input.js'
import { CliError } from '../../src/lib/errors.js'
import {
  checkScrypt,
  DEFAULT_SCRYPT,
  type KeystoreHeader,
  MAX_SCRYPT_WORK_BYTES,
  openKeystore,
  parseKeystore,
  sealKeystore,
} from '../../src/lib/keystore-format.js'
import { buildMime, KILT_MESSAGE_MEDIA_TYPE, parseMime } from '../../src/lib/mime.js'

const LOW = { logN: 10, r: 8, p: 1 }
const header: KeystoreHeader = {
  name: 'alice',
  did: 'did:kilt:light:004tb1tq7Sx3M42CszqB538svkhacYJgYazo644kXHG84Ez8xs',
  createdAt: '2024-01-01T00:00:00.000Z',
  authentication: { type: 'sr25519', publicKey: `0x${'11'.repeat(32)}` },
  keyAgreement: { type: 'x25519', publicKey: `0x${'22'.repeat(32)}` },
  origin: 'random',
}
const secrets = { authSecret: `0x${'ab'.repeat(64)}`, keyAgreementSecret: `0x${'cd'.repeat(32)}` }

function code(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    return (e as CliError).code
  }
  return undefined
}

describe('keystore format', () => {
  it('round-trips through JSON and opens only with the passphrase', () => {
    const file = parseKeystore(JSON.stringify(sealKeystore(header, secrets, 'pw', LOW)))
    expect(openKeystore(file, 'pw')).toEqual(secrets)
    expect(code(() => openKeystore(file, 'pW'))).toBe('ERR_KEYSTORE_PASSPHRASE')
  })

  it('keeps no secret in clear and uses a fresh salt and nonce each time', () => {
    const a = JSON.stringify(sealKeystore(header, secrets, 'pw', LOW))
    const b = JSON.stringify(sealKeystore(header, secrets, 'pw', LOW))
    expect(a).not.toContain('abab')
    expect(a).not.toContain('cdcd')
    expect(a).not.toContain(Buffer.from('ab'.repeat(64), 'hex').toString('base64').slice(0, 20))
    expect(JSON.parse(a).kdf.salt).not.toBe(JSON.parse(b).kdf.salt)
    expect(JSON.parse(a).cipher.nonce).not.toBe(JSON.parse(b).cipher.nonce)
  })

  it('binds the public header: a swapped DID or key fails like a wrong passphrase', () => {
    const file = sealKeystore(header, secrets, 'pw', LOW)
    const other = {
      ...file,
      header: {
        ...file.header,
        keyAgreement: { type: 'x25519' as const, publicKey: `0x${'33'.repeat(32)}` },
      },
    }
    expect(code(() => openKeystore(parseKeystore(JSON.stringify(other)), 'pw'))).toBe(
      'ERR_KEYSTORE_PASSPHRASE',
    )
    const lowered = { ...file, kdf: { ...file.kdf, logN: 11 } }
    expect(code(() => openKeystore(parseKeystore(JSON.stringify(lowered)), 'pw'))).toBe(
      'ERR_KEYSTORE_PASSPHRASE',
    )
  })

  it('rejects malformed files with ERR_KEYSTORE_CORRUPT', () => {
    const good = sealKeystore(header, secrets, 'pw', LOW)
    for (const bad of [
      'not json',
      '[]',
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ ...good, format: 'x' }),
      JSON.stringify({ ...good, kdf: { ...good.kdf, logN: 30 } }),
      JSON.stringify({ ...good, cipher: { ...good.cipher, nonce: 'AAAA' } }),
      JSON.stringify({ ...good, ciphertext: '!!' }),
      JSON.stringify({ ...good, header: { ...good.header, did: 5 } }),
      // a name that would lead the identity's files out of the home folder
      JSON.stringify({ ...good, header: { ...good.header, name: '../../escaped-replay' } }),
      JSON.stringify({ ...good, header: { ...good.header, name: '/tmp/x' } }),
    ])
      expect(code(() => parseKeystore(bad))).toBe('ERR_KEYSTORE_CORRUPT')
  })

  it('bounds the scrypt cost of a file before deriving: what kilt-msg writes opens, more is corrupt', () => {
    // What kilt-msg writes: N = 2^10..2^17 (KILT_MSG_SCRYPT_LOG_N or the default), r = 8, p = 1.
    for (let logN = 10; logN <= DEFAULT_SCRYPT.logN; logN++)
      expect(checkScrypt({ logN, r: 8, p: 1 })).toEqual({ logN, r: 8, p: 1 })
    expect(checkScrypt({ logN: 18, r: 8, p: 1 })).toEqual({ logN: 18, r: 8, p: 1 }) // 256 MiB: the limit
    const good = sealKeystore(header, secrets, 'pw', LOW)
    for (const [logN, r, p] of [
      [19, 8, 1], // 512 MiB (the former limit allowed 1 GiB)
      [20, 8, 1], // 1 GiB
      [18, 8, 2], // 256 MiB, twice
      [17, 8, 4], // 128 MiB, four times
      [17, 16, 1], // 256 MiB at r = 16, fine … but with
      [17, 16, 2], // … p = 2, twice the limit
      [14, 32, 1], // r above 16
      [12, 8, 5], // p above 4
      [12, 8, 16],
      [21, 1, 1], // N above 2^20
      [9, 8, 1], // N below 2^10
      [17.5, 8, 1], // N not a power of two
      [17, 8.5, 1],
      [17, 8, 0],
    ] as const) {
      const edited = JSON.stringify({ ...good, kdf: { ...good.kdf, logN, r, p } })
      const ok = logN === 17 && r === 16 && p === 1
      expect(
        code(() => parseKeystore(edited)),
        `${logN} ${r} ${p}`,
      ).toBe(ok ? undefined : 'ERR_KEYSTORE_CORRUPT')
      if (!ok)
        // also when handed to openKeystore without parseKeystore
        expect(code(() => openKeystore({ ...good, kdf: { ...good.kdf, logN, r, p } }, 'pw'))).toBe(
          'ERR_KEYSTORE_CORRUPT',
        )
    }
    expect(MAX_SCRYPT_WORK_BYTES).toBe(2 * 128 * 8 * 2 ** DEFAULT_SCRYPT.logN)
  })

  it('opens a keystore sealed at the default cost', () => {
    const file = parseKeystore(JSON.stringify(sealKeystore(header, secrets, 'pw')))
    expect(file.kdf).toMatchObject(DEFAULT_SCRYPT)
    expect(openKeystore(file, 'pw')).toEqual(secrets)
  })

  it('edited or arbitrary files: parsed, or ERR_KEYSTORE_CORRUPT; opened only when intact', () => {
    const text = JSON.stringify(sealKeystore(header, secrets, 'pw', LOW), null, 2)
    const edit = fc.record({
      at: fc.nat(text.length),
      cut: fc.nat(3),
      insert: fc.oneof(
        fc.constantFrom('', '0', '1', '9', 'A', '=', '"', ',', '{', '}', '[', 'null', '-', '.5', '1e3'),
        fc.string({ maxLength: 3, unit: 'binary' }),
      ),
    })
    // one field of the file changed: a character of a string, or a number nudged, or another type
    const paths = [
      ['header', 'name'],
      ['header', 'did'],
      ['header', 'createdAt'],
      ['header', 'origin'],
      ['header', 'authentication', 'publicKey'],
      ['header', 'authentication', 'type'],
      ['header', 'keyAgreement', 'publicKey'],
      ['kdf', 'logN'],
      ['kdf', 'r'],
      ['kdf', 'salt'],
      ['cipher', 'nonce'],
      ['ciphertext'],
    ]
    const field = fc
      .record({
        path: fc.constantFrom(...paths),
        at: fc.nat(200),
        to: fc.oneof(fc.constantFrom('x', 'A', '0'), fc.jsonValue({ maxDepth: 1 })),
      })
      .map(({ path, at, to }) => {
        const o = JSON.parse(text)
        let parent = o
        for (const k of path.slice(0, -1)) parent = parent[k as string]
        const last = path.at(-1) as string
        const v = parent[last]
        if (typeof v === 'string' && typeof to === 'string' && to.length === 1) {
          const i = at % v.length
          parent[last] = v.slice(0, i) + (v[i] === to ? 'B' : to) + v.slice(i + 1)
        } else if (typeof v === 'number' && typeof to === 'string') parent[last] = v + 1
        else parent[last] = to
        return JSON.stringify(o, null, 2)
      })
    fc.assert(
      fc.property(
        fc.oneof(
          field,
          edit.map(({ at, cut, insert }) => text.slice(0, at) + insert + text.slice(at + cut)),
          fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
        ),
        (candidate) => {
          let file: ReturnType<typeof parseKeystore>
          try {
            file = parseKeystore(candidate)
          } catch (e) {
            expect((e as CliError).code).toBe('ERR_KEYSTORE_CORRUPT')
            return
          }
          // scrypt at this file's cost: skip edits that raised it (up to 256 MiB is allowed)
          if (file.kdf.logN > LOW.logN + 1 || file.kdf.r > LOW.r || file.kdf.p > LOW.p) return
          const intact = JSON.stringify(JSON.parse(candidate)) === JSON.stringify(JSON.parse(text))
          try {
            expect(openKeystore(file, 'pw')).toEqual(secrets)
            // an edit that opens changed nothing the keystore binds (e.g. whitespace only)
            expect(intact || JSON.stringify(file) === JSON.stringify(parseKeystore(text))).toBe(true)
          } catch (e) {
            expect(['ERR_KEYSTORE_PASSPHRASE', 'ERR_KEYSTORE_CORRUPT']).toContain((e as CliError).code)
            expect(intact).toBe(false)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('refuses an empty passphrase', () => {
    expect(code(() => sealKeystore(header, secrets, '', LOW))).toBe('ERR_USAGE')
  })
})

describe('armor', () => {
  it('computes the RFC 4880 CRC-24 of "123456789" (check value 0x21cf02)', () => {
    expect(crc24(new TextEncoder().encode('123456789'))).toBe(0x21cf02)
  })

  it('round-trips any text, with 64-character lines and a checksum line', () => {
    fc.assert(
      // ASCII and well-formed Unicode (a lone surrogate has no UTF-8 form: not text a user can armor)
      fc.property(
        fc.oneof(fc.string({ maxLength: 500 }), fc.string({ maxLength: 200, unit: 'grapheme' })),
        (text) => {
          const block = armor(text)
          const lines = block.trimEnd().split('\n')
          expect(lines[0]).toBe(ARMOR_BEGIN)
          expect(lines.at(-1)).toBe(ARMOR_END)
          expect(lines.at(-2)).toMatch(/^=[A-Za-z0-9+/]{4}$/)
          for (const l of lines.slice(1, -2)) expect(l.length).toBeLessThanOrEqual(64)
          if (text.length > 0) expect(dearmor(block)).toBe(text)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('finds a block quoted inside a mail body with CRLFs', () => {
    const json = JSON.stringify({ hello: 'world'.repeat(30) })
    const quoted = armor(json)
      .split('\n')
      .map((l) => (l === '' ? '' : `> ${l}`))
      .join('\r\n')
    expect(dearmor(`Hi Bob,\r\n\r\nOn Monday Alice wrote:\r\n${quoted}\r\nCheers`)).toBe(json)
  })

  it('detects corruption: any changed base64 character fails the checksum', () => {
    const json = JSON.stringify({ ciphertext: `0x${'ab'.repeat(100)}` })
    // "any changed character" holds for unpadded base64 only: with `=` padding, the low bits of the
    // last data character are ignored and some changes decode to the same bytes
    expect(new TextEncoder().encode(json).length % 3).toBe(0)
    const block = armor(json)
    const lines = block.split('\n')
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom(...'ABCXYZabcxyz0189+/'),
        (pos, ch) => {
          const i = 1 + (pos % (lines.length - 4))
          const line = lines[i] as string
          const j = pos % line.length
          if (line[j] === ch) return
          const bad = [...lines]
          bad[i] = line.slice(0, j) + ch + line.slice(j + 1)
          expect(() => dearmor(bad.join('\n'))).toThrow(/checksum|base64/)
        },
      ),
      { numRuns: 100 },
    )
    const truncated = lines.filter((_, i) => i !== 2).join('\n')
    expect(() => dearmor(truncated)).toThrow(CliError)
    expect(() => dearmor(block.replace(ARMOR_END, ''))).toThrow(/END/)
    expect(() => dearmor(block.replace(/\n=.*\n/, '\n'))).toThrow(/checksum/)
  })
})

describe('MIME', () => {
  const envelope = {
    ciphertext: `0x${'ab'.repeat(300)}`,
    nonce: `0x${'01'.repeat(24)}`,
    senderKeyUri: 'did:kilt:light:004tb1tq7Sx3M42CszqB538svkhacYJgYazo644kXHG84Ez8xs#encryption',
    receiverKeyUri: 'did:kilt:light:014pxYoqZ5jp4GabDdjQqMte2qhctzVVzW2DwUYfURdLTQnacw#encryption',
  }

  it('builds an RFC 5322 mail whose attachment parses back to the envelope', () => {
    const eml = buildMime(JSON.stringify(envelope), { to: 'bob@example.org' })
    expect(eml).toMatch(/^From: .+\r\n/)
    expect(eml).toContain('\r\nDate: ')
    expect(eml).toContain('\r\nMIME-Version: 1.0\r\n')
    expect(eml).toContain('\r\nTo: bob@example.org\r\n')
    expect(eml).not.toContain('request-credential')
    for (const line of eml.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998)
    const parts = parseMime(eml)
    expect(parts.map((p) => p.mediaType)).toEqual(['text/plain', KILT_MESSAGE_MEDIA_TYPE])
    const attachment = parts[1]
    expect(attachment?.filename).toBe('message.kiltmsg')
    expect(JSON.parse(Buffer.from(attachment?.body ?? []).toString('utf8'))).toEqual(envelope)
    expect(readEnvelope(eml)).toMatchObject({ format: 'mime', envelope })
  })

  it('rejects header injection', () => {
    expect(() => buildMime('{}', { to: 'a@b\r\nBcc: x@y' })).toThrow(CliError)
  })

  it('rejects empty header values', () => {
    for (const options of [{ to: '' }, { from: '' }, { to: '   ' }, { subject: '' }])
      expect(() => buildMime('{}', options), JSON.stringify(options)).toThrow(
        /mail headers must not be empty/,
      )
  })

  it('reads nested multiparts, quoted-printable text with an armored block, and LF line ends', () => {
    const block = armor(JSON.stringify(envelope))
    const qp = block.replace(/=/g, '=3D')
    const eml = [
      'From: a@example.org',
      'Subject: fwd',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed;',
      ' boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      `Hello=\n there\n${qp}`,
      '--inner--',
      '--outer--',
      '',
    ].join('\n')
    const parts = parseMime(eml)
    expect(parts).toHaveLength(1)
    expect(readEnvelope(eml)).toMatchObject({ format: 'mime', envelope })
  })

  it('fails cleanly on a multipart without boundary or a mail without message', () => {
    expect(() => parseMime('MIME-Version: 1.0\nContent-Type: multipart/mixed\n\nx')).toThrow(/boundary/)
    expect(() => readEnvelope('MIME-Version: 1.0\nContent-Type: text/plain\n\nhello')).toThrow(CliError)
  })

  it('bounds nesting depth', () => {
    let eml = 'x'
    for (let i = 0; i < 12; i++)
      eml = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${eml}\n--b${i}--\n`
    expect(() => parseMime(`MIME-Version: 1.0\n${eml}`)).toThrow(/deeply/)
  })
})

describe('readEnvelope', () => {
  it('tells JSON, armor and garbage apart', () => {
    expect(readEnvelope(' {"a":1} ').format).toBe('json')
    expect(readEnvelope(`note\n${armor('{"a":1}')}`)).toMatchObject({ format: 'armor', envelope: { a: 1 } })
    expect(() => readEnvelope('{not json')).toThrow(/not valid JSON/)
    expect(() => readEnvelope('hello')).toThrow(/no KILT message/)
  })

  /** The envelope found, or ERR_INPUT_INVALID: never another error (a CliError of another code included). */
  function foundOrInvalid(text: string): void {
    try {
      const r = readEnvelope(text)
      expect(['json', 'armor', 'mime']).toContain(r.format)
      expect(r.bytes).toBeGreaterThanOrEqual(0)
    } catch (e) {
      expect(e).toBeInstanceOf(CliError)
      expect((e as CliError).code).toBe('ERR_INPUT_INVALID')
    }
  }

  it('arbitrary text and edited JSON, armored blocks and mails: the envelope or ERR_INPUT_INVALID only', () => {
    const envelope = {
      ciphertext: `0x${'ab'.repeat(40)}`,
      nonce: `0x${'01'.repeat(24)}`,
      senderKeyUri: `${header.did}#encryption`,
      receiverKeyUri: `${header.did}#encryption`,
    }
    const json = JSON.stringify(envelope)
    const samples = [
      json,
      armor(json),
      `Hi,\r\n\r\n${armor(json).replace(/^/gm, '> ')}\r\nBye`,
      buildMime(json, { from: 'a@example.com', to: 'b@example.com', subject: 'x' }),
      `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n${armor(json).replace(/=/g, '=3D')}\n--b--\n`,
    ]
    const edit = fc.record({
      which: fc.nat(samples.length - 1),
      at: fc.nat(5000),
      cut: fc.nat(40),
      insert: fc.oneof(
        fc.constantFrom(
          '',
          '\n',
          '\r\n',
          '--',
          '--b',
          '=',
          '=\n',
          ';',
          '"',
          '{',
          '}',
          '\uFEFF',
          'Content-Type: ',
          ARMOR_END,
        ),
        fc.string({ maxLength: 4, unit: 'binary' }),
      ),
    })
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300, unit: 'binary' }),
          edit.map(({ which, at, cut, insert }) => {
            const base = samples[which] as string
            const i = at % (base.length + 1)
            return base.slice(0, i) + insert + base.slice(i + cut)
          }),
        ),
        foundOrInvalid,
      ),
      { numRuns: 1000 },
    )
    // the unedited samples are found
    for (const sample of samples) expect(readEnvelope(sample).envelope).toEqual(envelope)
  })
})
