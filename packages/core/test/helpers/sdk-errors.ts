/**
 * @module test/helpers/sdk-errors
 * How the SDK's error classes recorded in the negative vectors map to our codes. Browser-safe (the
 * core's Chromium suite imports it too).
 */

/**
 * The SDK error class recorded for a negative vector → the code(s) of ours that stand for it.
 * (`sdkError` on our error must also name the recorded class.)
 */
export const SDK_TO_CODE: Readonly<Record<string, readonly string[]>> = {
  DecodingMessageError: ['ERR_DECRYPTION_FAILED'],
  IdentityMismatchError: ['ERR_SENDER_MISMATCH', 'ERR_OWNER_MISMATCH'],
  // n09: key not under keyAgreement; n11: receiverKeyUri without fragment (an envelope check here)
  DidError: ['ERR_KEY_RELATIONSHIP', 'ERR_ENVELOPE_INVALID'],
  DidNotFoundError: ['ERR_KEY_NOT_FOUND'],
  InvalidDidFormatError: ['ERR_ENVELOPE_INVALID'],
  SyntaxError: ['ERR_MESSAGE_INVALID'],
  HashMalformedError: ['ERR_BODY_INVALID'],
  UnknownMessageBodyTypeError: ['ERR_BODY_TYPE_UNKNOWN'],
  TypeError: ['ERR_MESSAGE_INVALID'],
  SignatureMalformedError: ['ERR_BODY_INVALID'],
}
