/**
 * @module store/lib/store-common
 * Pieces of store behaviour shared by the SQLite and PostgreSQL mailbox stores: a retryable
 * one-time `init()`, deposit listeners and the mapping of a message row to a `StoredMessage`.
 */

import type { StoredMessage } from '../types.js'
import { checkListener } from './validate.js'

/** A one-time start whose failure may be retried: see {@link initOnce}. */
export interface InitOnce {
  /** Starts `start` the first time (or again after it failed); later calls share its promise. */
  run(start: () => Promise<void>): Promise<void>
  /** Settles once a start in progress settled (never rejects); at once when none was made. */
  settled(): Promise<void>
}

/**
 * A guard for a store's `init()`: concurrent calls share one start; a failed start is forgotten so
 * that the next call tries again.
 *
 * @returns a fresh guard
 * @example
 * const init = initOnce()
 * await init.run(async () => migrate(db))
 */
export function initOnce(): InitOnce {
  let promise: Promise<void> | undefined
  return {
    run(start) {
      if (promise === undefined) {
        const p = start()
        promise = p
        p.catch(() => {
          if (promise === p) promise = undefined
        })
      }
      return promise
    },
    async settled() {
      await promise?.catch(() => undefined)
    },
  }
}

/**
 * Adds a deposit listener (checked) to `listeners`.
 *
 * @param listeners - the store's listener set
 * @param listener - called with the mailbox of each deposit
 * @returns the function removing it again
 * @throws MessagingError ERR_ARGUMENT_INVALID unless `listener` is a function
 * @example
 * onDeposit: (listener) => subscribe(listeners, listener)
 */
export function subscribe(
  listeners: Set<(mailbox: string) => void>,
  listener: (mailbox: string) => void,
): () => void {
  checkListener(listener)
  const entry = (mailbox: string) => listener(mailbox)
  listeners.add(entry)
  return () => {
    listeners.delete(entry)
  }
}

/** A message row as both databases return it (PostgreSQL `BIGINT`s arrive as strings). */
export interface MessageRow {
  id: string
  mailbox: string
  envelope: string
  size: number
  received_at: number | string
  expires_at: number | string
}

/**
 * Maps a message row to a {@link StoredMessage}.
 *
 * @param r - a row of the `messages` table
 * @returns a fresh `StoredMessage`
 * @example
 * rows.map(toStoredMessage)
 */
export function toStoredMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    mailbox: r.mailbox,
    envelope: r.envelope,
    size: r.size,
    receivedAt: Number(r.received_at),
    expiresAt: Number(r.expires_at),
  }
}
