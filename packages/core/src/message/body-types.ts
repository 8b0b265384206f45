/**
 * @module message/body-types
 * The 18 message body types of KILT SDK 0.35.2 (`MessageBodyType`) and the credential-layer types
 * their contents refer to (spec §2.4). Types only: the checks live in `message/verify`.
 */
import type { DidResourceUri, DidUri } from '../did/types.js'
import type { MessageBody } from './types.js'

/** A `0x`-prefixed hex string. */
export type HexString = `0x${string}`

/** The 18 body type strings of SDK 0.29–0.35 (spec §2.4). */
export type MessageBodyType =
  | 'error'
  | 'reject'
  | 'request-terms'
  | 'submit-terms'
  | 'reject-terms'
  | 'request-attestation'
  | 'submit-attestation'
  | 'reject-attestation'
  | 'request-payment'
  | 'confirm-payment'
  | 'request-credential'
  | 'submit-credential'
  | 'accept-credential'
  | 'reject-credential'
  | 'request-accept-delegation'
  | 'submit-accept-delegation'
  | 'reject-accept-delegation'
  | 'inform-create-delegation'

/** All 18 built-in body type strings, in the order of spec §2.4. */
export const MESSAGE_BODY_TYPES: readonly MessageBodyType[] = Object.freeze([
  'error',
  'reject',
  'request-terms',
  'submit-terms',
  'reject-terms',
  'request-attestation',
  'submit-attestation',
  'reject-attestation',
  'request-payment',
  'confirm-payment',
  'request-credential',
  'submit-credential',
  'accept-credential',
  'reject-credential',
  'request-accept-delegation',
  'submit-accept-delegation',
  'reject-accept-delegation',
  'inform-create-delegation',
])

/** Any JSON value. */
export type AnyJson =
  | string
  | number
  | boolean
  | null
  | readonly AnyJson[]
  | { readonly [key: string]: AnyJson }

/** Claim contents (`IClaimContents`): nested objects, arrays of primitives or objects. */
export interface ClaimContents {
  readonly [key: string]:
    | string
    | number
    | boolean
    | ClaimContents
    | readonly (string | number | boolean | ClaimContents)[]
}

/** A claim (`IClaim`). */
export interface Claim {
  /** 256-bit CType hash. */
  readonly cTypeHash: HexString
  readonly contents: ClaimContents
  readonly owner: DidUri
}

/** A partial claim (`PartialClaim`): only `cTypeHash` is required. */
export interface PartialClaim {
  readonly cTypeHash: HexString
  readonly contents?: ClaimContents
  readonly owner?: DidUri
}

/** A signature by a DID key (`DidSignature`). Legacy peers send `keyId` instead of `keyUri`. */
export interface DidSignature {
  readonly keyUri: DidResourceUri
  /** Hex of the signature bytes (64 bytes for sr25519/ed25519). */
  readonly signature: HexString
}

/** A credential (`ICredential`). */
export interface Credential {
  readonly claim: Claim
  /** Unsalted statement digest (256-bit hex) → nonce (uuid-shaped string). */
  readonly claimNonceMap: Readonly<Record<HexString, string>>
  /** Salted statement hashes (256-bit hex), sorted by numeric value. */
  readonly claimHashes: readonly HexString[]
  readonly delegationId: HexString | null
  readonly legitimations: readonly Credential[]
  /** 256-bit root hash over claim hashes, legitimation root hashes and delegation id. */
  readonly rootHash: HexString
}

/** A presentation (`ICredentialPresentation`): a credential signed by its owner. */
export interface CredentialPresentation extends Credential {
  readonly claimerSignature: DidSignature & { readonly challenge?: string }
}

/** An attestation (`IAttestation`). `owner` is the attester. */
export interface Attestation {
  /** The credential's root hash. */
  readonly claimHash: HexString
  readonly cTypeHash: HexString
  readonly owner: DidUri
  readonly delegationId: HexString | null
  readonly revoked: boolean
}

/** Cost of a quote. */
export interface QuoteCost {
  readonly tax: Readonly<Record<string, unknown>>
  readonly net: number
  readonly gross: number
}

/** A quote (`IQuote`). */
export interface Quote {
  readonly attesterDid: DidUri
  readonly cTypeHash: HexString
  readonly cost: QuoteCost
  readonly currency: string
  /** RFC 3339 date-time. */
  readonly timeframe: string
  readonly termsAndConditions: string
}

/** A quote signed by the attester (`IQuoteAttesterSigned`). */
export interface QuoteAttesterSigned extends Quote {
  readonly attesterSignature: DidSignature
}

/** A quote agreed by the claimer (`IQuoteAgreement`). */
export interface QuoteAgreement extends QuoteAttesterSigned {
  readonly rootHash: HexString
  readonly claimerDid: DidUri
  readonly claimerSignature: DidSignature
}

/** Delegation permissions: 1 = attest, 2 = delegate. */
export type DelegationPermission = 1 | 2

/** Delegation data (`IDelegationData`). */
export interface DelegationData {
  readonly account: DidUri
  readonly id: HexString
  readonly parentId: HexString
  readonly permissions: readonly DelegationPermission[]
  readonly isPCR: boolean
}

