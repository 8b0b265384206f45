/**
 * @module crypto/lib/self-test
 * The known-answer test run on a backend before it is selected: the §11.3 shared key
 * (`nacl.box.before`), a box of a fixed message under it (computed with tweetnacl 1.0.3), its
 * opening, a tampered box and a low-order peer key.
 */

import { isMessagingError } from '../../errors.js'
import { equalBytes, fromHex } from '../../lib/bytes.js'
import type { BoxBackend } from '../types.js'

/** §11.3 `receiverX25519.secretKey`. */
const RECEIVER_SECRET = new Uint8Array(32).fill(0x44)
/** §11.3 `receiverX25519.publicKey`. */
const RECEIVER_PUBLIC = fromHex('0xff2ee45601ec1b67310c7790404585ae697331eee1c1f8cf2419731c1fff3e6b')
/** §11.3 `senderX25519.publicKey`. */
const SENDER_PUBLIC = fromHex('0x0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20')
/** §11.3 `sharedKeyNaclBoxBefore`. */
const SHARED_KEY = fromHex('0xc0a490c575f177666cc932956ca39449b46a0594e80fae2717ae8c75e13ba491')
const NONCE = new Uint8Array(24).fill(0x05)
const PLAINTEXT = new TextEncoder().encode('kilt-messaging self-test')
/** `nacl.box.after(PLAINTEXT, NONCE, SHARED_KEY)` with tweetnacl 1.0.3. */
const BOX = fromHex('0x517fed5b8c93c712634aa214ed6db4ccf7d423ce1035032c80fdfcb1384750628e7175b191319ec0')

/** True when the backend reproduces every known answer; never throws. */
export async function selfTest(backend: BoxBackend): Promise<boolean> {
  try {
    const pub = await backend.publicKey(RECEIVER_SECRET.slice())
    if (!equalBytes(pub, RECEIVER_PUBLIC)) return false
    const key = await backend.beforenm(SENDER_PUBLIC, RECEIVER_SECRET.slice())
    if (!equalBytes(key, SHARED_KEY)) return false
    if (!equalBytes(backend.sealAfternm(PLAINTEXT, NONCE, key), BOX)) return false
    const opened = backend.openAfternm(BOX, NONCE, key)
    if (opened === null || !equalBytes(opened, PLAINTEXT)) return false
    const tampered = BOX.slice()
    tampered[20] = tampered[20]! ^ 1
    if (backend.openAfternm(tampered, NONCE, key) !== null) return false
    try {
      await backend.beforenm(new Uint8Array(32), RECEIVER_SECRET.slice())
      return false
    } catch (e) {
      return isMessagingError(e, 'ERR_KEY_INVALID')
    }
  } catch {
    return false
  }
}
