/**
 * @module session/lib/challenge-bytes
 * The bytes a session challenge stands for, as Sporran encrypts them (`Crypto.coToUInt8(challenge)`,
 * i.e. polkadot's `u8aToU8a`): a `0x` string of an even number of hex digits is hex-decoded, any other
 * string is UTF-8. dApps compare `u8aToHex(decrypted) === challenge`, so challenges are lowercase hex.
 */
import { MessagingError } from '../../errors.js'
import { hexDecode } from '../../lib/hex.js'
import { typeName } from '../../lib/type-name.js'

/** Fewest challenge bytes accepted: a guessable challenge makes the session check worthless. */
export const MIN_CHALLENGE_BYTES = 16
/** Most challenge bytes accepted (a challenge travels through the page and the extension). */
export const MAX_CHALLENGE_BYTES = 1024

const HEX = /^0x(?:[0-9a-fA-F]{2})+$/
const encoder = new TextEncoder()

/**
 * @param min - fewest bytes: {@link MIN_CHALLENGE_BYTES} for the dApp's own challenge; an extension
 *   answers whatever non-empty challenge a dApp chose, as Sporran does
 * @throws MessagingError ERR_ARGUMENT_INVALID when `challenge` is not a string of `min`…{@link MAX_CHALLENGE_BYTES} bytes
 */
export function challengeBytes(challenge: unknown, min = MIN_CHALLENGE_BYTES): Uint8Array {
  if (typeof challenge !== 'string')
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"challenge" expected a string, got ${typeName(challenge)}`,
    )
  // bounded before any work: a UTF-8 byte is at most 3 per UTF-16 unit, hex 2 characters per byte
  if (challenge.length > 2 + 2 * MAX_CHALLENGE_BYTES)
    throw new MessagingError('ERR_ARGUMENT_INVALID', `"challenge" exceeds ${MAX_CHALLENGE_BYTES} bytes`)
  const bytes = HEX.test(challenge) ? hexDecode(challenge, true) : encoder.encode(challenge)
  if (bytes === undefined || bytes.length < min || bytes.length > MAX_CHALLENGE_BYTES)
    throw new MessagingError(
      'ERR_ARGUMENT_INVALID',
      `"challenge" expected ${min}…${MAX_CHALLENGE_BYTES} bytes (lowercase 0x hex, as createSessionChallenge makes)`,
    )
  return bytes
}
