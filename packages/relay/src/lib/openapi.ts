/**
 * @module lib/openapi
 * The OpenAPI 3.1 description of the relay's HTTP API, served at `GET /v1/openapi.json`.
 */
import { RELAY_ERROR_STATUS } from './errors.js'

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: object) => ({ 'application/json': { schema } })
const error = (description: string) => ({ description, content: json(ref('Error')) })
const hex = (description: string, pattern = '^0x([0-9a-f]{2})+$') => ({
  type: 'string',
  pattern,
  description,
})

const COMMON_ERRORS = {
  '413': error('Body too large (ERR_MESSAGE_TOO_LARGE).'),
  '415': error('Content type is not application/json (ERR_UNSUPPORTED_MEDIA_TYPE).'),
  '429': error('Rate limited (ERR_RATE_LIMITED); see Retry-After.'),
  '503': error('Store or resolver unavailable (ERR_UNAVAILABLE).'),
}
const AUTH_ERRORS = { '401': error('Missing, malformed, expired or foreign token (ERR_UNAUTHORIZED).') }

/** The OpenAPI 3.1 document (frozen). */
export const OPENAPI_DOCUMENT = Object.freeze({
  openapi: '3.1.0',
  info: {
    title: 'KILT messaging relay',
    version: '1.0.0',
    description:
      'Store-and-forward mailboxes for KILT encrypted messages (SDK 0.35.2 IEncryptedMessage). ' +
      'Anyone may deposit; only the receiver DID (after a DID-signature login) may list, stream and ack. ' +
      'The relay stores ciphertext only. Mailbox key: the SS58 address of the receiver DID (light and full DIDs share it).',
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'Token from POST /v1/auth/token (HMAC, short-lived).',
      },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', enum: Object.keys(RELAY_ERROR_STATUS) },
              message: { type: 'string' },
            },
          },
        },
      },
      EnvelopeIn: {
        type: 'object',
        additionalProperties: false,
        required: ['ciphertext', 'nonce', 'senderKeyUri', 'receiverKeyUri'],
        properties: {
          ciphertext: hex('NaCl box, lowercase 0x hex, at least 16 bytes.'),
          nonce: hex('24-byte nonce, lowercase 0x hex.', '^0x[0-9a-f]{48}$'),
          senderKeyUri: {
            type: 'string',
            description: 'KILT DID resource URI of the sender key agreement key.',
          },
          receiverKeyUri: {
            type: 'string',
            description: 'KILT DID resource URI of the receiver key agreement key.',
          },
          receivedAt: { type: 'number', description: 'Ignored: the relay sets it.' },
        },
      },
      Envelope: {
        type: 'object',
        required: ['ciphertext', 'nonce', 'senderKeyUri', 'receiverKeyUri', 'receivedAt'],
        properties: {
          ciphertext: { type: 'string' },
          nonce: { type: 'string' },
          senderKeyUri: { type: 'string' },
          receiverKeyUri: { type: 'string' },
          receivedAt: { type: 'integer', description: 'Relay time of receipt (ms since the epoch).' },
        },
      },
      Deposited: {
        type: 'object',
        required: ['id', 'receivedAt'],
        properties: { id: { type: 'string' }, receivedAt: { type: 'integer' } },
      },
    },
  },
  paths: {
    '/v1/messages': {
      post: {
        summary: 'Deposit one envelope, or a batch { messages: [...] }',
        description:
          'Answers 201 only after the store committed the envelope durably. A batch is refused as a whole (400/413/429) ' +
          'when any item is malformed; quota failures are per item. A relay without a full-DID resolver (--resolver-url) ' +
          'refuses envelopes whose receiverKeyUri is a full DID (ERR_ENVELOPE_INVALID): it cannot authenticate full DIDs ' +
          '(a light-DID login could not see that the full DID rotated its authentication key). Rate limits (429): requests ' +
          'per client IP, deposits per client IP into one mailbox, deposits into one mailbox from all senders; deposits ' +
          'the store did not take (507, 503) do not count against the deposit limits. A batch ' +
          'holding more deposits into one mailbox than one of those per-minute limits could ever pass is refused with ' +
          '400 (ERR_REQUEST_INVALID), not 429. Key URIs with control characters are refused (ERR_ENVELOPE_INVALID).',
        requestBody: {
          required: true,
          content: json({
            oneOf: [
              ref('EnvelopeIn'),
              {
                type: 'object',
                additionalProperties: false,
                required: ['messages'],
                properties: {
                  messages: { type: 'array', minItems: 1, maxItems: 100, items: ref('EnvelopeIn') },
                },
              },
            ],
          }),
        },
        responses: {
          '201': {
            description:
              'Stored. Batch: per-item results, each { id, receivedAt } or { error } (ERR_QUOTA_EXCEEDED: that mailbox is full; ERR_UNAVAILABLE: PostgreSQL failed after other items of the batch committed — retry that item).',
            content: json({
              oneOf: [
                ref('Deposited'),
                {
                  type: 'object',
                  properties: {
                    results: { type: 'array', items: { oneOf: [ref('Deposited'), ref('Error')] } },
                  },
                },
              ],
            }),
          },
          '400': error(
            'Bad JSON (ERR_REQUEST_INVALID); malformed envelope, or a full-DID receiver on a relay without a full-DID resolver (ERR_ENVELOPE_INVALID).',
          ),
          '507': error("Receiver's mailbox full (ERR_QUOTA_EXCEEDED)."),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/auth/challenge': {
      post: {
        summary: 'Get a single-use login challenge',
        description:
          'The challenge is `kilt-relay-login/v1\\n<origin>\\n<64 hex>`, bound to the origin the client reached ' +
          '(protocol + Host), which must be one the relay is configured to serve (--public-url; default: its ' +
          'listen address). Clients sign only a challenge naming the relay URL they log in to.',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['did'],
            properties: { did: { type: 'string' } },
          }),
        },
        responses: {
          '200': {
            description: 'A challenge to sign (UTF-8 bytes) with the DID authentication key.',
            content: json({
              type: 'object',
              properties: { challenge: { type: 'string' }, expiresAt: { type: 'integer' } },
            }),
          },
          '400': error(
            'Not a KILT DID, or the request names an origin this relay is not configured to serve (ERR_REQUEST_INVALID).',
          ),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/auth/token': {
      post: {
        summary: 'Exchange a signed challenge for a bearer token',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['did', 'challenge', 'keyUri', 'signature'],
            properties: {
              did: { type: 'string' },
              challenge: { type: 'string' },
              keyUri: { type: 'string', description: 'The authentication key URI (sr25519 or ed25519).' },
              signature: hex('64-byte signature over the UTF-8 challenge.', '^0x[0-9a-f]{128}$'),
            },
          }),
        },
        responses: {
          '200': {
            description: 'Token.',
            content: json({
              type: 'object',
              properties: { token: { type: 'string' }, expiresAt: { type: 'integer' } },
            }),
          },
          '400': error('Malformed request (ERR_REQUEST_INVALID).'),
          '401': error(
            'Unknown, expired or used challenge, or one bound to an origin this relay does not serve (ERR_CHALLENGE_INVALID); bad signature or not an authentication key (ERR_SIGNATURE_INVALID).',
          ),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/inbox': {
      get: {
        summary: 'List queued envelopes, oldest first',
        description:
          'At most `limit` envelopes and at most maxPageBytes (default 4 MiB) of envelope bytes; one envelope larger ' +
          'than that comes alone. A page may therefore be short while more are queued: pass `cursor` as `after` ' +
          'until a page is empty. At most maxConcurrentReadsPerMailbox (default 4) reads of one mailbox are in ' +
          'progress at once (per relay instance); more are refused with 429 ERR_RATE_LIMITED and Retry-After: 1.',
        security: [{ bearer: [] }],
        parameters: [
          {
            name: 'after',
            in: 'query',
            schema: { type: 'string' },
            description: 'Return ids after this cursor.',
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: {
          '200': {
            description: 'A page.',
            content: json({
              type: 'object',
              properties: {
                messages: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { id: { type: 'string' }, envelope: ref('Envelope') },
                  },
                },
                cursor: { type: ['string', 'null'] },
              },
            }),
          },
          '400': error('Bad query (ERR_REQUEST_INVALID).'),
          ...AUTH_ERRORS,
          ...COMMON_ERRORS,
          '429': error(
            'Rate limited per IP, or too many reads of this mailbox in progress (ERR_RATE_LIMITED); see Retry-After.',
          ),
        },
      },
    },
    '/v1/inbox/ack': {
      post: {
        summary: 'Delete delivered envelopes (own mailbox only)',
        security: [{ bearer: [] }],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['ids'],
            properties: { ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string' } } },
          }),
        },
        responses: {
          '200': {
            description: 'Deleted count.',
            content: json({ type: 'object', properties: { deleted: { type: 'integer' } } }),
          },
          '400': error('Bad ids (ERR_REQUEST_INVALID).'),
          ...AUTH_ERRORS,
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/inbox/live': {
      get: {
        summary: 'WebSocket live delivery',
        description:
          'Token in the Authorization header, a ?token= query, or a first frame {"type":"auth","token":…}. ' +
          'Server frames: {"type":"ready"}, {"type":"message","id","envelope"}, {"type":"acked","ids","deleted"}, {"type":"error","error"}. ' +
          'Client frames: {"type":"ack","ids":[…]}, {"type":"ping"}, processed one at a time. Un-acked envelopes stay queued. ' +
          'Close 4401: unauthorized or token expired; 1008: more client frames per second than the relay allows (default 1000); ' +
          '1013: the client does not read (more than 4 MiB buffered by default), or too many live sessions (in total, or of ' +
          'this mailbox: default 8) when the token came in the first frame; a token in the header or query is checked ' +
          'before the upgrade, which is then refused with 429 instead. ' +
          'Only authenticated sessions count against the connection limits; sockets awaiting their auth frame are capped per client IP (default 20, 429).',
        responses: {
          '101': { description: 'Switching protocols.' },
          ...AUTH_ERRORS,
          '429': error(
            'Too many live sessions (in total or of this mailbox), or too many unauthenticated sockets from this address (ERR_RATE_LIMITED).',
          ),
        },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Alive.' } } } },
    '/readyz': {
      get: {
        summary: 'Readiness (store ping)',
        responses: { '200': { description: 'Ready.' }, '503': error('Store not ready (ERR_UNAVAILABLE).') },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        description:
          'Open unless the relay runs with a metrics token (`--metrics-token`, `KILT_RELAY_METRICS_TOKEN`): then `Authorization: Bearer <metrics token>` is required (401 ERR_UNAUTHORIZED otherwise).',
        responses: {
          '200': {
            description: 'Text format 0.0.4.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          '401': error('A metrics token is configured and was not given (ERR_UNAUTHORIZED).'),
        },
      },
    },
    '/v1/openapi.json': {
      get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1.' } } },
    },
  },
})