/** A property of a CType schema. */
export type CTypePropertyType =
  | {
      readonly type: 'string'
      readonly format?: 'date' | 'time' | 'uri'
      readonly enum?: readonly string[]
      readonly minLength?: number
      readonly maxLength?: number
    }
  | {
      readonly type: 'integer' | 'number'
      readonly enum?: readonly number[]
      readonly minimum?: number
      readonly maximum?: number
    }
  | { readonly type: 'boolean' }
  | { readonly $ref: string }
  | {
      readonly type: 'array'
      readonly items: CTypePropertyType
      readonly minItems?: number
      readonly maxItems?: number
    }

/** A CType (`ICType`): a JSON schema whose `$id` is `kilt:ctype:` + the hash of the rest. */
export interface CType {
  readonly $id: `kilt:ctype:0x${string}`
  readonly $schema: string
  readonly title: string
  readonly properties: Readonly<Record<string, CTypePropertyType>>
  readonly type: 'object'
  readonly additionalProperties?: false
}

/** Terms offered by an attester (`ITerms`). */
export interface Terms {
  readonly claim: PartialClaim
  readonly legitimations: readonly Credential[]
  readonly delegationId?: HexString
  readonly quote?: QuoteAttesterSigned
  readonly cTypes?: readonly CType[]
}

/** Content of `error` and `reject` bodies. */
export interface ErrorContent {
  readonly name?: string
  readonly message?: string
}

/** One requested CType of a `request-credential` body. */
export interface RequestCredentialCType {
  readonly cTypeHash: HexString
  readonly trustedAttesters?: readonly DidUri[]
  readonly requiredProperties?: readonly string[]
}

/** `error`: something went wrong (both directions). */
export type ErrorBody = MessageBody<'error', ErrorContent>
/** `reject`: the peer declines (both directions). */
export type RejectBody = MessageBody<'reject', ErrorContent>
/** `request-terms`: claimer asks an attester for terms. */
export type RequestTermsBody = MessageBody<'request-terms', PartialClaim>
/** `submit-terms`: attester offers terms. */
export type SubmitTermsBody = MessageBody<'submit-terms', Terms>
/** `reject-terms`: claimer rejects the terms. */
export type RejectTermsBody = MessageBody<
  'reject-terms',
  {
    readonly claim: PartialClaim
    readonly legitimations: readonly Credential[]
    readonly delegationId?: HexString
  }
>
/** `request-attestation`: claimer asks for an attestation of a credential. */
export type RequestAttestationBody = MessageBody<
  'request-attestation',
  { readonly credential: Credential; readonly quote?: QuoteAgreement }
>
/** `submit-attestation`: attester returns the attestation. */
export type SubmitAttestationBody = MessageBody<'submit-attestation', { readonly attestation: Attestation }>
/** `reject-attestation`: attester refuses; content is the credential's root hash. */
export type RejectAttestationBody = MessageBody<'reject-attestation', HexString>
/** `request-payment`: attester asks for payment for a request (content: its root hash). */
export type RequestPaymentBody = MessageBody<'request-payment', { readonly claimHash: HexString }>
/** `confirm-payment`: claimer confirms a payment transaction. */
export type ConfirmPaymentBody = MessageBody<
  'confirm-payment',
  { readonly claimHash: HexString; readonly txHash: HexString; readonly blockHash: HexString }
>
/** `request-credential`: verifier asks for presentations. */
export type RequestCredentialBody = MessageBody<
  'request-credential',
  { readonly cTypes: readonly RequestCredentialCType[]; readonly challenge?: string; readonly owner?: DidUri }
>
/** `submit-credential`: holder sends presentations. */
export type SubmitCredentialBody = MessageBody<'submit-credential', readonly CredentialPresentation[]>
/** `accept-credential`: verifier accepts; content lists CType hashes. */
export type AcceptCredentialBody = MessageBody<'accept-credential', readonly HexString[]>
/** `reject-credential`: verifier rejects; content lists CType hashes. */
export type RejectCredentialBody = MessageBody<'reject-credential', readonly HexString[]>
/** `request-accept-delegation`: delegator invites a delegate. */
export type RequestAcceptDelegationBody = MessageBody<
  'request-accept-delegation',
  {
    readonly delegationData: DelegationData
    readonly metaData?: AnyJson
    readonly signatures: { readonly inviter: DidSignature }
  }
>
/** `submit-accept-delegation`: delegate accepts. */
export type SubmitAcceptDelegationBody = MessageBody<
  'submit-accept-delegation',
  {
    readonly delegationData: DelegationData
    readonly signatures: { readonly inviter: DidSignature; readonly invitee: DidSignature }
  }
>
/** `reject-accept-delegation`: delegate declines; content is the delegation data. */
export type RejectAcceptDelegationBody = MessageBody<'reject-accept-delegation', DelegationData>
/** `inform-create-delegation`: delegator reports the created delegation node. */
export type InformCreateDelegationBody = MessageBody<
  'inform-create-delegation',
  { readonly delegationId: HexString; readonly isPCR: boolean }
>

/** Any of the 18 built-in bodies. */
export type KnownMessageBody =
  | ErrorBody
  | RejectBody
  | RequestTermsBody
  | SubmitTermsBody
  | RejectTermsBody
  | RequestAttestationBody
  | SubmitAttestationBody
  | RejectAttestationBody
  | RequestPaymentBody
  | ConfirmPaymentBody
  | RequestCredentialBody
  | SubmitCredentialBody
  | AcceptCredentialBody
  | RejectCredentialBody
  | RequestAcceptDelegationBody
  | SubmitAcceptDelegationBody
  | RejectAcceptDelegationBody
  | InformCreateDelegationBody
