/**
 * @module replay/create-memory-replay-store
 * The default, in-process replay store.
 */
import { MessagingError } from '../errors.js'
import { DEFAULT_MAX_ENTRIES, memoryStore } from './lib/memory-store.js'
import type { MemoryReplayStore, MemoryReplayStoreOptions } from './types.js'

/**
 * Creates a bounded in-memory store of seen message ids for {@link createReplayGuard}.
 *
 * Marking is one synchronous check-and-set, so it is atomic within a process. When `maxEntries`
 * unexpired ids are stored, new ids are refused with `ERR_REPLAY_STORE_UNAVAILABLE` instead of evicting
 * live ids (an evicted id could be replayed). Use a shared store (the relay's SQLite/PostgreSQL
 * stores) when several processes receive for the same DID.
 *
 * @param options.maxEntries - the bound (default 100 000; integer >= 1)
 * @throws MessagingError ERR_ARGUMENT_INVALID for a bad option
 * @example
 * const store = createMemoryReplayStore({ maxEntries: 10_000 })
 * const guard = createReplayGuard({ store })
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): MemoryReplayStore {
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"options" expected an object')
  const { maxEntries = DEFAULT_MAX_ENTRIES } = options
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw new MessagingError('ERR_ARGUMENT_INVALID', '"maxEntries" expected an integer >= 1')
  return memoryStore(maxEntries)
}
