/**
 * The relay stores ciphertext only: nothing under packages/relay/src imports decryption, boxes,
 * keyrings or secrets from core, nor reaches into core's internals.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

describe('relay source', () => {
  const all = files(SRC)
  it('has files to check', () => expect(all.length).toBeGreaterThan(10))

  it.each(all.map((f) => [f.slice(SRC.length), f]))('%s imports no decryption', (_name, file) => {
    const text = readFileSync(file, 'utf8')
    const imports = [...text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)]
    for (const [, names, from] of imports) {
      expect(from).not.toMatch(/packages\/core|core\/src|@kilt-messaging\/core\//)
      if (from === '@kilt-messaging/core')
        for (const name of names!.split(',').map((n) => n.trim().replace(/^type\s+/, '')))
          expect(name).not.toMatch(/decrypt|open|box|keyring|secret|sharedKey|x25519/i)
    }
    expect(text).not.toMatch(/@noble\/ciphers|tweetnacl|sodium-native/)
  })
})
