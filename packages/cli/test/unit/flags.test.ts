import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli.js'
import { checkMailOptions } from '../../src/commands/encrypt.js'
import { CliError, EXIT } from '../../src/lib/errors.js'
import { parseHost, parsePort } from '../../src/lib/output.js'

const DID = 'did:kilt:light:004tb1tq7Sx3M42CszqB538svkhacYJgYazo644kXHG84Ez8xs'

function thrown(f: () => unknown): CliError | undefined {
  try {
    f()
  } catch (e) {
    return e as CliError
  }
  return undefined
}

let home: string
let stderr: string
const saved = { home: process.env.KILT_MSG_HOME, passphrase: process.env.KILT_MSG_PASSPHRASE }

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'kilt-msg-flags-'))
  process.env.KILT_MSG_HOME = home
  process.env.KILT_MSG_PASSPHRASE = 'correct horse battery staple'
  stderr = ''
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  })
})
afterEach(() => {
  vi.restoreAllMocks()
  for (const [k, v] of [
    ['KILT_MSG_HOME', saved.home],
    ['KILT_MSG_PASSPHRASE', saved.passphrase],
  ] as const)
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
})

/** Runs `kilt-msg ...args` in-process; returns the exit code and the one stderr line. */
async function run(...args: string[]): Promise<{ code: number; line: string }> {
  const code = await main(['node', 'kilt-msg', ...args])
  const lines = stderr.split('\n').filter((l) => l !== '')
  expect(lines).toHaveLength(1)
  return { code, line: lines[0] as string }
}

describe('parsePort', () => {
  it('takes decimal ports of 0..65535 (0: any free port)', () => {
    for (const [text, port] of [
      ['0', 0],
      ['1', 1],
      ['8080', 8080],
      ['65535', 65535],
    ] as const)
      expect(parsePort(text, '--port')).toBe(port)
  })

  it('refuses empty, signed, spaced, fractional, hex, exponent, out-of-range and trailing-garbage ports', () => {
    for (const text of [
      '',
      ' ',
      '-1',
      '+80',
      ' 80',
      '80 ',
      '8080.0',
      '1.5',
      '0x50',
      '1e3',
      '65536',
      '99999',
      '100000',
      '12ab',
      'ab12',
      'NaN',
      'Infinity',
      '٨٠', // Arabic-Indic digits
    ]) {
      const e = thrown(() => parsePort(text, '--port'))
      expect(e, JSON.stringify(text)).toBeInstanceOf(CliError)
      expect(e?.code).toBe('ERR_USAGE')
      expect(e?.exitCode).toBe(EXIT.USAGE)
      expect(e?.message).toContain('--port')
    }
  })
})

describe('relay serve --port', () => {
  for (const port of ['', '12ab', '-1', '65536', '1.5'])
    it(`refuses --port ${JSON.stringify(port)} as a usage error before starting anything`, async () => {
      const r = await run('relay', 'serve', '--port', port)
      expect(r.code).toBe(EXIT.USAGE)
      expect(r.line).toMatch(/^error ERR_USAGE: --port expected a port number of 0\.\.65535/)
      expect(readdirSync(home)).toEqual([]) // no relay.db created
    })
})

describe('parseHost', () => {
  it('takes host names and IPv4/IPv6 addresses', () => {
    for (const host of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'relay.example', 'fe80::1%eth0'])
      expect(parseHost(host, '--host')).toBe(host)
  })

  it('refuses empty, blank, spaced, control-character and overlong hosts', () => {
    for (const text of [
      '',
      ' ',
      '  ',
      ' 127.0.0.1',
      '127.0.0.1 ',
      'a b',
      'a\tb',
      'a\nb',
      'h\u00e9',
      'x'.repeat(256),
    ]) {
      const e = thrown(() => parseHost(text, '--host'))
      expect(e, JSON.stringify(text)).toBeInstanceOf(CliError)
      expect(e?.code).toBe('ERR_USAGE')
      expect(e?.exitCode).toBe(EXIT.USAGE)
      expect(e?.message).toMatch(/^--host expected a host name or address to listen on, got "/)
    }
  })
})

