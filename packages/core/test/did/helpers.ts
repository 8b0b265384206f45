/**
 * Test helpers of the DID area.
 */
import { expect } from 'vitest'
import type { ErrorCode } from '../../src/errors.js'
import { isMessagingError, MessagingError } from '../../src/errors.js'

/** Asserts that `fn` throws a MessagingError with `code` (and, if given, `sdkError`). */
export function expectCode(fn: () => unknown, code: ErrorCode, sdkError?: string): MessagingError {
  let thrown: unknown
  try {
    fn()
  } catch (e) {
    thrown = e
  }
  expect(thrown, `expected ${code}`).toBeInstanceOf(MessagingError)
  const err = thrown as MessagingError
  expect(err.code).toBe(code)
  if (sdkError !== undefined) expect(err.sdkError).toBe(sdkError)
  return err
}

/** Runs `fn`; anything thrown must be a MessagingError. Returns whether it threw. */
export function onlyMessagingErrors(fn: () => unknown): boolean {
  try {
    fn()
    return false
  } catch (e) {
    if (!isMessagingError(e)) throw e
    return true
  }
}
