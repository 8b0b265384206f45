/**
 * @module lib/last-pair
 * A function that remembers its result for the last pair of arguments (compared with `===`): for
 * values a conversation repeats on every message (the same sender and receiver), built once and then
 * handed out as the same string object again, whose hash a map has already computed.
 */

/** `build`, answered from memory while it is called with the same two arguments as last time. */
export function lastPair<A, B, R>(build: (a: A, b: B) => R): (a: A, b: B) => R {
  let known = false
  let lastA: A | undefined
  let lastB: B | undefined
  let last: R | undefined
  return (a, b) => {
    if (!known || a !== lastA || b !== lastB) {
      last = build(a, b)
      lastA = a
      lastB = b
      known = true
    }
    return last as R
  }
}
