/**
 * @module message/verify
 * Structural verification of decrypted messages (SDK 0.35.2 `Message.verify`, spec §5), with the
 * SDK's weak spots fixed: all 18 body types are validated (`error`, `reject`, `request-payment`,
 * `confirm-payment` included), quotes are checked against the KILT Quote schema, hashes must be
 * 256-bit, the envelope's `createdAt`/`messageId`/`references` are checked, and hostile input
 * (deep nesting, huge arrays, `__proto__` keys, accessors) fails with a coded error.
 * `sdkCompatible: true` restores the SDK's leniency for peers that need it.
 *
 * Every failure is a {@link MessagingError}; its `sdkError` names the SDK class the SDK would throw.
 */
import { MessagingError } from '../errors.js'
import { readOptions, type VerifyBodyOptions, verifyBody } from './lib/body/body.js'
import { isPlainObject, type Obj } from './lib/body/check.js'
import { checkCType, cTypeIdForSchema as computeCTypeId } from './lib/body/ctype.js'
import { checkDelegation } from './lib/body/delegation.js'
import { verifyEnvelope } from './lib/body/envelope.js'
import { verifyIntegrity } from './lib/body/integrity.js'
import { ensureOwner } from './lib/body/owner.js'
import {
  type BodyContentValidator,
  type BodyValidatorRegistry,
  createRegistry,
  type RegisterOptions,
} from './lib/body/registry.js'
import { scanJson } from './lib/body/scan.js'
import type { MessageBody } from './types.js'

export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES } from './lib/body/scan.js'
export type { BodyContentValidator, BodyValidatorRegistry, RegisterOptions, VerifyBodyOptions }

/** Options of {@link verifyMessageEnvelope}. */
export interface VerifyEnvelopeOptions {
  /** SDK semantics: `messageId`, `createdAt` optional, `inReplyTo` checked only when truthy, `references` unchecked. Default `false`. */
  readonly sdkCompatible?: boolean | undefined
}

/** Options of {@link verifyMessage}: those of the body and of the envelope. */
export type VerifyMessageOptions = VerifyBodyOptions & VerifyEnvelopeOptions

function compatOf(options: unknown): boolean {
  if (options === undefined) return false
  if (typeof options !== 'object' || options === null)
    throw new MessagingError('ERR_ARGUMENT_INVALID', 'options must be an object')
  return (options as VerifyEnvelopeOptions).sdkCompatible === true
}

/**
 * Checks a message body (spec §5.2, stricter — see the module comment).
 *
 * @param body - the untrusted `{ type, content }` object (e.g. from a decrypted message)
 * @param options - `registry` for application body types, `sdkCompatible` (default `false`),
 *   `maxDepth` (default 64), `maxNodes` (default 1 000 000)
 * @throws MessagingError ERR_BODY_TYPE_UNKNOWN when no validator exists for `body.type`
 * @throws MessagingError ERR_BODY_INVALID when the content fails (sdkError: `HashMalformedError`,
 *   `CTypeHashMissingError`, `SignatureMalformedError`, `QuoteUnverifiableError`, …)
 * @throws MessagingError ERR_ARGUMENT_INVALID when `options` is malformed
 * @example
 * verifyMessageBody({ type: 'reject-attestation', content: `0x${'ab'.repeat(32)}` })
 */
export function verifyMessageBody(body: unknown, options?: VerifyBodyOptions): asserts body is MessageBody {
  verifyBody(body, options)
}

/**
 * Creates a registry of validators for application-defined body types. Registering one of the 18
 * built-in types (or a type twice) throws unless `{ override: true }` is passed. A validator that
 * throws something other than a `MessagingError` is reported as `ERR_BODY_INVALID` with the thrown
 * error's name as `sdkError`.
 *
 * @example
 * const registry = createBodyRegistry()
 * registry.register('x-ping', (c) => { if (c !== null) throw new TypeError('ping has no content') })
 * verifyMessageBody({ type: 'x-ping', content: null }, { registry })
 */
