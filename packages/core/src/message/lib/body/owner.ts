/**
 * @module message/lib/body/owner
 * `ensureOwnerIsSender` (spec §5.3): the claim, attestation or presentations of a body must belong
 * to the sender's subject (same address; light and full DID forms of one subject match).
 */
import { isSameSubject } from '../../../did/index.js'
import { MessagingError } from '../../../errors.js'
import { describe, fail, isPlainObject } from './check.js'
import { checkDid } from './did.js'
import { expectMessage } from './envelope.js'

function ownerOf(root: unknown, prefix: string, keys: readonly string[]): string {
  let v = root
  let path = prefix
  for (const key of keys) {
    if (!isPlainObject(v)) fail(path, 'TypeError', `expected an object, got ${describe(v)}`)
    v = v[key]
    path = `${path}.${key}`
  }
  return checkDid(v, path, 'Did')
}

function mismatch(context: 'Claim' | 'Attestation' | 'Claims'): never {
  throw new MessagingError('ERR_OWNER_MISMATCH', `Sender is not owner of the ${context}`, {
    sdkError: 'IdentityMismatchError',
  })
}

/** Runs the owner checks; see `ensureOwnerIsSender` in `message/verify`. */
export function ensureOwner(message: unknown): void {
  const m = expectMessage(message)
  const body = m.body
  if (!isPlainObject(body)) fail('body', 'TypeError', `expected an object, got ${describe(body)}`)
  const sender = checkDid(m.sender, 'sender', 'Did', 'ERR_MESSAGE_INVALID')
  switch (body.type) {
    case 'request-attestation':
      if (!isSameSubject(ownerOf(body.content, 'body.content', ['credential', 'claim', 'owner']), sender))
        mismatch('Claim')
      break
    case 'submit-attestation':
      if (!isSameSubject(ownerOf(body.content, 'body.content', ['attestation', 'owner']), sender))
        mismatch('Attestation')
      break
    case 'submit-credential': {
      const content = body.content
      if (!Array.isArray(content))
        fail('body.content', 'TypeError', `expected an array, got ${describe(content)}`)
      content.forEach((presentation: unknown, i) => {
        const owner = ownerOf(presentation, `body.content[${i}]`, ['claim', 'owner'])
        if (!isSameSubject(owner, sender)) mismatch('Claims')
      })
      break
    }
    default:
  }
}
