/**
 * Loads the golden vector file: `KILT_VECTORS` when set, else the committed copy of the shared vectors.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const DEFAULT_VECTORS = fileURLToPath(new URL('../fixtures/kilt-sdk-0.35.2.json', import.meta.url))

// biome-ignore lint/suspicious/noExplicitAny: vector files are untyped JSON
export type Vectors = any

export function loadVectors(): Vectors {
  const file = process.env.KILT_VECTORS || DEFAULT_VECTORS
  return JSON.parse(readFileSync(file, 'utf8'))
}