export function createBodyRegistry(): BodyValidatorRegistry {
  return createRegistry()
}

/**
 * Checks the message fields around the body (spec §5.1, stricter): `messageId` a non-empty string
 * and `createdAt` a finite number (both required), `receivedAt` a finite number when present,
 * `sender`/`receiver` KILT DIDs without fragment, `inReplyTo` a non-empty string and `references`
 * an array of non-empty strings when present.
 *
 * @param message - the untrusted message object
 * @param options - `sdkCompatible` (default `false`)
 * @throws MessagingError ERR_MESSAGE_INVALID (sdkError `TypeError`, `InvalidDidFormatError`,
 *   `DidError`, `AddressInvalidError`)
 * @example
 * verifyMessageEnvelope(decryptedMessage)
 */
export function verifyMessageEnvelope(message: unknown, options?: VerifyEnvelopeOptions): void {
  const compat = compatOf(options)
  scanJson(message, 'message', 'ERR_MESSAGE_INVALID')
  verifyEnvelope(message, compat)
}

/**
 * Checks that the claim (`request-attestation`), attestation (`submit-attestation`) or every
 * presentation (`submit-credential`) belongs to the sender's subject (spec §5.3). Light and full
 * DIDs of one subject match. Other body types pass.
 *
 * @param message - `{ body, sender }` of a message
 * @throws MessagingError ERR_OWNER_MISMATCH (sdkError `IdentityMismatchError`)
 * @throws MessagingError ERR_BODY_INVALID when the owner field is missing or not a DID
 * @throws MessagingError ERR_MESSAGE_INVALID when `sender` is not a DID
 * @example
 * ensureOwnerIsSender({ body, sender: 'did:kilt:4pjaJnvEs7wnbcBsnhMq6m5BqaiK2r8XuTauC9SEcfoJ5r7B' })
 */
export function ensureOwnerIsSender(message: { readonly body: MessageBody; readonly sender: string }): void {
  scanJson(message, 'message', 'ERR_MESSAGE_INVALID')
  ensureOwner(message)
}

/**
 * Checks delegation data (SDK `verifyDelegationStructure`, stricter: 256-bit ids, permissions 1/2).
 *
 * @param data - untrusted `IDelegationData`
 * @param options - `sdkCompatible` (default `false`)
 * @throws MessagingError ERR_BODY_INVALID (sdkError `DelegationIdMissingError`,
 *   `DelegationIdTypeError`, `OwnerMissingError`, `UnauthorizedError`, `TypeError`, DID errors)
 * @example
 * verifyDelegationStructure({ id, parentId, account, permissions: [1], isPCR: false })
 */
export function verifyDelegationStructure(
  data: unknown,
  options?: { readonly sdkCompatible?: boolean | undefined },
): void {
  const compat = compatOf(options)
  scanJson(data, 'delegationData', 'ERR_BODY_INVALID')
  checkDelegation(data, 'delegationData', { compat })
}

/**
 * Checks a CType (SDK `CType.verifyDataStructure`): the draft-01 or V1 meta schema, and `$id`
 * equal to `kilt:ctype:` + blake2b-256 of the key-sorted, NFC-normalised schema without `$id`.
 *
 * @param cType - untrusted CType
 * @throws MessagingError ERR_BODY_INVALID (sdkError `ObjectUnverifiableError`, `CTypeIdMismatchError`)
 * @example
 * verifyCTypeStructure(cType)
 */
export function verifyCTypeStructure(cType: unknown): void {
  scanJson(cType, 'cType', 'ERR_BODY_INVALID')
  checkCType(cType, 'cType')
}

/**
 * The `$id` the SDK derives for a CType schema (`CType.getIdForSchema`); `$id` in the input is ignored.
 *
 * @param schema - a CType or CType schema object
 * @returns `kilt:ctype:0x` + 64 hex
 * @throws MessagingError ERR_ARGUMENT_INVALID when `schema` is not plain JSON data
 * @example
 * cTypeIdForSchema({ $schema, title, properties, type: 'object', additionalProperties: false })
 */
