/**
 * Keystore files are untrusted input: their header never names a path, and a broken header is a
 * keystore problem (exit code 3).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { openKeystore, parseKeystore, sealKeystore } from '../../src/lib/keystore-format.js'
import { aliceToBob, build, home, ok, oneLineError, run } from './helpers.js'

describe('keystore files', () => {
  const H = home()
  const keys = join(H.KILT_MSG_HOME as string, 'keys')
  let message: string

  beforeAll(async () => {
    build()
    message = await aliceToBob(H)
  })

  /** Bob's secrets sealed again (a valid keystore) under a header changed by `edit`, as `name`. */
  function resealBob(name: string, edit: (header: Record<string, unknown>) => Record<string, unknown>): void {
    const file = parseKeystore(readFileSync(join(keys, 'bob.json'), 'utf8'))
    const secrets = openKeystore(file, H.KILT_MSG_PASSPHRASE as string)
    const header = edit({ ...file.header }) as unknown as typeof file.header
    const sealed = sealKeystore(header, secrets, H.KILT_MSG_PASSPHRASE as string, {
      logN: 10,
      r: 8,
      p: 1,
    })
    writeFileSync(join(keys, `${name}.json`), JSON.stringify(sealed), { mode: 0o600 })
  }

  it('a header name never leads the replay file out of the home folder', async () => {
    resealBob('shared', (h) => ({ ...h, name: '../../escaped-replay' }))
    const r = await run(['decrypt', message, '--as', 'shared'], H)
    expect(r.code).toBe(3)
    expect(oneLineError(r).code).toBe('ERR_KEYSTORE_CORRUPT')
    expect(existsSync(join(H.KILT_MSG_HOME as string, '..', 'escaped-replay.json'))).toBe(false)
  })

  it('an identity opened by another file name keeps its replay file under that name', async () => {
    resealBob('bob-copy', (h) => ({ ...h, name: 'elsewhere' }))
    ok(await run(['decrypt', message, '--as', 'bob-copy'], H))
    expect(existsSync(join(H.KILT_MSG_HOME as string, 'replay', 'bob-copy.json'))).toBe(true)
    expect(existsSync(join(H.KILT_MSG_HOME as string, 'replay', 'elsewhere.json'))).toBe(false)
  })

  it('a keystore with a broken DID is a keystore problem (exit 3) for id show and export-public', async () => {
    resealBob('broken', (h) => ({ ...h, name: 'broken', did: 'did:kilt:light:00nonsense' }))
    for (const args of [
      ['id', 'show', '--name', 'broken'],
      ['id', 'show', '--name', 'broken', '--document'],
      ['id', 'export-public', '--name', 'broken'],
    ]) {
      const r = await run(args, H)
      expect(r.code, args.join(' ')).toBe(3)
      expect(oneLineError(r).code).toBe('ERR_KEYSTORE_CORRUPT')
    }
  })

  it('a keystore whose scrypt cost was raised is refused before deriving (ERR_KEYSTORE_CORRUPT, exit 3)', async () => {
    const file = JSON.parse(readFileSync(join(keys, 'bob.json'), 'utf8'))
    // 512 MiB of scrypt memory (the former bound allowed 1 GiB), and 4 × 128 MiB at p = 4.
    for (const [name, kdf] of [
      ['heavy', { ...file.kdf, logN: 19 }],
      ['parallel', { ...file.kdf, logN: 17, p: 4 }],
    ] as const) {
      writeFileSync(join(keys, `${name}.json`), JSON.stringify({ ...file, kdf }), { mode: 0o600 })
      const r = await run(['decrypt', message, '--as', name], H)
      expect(r.code, name).toBe(3)
      const e = oneLineError(r)
      expect(e.code, name).toBe('ERR_KEYSTORE_CORRUPT')
      expect(e.message, name).toContain('scrypt cost')
    }
  })

  it('KILT_MSG_SCRYPT_LOG_N weakens new keystores: warned on creation and shown by id show', async () => {
    const weak = await run(['id', 'new', '--name', 'weak'], H)
    expect(weak.code).toBe(0)
    expect(weak.stderr).toMatch(/^warning: .*KILT_MSG_SCRYPT_LOG_N.* 128 times cheaper to guess/)
    const shown = ok(await run(['id', 'show', '--name', 'weak'], H)).stdout
    expect(shown).toContain('keystore        scrypt N=2^10, r=8, p=1 (weaker than the default 2^17')
    expect(JSON.parse(ok(await run(['id', 'show', '--name', 'weak', '--json'], H)).stdout).kdf).toEqual({
      name: 'scrypt',
      logN: 10,
      r: 8,
      p: 1,
    })
    // Without it: the default cost, no warning, and the keystore opens.
    const strong = await run(['id', 'new', '--name', 'strong'], { ...H, KILT_MSG_SCRYPT_LOG_N: undefined })
    expect(strong.code).toBe(0)
    expect(strong.stderr).toBe('')
    expect(JSON.parse(readFileSync(join(keys, 'strong.json'), 'utf8')).kdf.logN).toBe(17)
    expect(ok(await run(['id', 'show', '--name', 'strong'], H)).stdout).toMatch(/scrypt N=2\^17, r=8, p=1\n/)
    ok(await run(['id', 'check', '--name', 'strong'], H))
    // A value outside 10..17 is a usage error, before any passphrase is asked for.
    for (const value of ['9', '18', 'x']) {
      const bad = await run(['id', 'new', '--name', 'never'], {
        ...H,
        KILT_MSG_SCRYPT_LOG_N: value,
        KILT_MSG_PASSPHRASE: undefined,
      })
      expect(bad.code, value).toBe(2)
      expect(oneLineError(bad).code).toBe('ERR_USAGE')
    }
    expect(existsSync(join(keys, 'never.json'))).toBe(false)
  })

  it('a malformed --to DID is a usage error (exit 2)', async () => {
    for (const to of ['did:kilt:light:00nonsense', 'did:kilt:4nope#x', 'did:web:example.org']) {
      const r = await run(['encrypt', '--as', 'alice', '--to', to, '--type', 'reject', '--content', '{}'], H)
      expect(r.code, to).toBe(2)
      expect(oneLineError(r).code).toBe('ERR_USAGE')
    }
  })

  it('id import takes no secret on the command line', async () => {
    for (const flag of ['--auth-seed', '--key-agreement-secret']) {
      const r = await run(
        ['id', 'import', '--name', 'carol', '--auth-type', 'ed25519', flag, `0x${'11'.repeat(32)}`],
        {
          ...H,
          KILT_MSG_AUTH_SEED: `0x${'22'.repeat(32)}`,
          KILT_MSG_KEY_AGREEMENT_SECRET: `0x${'33'.repeat(32)}`,
        },
      )
      expect(r.code, flag).toBe(2)
      expect(oneLineError(r).message).toContain(`unknown option '${flag}'`)
    }
    expect(existsSync(join(keys, 'carol.json'))).toBe(false)
  })
})
