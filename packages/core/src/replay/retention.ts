/**
 * @module replay/retention
 * For a replay store shared by guards of different freshness windows that keeps its state itself
 * (a file, a database): the rule `decryptMessage`'s default guard follows. Ids are kept for the
 * widest window used so far, and a message an earlier, narrower guard may have accepted and let go
 * is refused as stale.
 */
export { newRetentionState, type RetentionState, retentionExpiry } from './lib/shared-retention.js'