export function cTypeIdForSchema(schema: unknown): `kilt:ctype:0x${string}` {
  scanJson(schema, 'schema', 'ERR_ARGUMENT_INVALID')
  if (!isPlainObject(schema)) throw new MessagingError('ERR_ARGUMENT_INVALID', 'schema must be an object')
  return computeCTypeId(schema) as `kilt:ctype:0x${string}`
}

/**
 * Checks that every required property exists in the CType (SDK `verifyRequiredCTypeProperties`);
 * the CType itself is verified first.
 *
 * @param required - property names
 * @param cType - untrusted CType
 * @throws MessagingError ERR_CTYPE_PROPERTIES_UNKNOWN (sdkError `CTypeUnknownPropertiesError`)
 * @throws MessagingError ERR_BODY_INVALID when the CType is malformed
 * @throws MessagingError ERR_ARGUMENT_INVALID when `required` is not an array of strings
 * @example
 * verifyRequiredCTypeProperties(['name'], cType)
 */
export function verifyRequiredCTypeProperties(required: readonly string[], cType: unknown): void {
  if (!Array.isArray(required) || !required.every((p: unknown) => typeof p === 'string'))
    throw new MessagingError('ERR_ARGUMENT_INVALID', 'required properties must be an array of strings')
  verifyCTypeStructure(cType)
  const properties = (cType as { properties: Obj }).properties
  const unknown = required.filter((p) => !Object.hasOwn(properties, p))
  if (unknown.length > 0)
    throw new MessagingError(
      'ERR_CTYPE_PROPERTIES_UNKNOWN',
      `properties not in the CType: ${unknown
        .slice(0, 10)
        .map((p) => JSON.stringify(p.slice(0, 64)))
        .join(', ')}`,
    )
}

/**
 * Verifies a whole message as the SDK's `Message.verify` does — body, then envelope, then owner —
 * with our stricter rules.
 *
 * @param message - untrusted message (e.g. the result of decryption)
 * @param options - body options and `sdkCompatible` (applies to body and envelope)
 * @throws MessagingError ERR_BODY_TYPE_UNKNOWN, ERR_BODY_INVALID, ERR_MESSAGE_INVALID, ERR_OWNER_MISMATCH
 * @example
 * const message = await decryptMessage(envelope, keys, { resolver })
 * verifyMessage(message)
 */
export function verifyMessage(message: unknown, options?: VerifyMessageOptions): void {
  const opts = readOptions(options)
  const compat = opts.sdkCompatible === true
  scanJson(message, 'message', 'ERR_MESSAGE_INVALID', opts)
  const m = message as Obj
  if (!isPlainObject(m))
    throw new MessagingError('ERR_MESSAGE_INVALID', 'message: expected an object', { sdkError: 'TypeError' })
  verifyBody(m.body, opts)
  verifyEnvelope(m, compat)
  ensureOwner(m)
}

/**
 * Checks the data integrity of a credential or presentation (SDK `Credential.verifyDataIntegrity`):
 * the structure (strict rules), the root hash recomputed from claim hashes, legitimation root hashes
 * and delegation id, and a nonce and salted hash for every claim statement; legitimations
 * recursively. `verifyMessage` does not do this (as the SDK's `Message.verify`); signatures and
 * attestations are not checked here.
 *
 * @param credential - untrusted `ICredential` or `ICredentialPresentation`
 * @throws MessagingError ERR_BODY_INVALID (sdkError `RootHashUnverifiableError`,
 *   `ClaimUnverifiableError`, or a structure class such as `HashMalformedError`)
 * @example
 * verifyMessage(message)
 * if (message.body.type === 'submit-credential') message.body.content.forEach((p) => verifyPresentationIntegrity(p))
 */
export function verifyPresentationIntegrity(credential: unknown): void {
  scanJson(credential, 'credential', 'ERR_BODY_INVALID')
  verifyIntegrity(credential, 'credential')
}
