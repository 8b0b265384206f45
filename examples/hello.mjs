// Two identities exchange one authenticated, end-to-end encrypted KILT message, fully offline.
// Run: npm run build && node examples/hello.mjs
import {
  createKeyring,
  createLightDid,
  createMessage,
  decryptMessage,
  encryptMessage,
  randomSigningKeyPair,
  randomX25519,
  replyTo,
} from '@kilt-messaging/core'

function newIdentity() {
  const auth = randomSigningKeyPair('sr25519')
  const agreement = randomX25519()
  const document = createLightDid({
    authentication: [{ publicKey: auth.publicKey, type: auth.type }],
    keyAgreement: [{ publicKey: agreement.publicKey, type: 'x25519' }],
  })
  const keyUri = `${document.uri}${document.keyAgreement[0].id}`
  // The keyring holds the x25519 secret; messages only ever see the key source.
  const keys = createKeyring([{ keyUri, secretKey: agreement.secretKey }])
  return { did: document.uri, keys }
}

const alice = newIdentity()
const bob = newIdentity()
console.log('Alice', alice.did)
console.log('Bob  ', bob.did)

// Alice asks Bob for a credential of some CType.
const request = createMessage(
  {
    type: 'request-credential',
    content: {
      cTypes: [{ cTypeHash: `0x${'ab'.repeat(32)}`, requiredProperties: ['email'] }],
      challenge: '0x1234',
    },
  },
  { sender: alice.did, receiver: bob.did },
)
const envelope = await encryptMessage(request, { keys: alice.keys })
console.log('envelope', JSON.stringify(envelope).slice(0, 120), '…')

// Bob decrypts: sender key, MAC, sender/receiver ownership, body, freshness and replay are all checked.
const { message } = await decryptMessage(envelope, { keys: bob.keys })
console.log('Bob got', message.body.type, 'from', message.sender === alice.did ? 'Alice' : '?')

// Bob rejects; the reply references Alice's message.
const reply = replyTo(message, { type: 'reject', content: { name: 'rejected-terms', message: 'not today' } })
const back = await decryptMessage(await encryptMessage(reply, { keys: bob.keys }), { keys: alice.keys })
console.log('Alice got', back.message.body.type, 'in reply to', back.message.inReplyTo === request.messageId)

// The same envelope a second time is a replay.
try {
  await decryptMessage(envelope, { keys: bob.keys })
} catch (error) {
  console.log('replayed envelope rejected:', error.code)
}
