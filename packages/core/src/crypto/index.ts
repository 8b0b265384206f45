/**
 * @module crypto
 * NaCl box (x25519-xsalsa20-poly1305) backends, the shared-key cache, randomness and one-shot
 * seal/open (spec §3.1).
 */
export {
  availableBoxBackends,
  BOX_BACKEND_NAMES,
  type GetBoxBackendOptions,
  getBoxBackend,
  loadBoxBackend,
  nobleBackend,
  setBoxBackend,
} from './backend.js'
export { open, seal } from './box.js'
export { MAX_RANDOM_BYTES, randomBytes } from './random.js'
export {
  createSharedKeyCache,
  DEFAULT_SHARED_KEY_CACHE_SIZE,
  type SharedKeyCacheOptions,
} from './shared-key-cache.js'
