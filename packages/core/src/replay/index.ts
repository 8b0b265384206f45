/**
 * @module replay
 * Replay protection: a freshness window and a bounded record of seen message ids.
 */
export { createMemoryReplayStore } from './create-memory-replay-store.js'
export { createReplayGuard } from './create-replay-guard.js'
export { newRetentionState, type RetentionState, retentionExpiry } from './retention.js'
export type * from './types.js'