describe('relay serve --host', () => {
  for (const host of ['', ' ', 'a b'])
    it(`refuses --host ${JSON.stringify(host)} as a usage error before starting anything`, async () => {
      const r = await run('relay', 'serve', '--port', '0', '--host', host)
      expect(r.code).toBe(EXIT.USAGE)
      expect(r.line).toMatch(/^error ERR_USAGE: --host expected a host name or address to listen on/)
      expect(readdirSync(home)).toEqual([]) // no relay.db created
    })
})

describe('encrypt --mail-from/--mail-to', () => {
  it('are refused without --mime', () => {
    expect(thrown(() => checkMailOptions({ mailTo: 'bob@example.org' }))?.message).toBe(
      '--mail-to only applies to a MIME mail: add --mime',
    )
    expect(thrown(() => checkMailOptions({ mailFrom: 'alice@example.org', mime: false }))?.code).toBe(
      'ERR_USAGE',
    )
    expect(
      thrown(() => checkMailOptions({ mailFrom: 'a@example.org', mailTo: 'b@example.org' }))?.message,
    ).toBe('--mail-from and --mail-to only apply to a MIME mail: add --mime')
    // An empty value is given too.
    expect(thrown(() => checkMailOptions({ mailTo: '' }))?.code).toBe('ERR_USAGE')
  })

  it('are accepted with --mime, and nothing is required without them', () => {
    expect(
      checkMailOptions({ mime: true, mailFrom: 'a@example.org', mailTo: 'b@example.org' }),
    ).toBeUndefined()
    expect(checkMailOptions({})).toBeUndefined()
    expect(checkMailOptions({ mime: true })).toBeUndefined()
    expect(
      checkMailOptions({ mime: true, mailTo: 'Bob <bob@example.org>, carol@example.org' }),
    ).toBeUndefined()
  })

  it('refuse empty, blank and header-injecting values with --mime', () => {
    for (const flag of ['mailFrom', 'mailTo'] as const) {
      const name = flag === 'mailFrom' ? '--mail-from' : '--mail-to'
      for (const value of ['', ' ', '\t'] as const)
        expect(thrown(() => checkMailOptions({ mime: true, [flag]: value }))?.message).toBe(
          `${name} expected an address, got an empty value`,
        )
      for (const value of [
        'a@b\r\nBcc: x@y',
        'a@b\nBcc: x@y',
        'a@b\rx',
        'a@b\u0000',
        'b\u00f6b@example.org',
        'x'.repeat(901),
      ]) {
        const e = thrown(() => checkMailOptions({ mime: true, [flag]: value }))
        expect(e, JSON.stringify(value)).toBeInstanceOf(CliError)
        expect(e?.code).toBe('ERR_USAGE')
        expect(e?.exitCode).toBe(EXIT.USAGE)
        expect(e?.message).toMatch(new RegExp(`^${name} must be one line of printable ASCII`))
      }
    }
  })

  for (const [flag, value, message] of [
    ['--mail-to', '', '--mail-to expected an address, got an empty value'],
    ['--mail-from', '', '--mail-from expected an address, got an empty value'],
    ['--mail-to', 'bob@example.org\r\nBcc: eve@example.org', '--mail-to must be one line of printable ASCII'],
  ] as const)
    it(`exit 2 with one ERR_USAGE line for encrypt --mime ${flag} ${JSON.stringify(value)} (before any keystore is read)`, async () => {
      const r = await run('encrypt', '--as', 'alice', '--to', DID, '--type', 'reject', '--mime', flag, value)
      expect(r.code).toBe(EXIT.USAGE)
      expect(r.line.startsWith(`error ERR_USAGE: ${message}`)).toBe(true)
      expect(readdirSync(home)).toEqual([])
    })

  for (const extra of [
    ['--mail-to', 'bob@example.org'],
    ['--mail-from', 'alice@example.org'],
    ['--armor', '--mail-to', 'bob@example.org'],
  ])
    it(`exit 2 with one ERR_USAGE line for encrypt ${extra.join(' ')} (before any keystore is read)`, async () => {
      const r = await run('encrypt', '--as', 'alice', '--to', DID, '--type', 'reject', ...extra)
      expect(r.code).toBe(EXIT.USAGE)
      expect(r.line).toMatch(/^error ERR_USAGE: --mail-(to|from) only applies to a MIME mail: add --mime$/)
    })
})
