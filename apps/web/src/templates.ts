/**
 * @module web/templates
 * A valid JSON content template for each of the 18 KILT message body types, filled in with the
 * user's and the peer's DIDs. Every template passes `createMessage` (see `test/templates.test.ts`).
 */
import type { MessageBodyType } from '@kilt-messaging/core'
import { fromHex, toHex } from '@kilt-messaging/core'
import { buildCredential, DEMO_CTYPE_HASH } from './credential.js'

/** What templates are filled with. */
export interface TemplateContext {
  /** My DID (the sender). */
  readonly me: string
  /** The peer's DID (the receiver). */
  readonly peer: string
  /** My authentication key URI, for signature-shaped fields. */
  readonly myKeyUri: string
  /** Signs bytes with my authentication key (hex signature). */
  readonly sign: (data: Uint8Array) => string
}

const H1 = DEMO_CTYPE_HASH
const ZERO = `0x${'00'.repeat(32)}`
const hexOf = fromHex
const randomHash = (): string => toHex(crypto.getRandomValues(new Uint8Array(32)))

function quote(ctx: TemplateContext): Record<string, unknown> {
  const q = {
    attesterDid: ctx.me,
    cTypeHash: H1,
    cost: { net: 1000, gross: 1190, tax: { VAT: 190 } },
    currency: 'KILT',
    termsAndConditions: 'https://example.org/terms',
    timeframe: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  }
  return {
    ...q,
    attesterSignature: {
      keyUri: ctx.myKeyUri,
      signature: ctx.sign(new TextEncoder().encode(JSON.stringify(q))),
    },
  }
}

function delegationData(ctx: TemplateContext): Record<string, unknown> {
  return { account: ctx.peer, id: randomHash(), parentId: randomHash(), permissions: [1], isPCR: false }
}

/** The content template of a body type. */
export function templateFor(type: MessageBodyType, ctx: TemplateContext): unknown {
  switch (type) {
    case 'request-terms':
      return { cTypeHash: H1, owner: ctx.peer, contents: { name: 'Alice Example' } }
    case 'submit-terms':
      return {
        claim: { cTypeHash: H1, owner: ctx.peer, contents: { name: 'Alice Example' } },
        legitimations: [],
        quote: quote(ctx),
      }
    case 'reject-terms':
      return {
        claim: { cTypeHash: H1, owner: ctx.me, contents: { name: 'Alice Example' } },
        legitimations: [],
      }
    case 'request-attestation':
      return { credential: buildCredential(ctx.me, { name: 'Alice Example', age: 42 }) }
    case 'submit-attestation':
      return {
        attestation: {
          claimHash: randomHash(),
          cTypeHash: H1,
          delegationId: null,
          owner: ctx.me,
          revoked: false,
        },
      }
    case 'reject-attestation':
      return randomHash()
    case 'request-payment':
      return { claimHash: randomHash() }
    case 'confirm-payment':
      return { claimHash: randomHash(), txHash: randomHash(), blockHash: randomHash() }
    case 'request-credential':
      return { cTypes: [{ cTypeHash: H1, requiredProperties: ['name'] }], challenge: randomHash() }
    case 'submit-credential': {
      const credential = buildCredential(ctx.me, { name: 'Alice Example' })
      const challenge = randomHash()
      const data = new Uint8Array([...hexOf(credential.rootHash), ...hexOf(challenge)])
      return [
        { ...credential, claimerSignature: { keyUri: ctx.myKeyUri, signature: ctx.sign(data), challenge } },
      ]
    }
    case 'accept-credential':
      return [H1]
    case 'reject-credential':
      return [H1]
    case 'request-accept-delegation': {
      const d = delegationData(ctx)
      return {
        delegationData: d,
        metaData: { note: 'please join' },
        signatures: {
          inviter: { keyUri: ctx.myKeyUri, signature: ctx.sign(new TextEncoder().encode(JSON.stringify(d))) },
        },
      }
    }
    case 'submit-accept-delegation': {
      const d = { ...delegationData(ctx), account: ctx.me }
      const sig = { keyUri: ctx.myKeyUri, signature: ctx.sign(new TextEncoder().encode(JSON.stringify(d))) }
      return { delegationData: d, signatures: { inviter: sig, invitee: sig } }
    }
    case 'reject-accept-delegation':
      return delegationData(ctx)
    case 'inform-create-delegation':
      return { delegationId: randomHash(), isPCR: false }
    case 'error':
      return { name: 'invalid-request', message: 'The request could not be processed' }
    case 'reject':
      return { name: 'user-rejected', message: 'The user declined' }
    default:
      return { note: `no template for ${String(type)}`, zero: ZERO }
  }
}
