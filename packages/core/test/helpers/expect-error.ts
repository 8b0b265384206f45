/**
 * @module test/helpers/expect-error
 * Shared assertions on `MessagingError`s for the core's tests. Browser-safe (no Node API): the
 * tests that also run in Chromium import it too.
 */
import { expect } from 'vitest'
import { type ErrorCode, isMessagingError, MessagingError } from '../../src/errors.js'

/**
 * Runs `fn`. Returns the `MessagingError` it throws, or `undefined` when it returns; anything else
 * thrown is rethrown (so a stray `TypeError` fails the test instead of passing as "an error").
 */
export function caught(fn: () => unknown): MessagingError | undefined {
  try {
    fn()
    return undefined
  } catch (e) {
    if (!(e instanceof MessagingError)) throw e
    return e
  }
}

/**
 * Runs `fn`. Returns the code of the `MessagingError` it throws, `non-MessagingError: <e>` for
 * anything else thrown (so it never equals an expected code), or `undefined` when it returns.
 */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return isMessagingError(e) ? e.code : `non-MessagingError: ${String(e)}`
  }
  return undefined
}

/**
 * Awaits `p`. Returns the code of the `MessagingError` it rejects with, or `'resolved'`; any other
 * rejection is rethrown.
 */
export async function rejectionCode(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    if (isMessagingError(e)) return e.code
    throw e
  }
  return 'resolved'
}

function assertCoded(thrown: unknown, code: ErrorCode, sdkError: string | undefined): MessagingError {
  expect(thrown, `expected ${code}`).toBeInstanceOf(MessagingError)
  const err = thrown as MessagingError
  expect(err.code).toBe(code)
  if (sdkError !== undefined) expect(err.sdkError).toBe(sdkError)
  return err
}

/** Asserts that `fn` throws a MessagingError with `code` (and, if given, `sdkError`); returns it. */
export function expectCode(fn: () => unknown, code: ErrorCode, sdkError?: string): MessagingError {
  let thrown: unknown
  try {
    fn()
  } catch (e) {
    thrown = e
  }
  return assertCoded(thrown, code, sdkError)
}

/** Asserts that `p` rejects with a MessagingError with `code` (and, if given, `sdkError`); returns it. */
export async function expectRejection(
  p: Promise<unknown>,
  code: ErrorCode,
  sdkError?: string,
): Promise<MessagingError> {
  let thrown: unknown
  try {
    await p
  } catch (e) {
    thrown = e
  }
  return assertCoded(thrown, code, sdkError)
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
