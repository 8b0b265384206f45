/**
 * Profiling helper (not part of the benchmark): runs ours on the 200B-warm case alone.
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof bench/lib/messaging/profile-warm.mjs [ops]`
 */
import * as core from '../../../packages/core/dist/index.js'
import { bodyOfSize, makePeer, revivePeer } from './setup.mjs'

const n = Number(process.argv[2] ?? 40000)
const body = bodyOfSize(200)
const sender = revivePeer(makePeer('peer/0'))
const receiver = revivePeer(makePeer('receiver'))
const senderRing = core.createKeyring([{ keyUri: sender.keyUri, secretKey: sender.encSecret }])
const receiverRing = core.createKeyring([{ keyUri: receiver.keyUri, secretKey: receiver.encSecret }])
const replay = core.createReplayGuard({ store: core.createMemoryReplayStore({ maxEntries: 2_000_000 }) })
const op = async () => {
  const message = core.createMessage(body, { sender: sender.did, receiver: receiver.did })
  const envelope = await core.encryptMessage(message, { keys: senderRing, receiverKeyUri: receiver.keyUri })
  await core.decryptMessage(envelope, { keys: receiverRing, replay })
}
for (let i = 0; i < 1000; i++) await op()
const c0 = process.cpuUsage()
for (let i = 0; i < n; i++) await op()
const c = process.cpuUsage(c0)
console.log(`${((c.user + c.system) / n).toFixed(1)} µs/op CPU (${n} ops)`)
