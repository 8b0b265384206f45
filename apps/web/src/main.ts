/**
 * @module web/main
 * The web inbox: identity (IndexedDB vault), relay login and live inbox, verified message view,
 * compose and reply for the 18 KILT body types. All cryptography runs in the browser.
 */
import {
  createMessage,
  createRelayClient,
  type DidUri,
  encryptMessage,
  generateMnemonic,
  isMessagingError,
  MESSAGE_BODY_TYPES,
  type Message,
  type MessageBody,
  type MessageBodyType,
  printable,
  type RelayClient,
  RelayResponseError,
  replyTo,
  type Subscription,
  toHex,
  validateDidUri,
  zeroize,
} from '@kilt-messaging/core'
import { type Identity, identityFrom } from './identity.js'
import { drawQr } from './qr.js'
import { indexedDbSeenStore, memorySeenStore, type SeenStore } from './seen-store.js'
import { templateFor } from './templates.js'
import { forgetIdentity, saveIdentity, storedDid, unlockIdentity, WrongPassphraseError } from './vault.js'
import { createVerifier, type Opened } from './verify.js'

/** The persistent replay record of an identity (in memory when IndexedDB is unavailable). */
async function openSeenStore(did: string): Promise<SeenStore> {
  try {
    return await indexedDbSeenStore(did)
  } catch {
    return memorySeenStore()
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`missing #${id}`)
  return el as T
}

interface Item {
  readonly id: string
  readonly opened: Opened
  readonly li: HTMLLIElement
  /** The relay client that delivered it: its acknowledgement goes there. */
  readonly client: RelayClient
}

const state: {
  identity: Identity | undefined
  client: RelayClient | undefined
  subscription: Subscription | undefined
  verify: ReturnType<typeof createVerifier> | undefined
  items: Map<string, Item>
  selected: string | undefined
  replyParent: Message | undefined
  /** Counts connects and disconnects: a connect that is no longer the latest drops what it got. */
  connection: number
} = {
  identity: undefined,
  client: undefined,
  subscription: undefined,
  verify: undefined,
  items: new Map(),
  selected: undefined,
  replyParent: undefined,
  connection: 0,
}

// ---- feedback ------------------------------------------------------------------------------------
// Every text that a relay, a sender or an envelope wrote reaches the page through `printable`
// (here, in `add` and in the inbox rows): a bidi override or a line separator would reorder or
// break what the page shows (a reversed message id reads as another one); controls are shown too.
function showError(text: string): void {
  const a = $('alert')
  a.textContent = printable(text)
  a.hidden = false
}
function clearError(): void {
  const a = $('alert')
  a.textContent = ''
  a.hidden = true
}
function say(text: string): void {
  $('status').textContent = printable(text)
}
function describeError(e: unknown): string {
  if (e instanceof WrongPassphraseError) return e.message
  if (e instanceof RelayResponseError) return `The relay refused: ${e.message}${e.code ? ` (${e.code})` : ''}`
  if (isMessagingError(e)) {
    if (e.code === 'ERR_TRANSPORT') return `Relay unreachable: ${e.message}`
    return `${e.message} (${e.code})`
  }
  return e instanceof Error ? e.message : String(e)
}
/**
 * A sender's timestamp (ms) as text, never throwing: a sender may write any finite number, and
 * `Date` cannot show one beyond ±8.64e15 ms (`toISOString` throws, `toLocaleString` says
 * "Invalid Date"). Such a value is shown raw, marked invalid. Not escaped: pass it through `printable`.
 */
function formatTime(ms: unknown, style: 'iso' | 'local'): string {
  if (ms === undefined) return '—'
  const date = new Date(typeof ms === 'number' ? ms : Number.NaN)
  if (Number.isNaN(date.getTime())) return `${String(ms)} (invalid date)`
  return style === 'iso' ? date.toISOString() : date.toLocaleString()
}
async function guarded(what: string, run: () => Promise<void>): Promise<void> {
  clearError()
  try {
    await run()
  } catch (e) {
    showError(`${what}: ${describeError(e)}`)
  }
}

// ---- identity ------------------------------------------------------------------------------------
async function showIdentityForms(): Promise<void> {
  const did = await storedDid().catch(() => null)
  $('me').hidden = true
  $('unlock-form').hidden = did === null
  $('create-form').hidden = did !== null
  if (did !== null) $('stored-did').textContent = did
}

/** Wipes the secrets of an identity: its keyring and its authentication pair (refuse to work afterwards). */
function wipe(identity: Identity | undefined): void {
  if (identity === undefined) return
  identity.keys.destroy()
  zeroize(identity.auth)
}

async function useIdentity(identity: Identity, phrase?: string): Promise<void> {
  const seen = await openSeenStore(identity.did)
  wipe(state.identity)
  state.identity = identity
  state.verify = createVerifier(identity.keys, seen)
  $('unlock-form').hidden = true
  $('create-form').hidden = true
  $('me').hidden = false
  $('my-did').textContent = identity.did
  $('backup').hidden = phrase === undefined
  $('backup-phrase').textContent = phrase ?? ''
  const note = $('qr-note')
  try {
    await drawQr($<HTMLCanvasElement>('qr'), identity.did)
    note.hidden = true
    $('qr').hidden = false
  } catch (e) {
    $('qr').hidden = true
    note.hidden = false
    note.textContent = e instanceof Error ? e.message : String(e)
  }
  say(`Identity unlocked: ${identity.did.slice(0, 48)}…`)
  await connect()
}

$('mode-new').addEventListener('change', () => {
  $('mnemonic-field').hidden = true
})
$('mode-import').addEventListener('change', () => {
  $('mnemonic-field').hidden = false
  $('mnemonic').focus()
})

$('create-form').addEventListener('submit', (ev) => {
  ev.preventDefault()
  void guarded('Could not create the identity', async () => {
    const importing = $<HTMLInputElement>('mode-import').checked
    const phrase = importing ? $<HTMLTextAreaElement>('mnemonic').value.trim() : generateMnemonic(12)
    if (importing && phrase === '') throw new Error('Enter the recovery phrase to import.')
    const derivation = $<HTMLSelectElement>('derivation').value === 'kilt-docs' ? 'kilt-docs' : 'sporran'
    const passphrase = $<HTMLInputElement>('create-pass').value
    if (passphrase.length < 8) throw new Error('The passphrase must have at least 8 characters.')
    const secret = { mnemonic: phrase, derivation } as const
    const identity = identityFrom(secret)
    say('Encrypting the keys…')
    await saveIdentity(identity.did, secret, passphrase)
    $<HTMLInputElement>('create-pass').value = ''
    $<HTMLTextAreaElement>('mnemonic').value = ''
    await useIdentity(identity, importing ? undefined : phrase)
  })
})

$('unlock-form').addEventListener('submit', (ev) => {
  ev.preventDefault()
  void guarded('Could not unlock', async () => {
    const pass = $<HTMLInputElement>('unlock-pass')
    say('Unlocking…')
    try {
      const { secret } = await unlockIdentity(pass.value)
      pass.value = ''
      await useIdentity(identityFrom(secret))
    } catch (e) {
      say('')
      pass.select()
      throw e
    }
  })
})

$('forget').addEventListener('click', () => {
  if (
    !window.confirm('Delete the stored identity from this browser? Without its recovery phrase it is lost.')
  )
    return
  void guarded('Could not forget the identity', async () => {
    await forgetIdentity()
    await showIdentityForms()
    say('Stored identity deleted.')
  })
})

$('lock').addEventListener('click', () => {
  disconnect()
  wipe(state.identity)
  state.identity = undefined
  state.verify = undefined
  clearInbox()
  cancelReply()
  $<HTMLInputElement>('to').value = ''
  clearError()
  // The recovery phrase of a new identity, and anything typed into the identity forms.
  $('backup').hidden = true
  $('backup-phrase').textContent = ''
  for (const id of ['mnemonic', 'create-pass', 'unlock-pass']) $<HTMLInputElement>(id).value = ''
  // The compose template may carry a signature made with the identity's key.
  fillTemplate()
  void showIdentityForms()
  say('Locked.')
})

$('copy-did').addEventListener('click', () => {
  const did = state.identity?.did
  if (did === undefined) return
  navigator.clipboard.writeText(did).then(
    () => say('DID copied.'),
    () => showError('Could not copy: the clipboard is not available here.'),
  )
})

// ---- relay ---------------------------------------------------------------------------------------
function disconnect(): void {
  state.connection++
  state.subscription?.close()
  state.subscription = undefined
  state.client = undefined
  $('relay-state').textContent = 'Not connected.'
}

function clearInbox(): void {
  state.items.clear()
  state.selected = undefined
  $('inbox').replaceChildren()
  // emptied, not only hidden: after Lock no decrypted text stays in the page
  $('message-view').hidden = true
  for (const id of ['message-h', 'message-meta', 'checks', 'message-body']) $(id).replaceChildren()
  updateCount()
}

async function connect(): Promise<void> {
  const identity = state.identity
  if (identity === undefined) {
    showError('Create or unlock an identity first.')
    return
  }
  disconnect()
  clearInbox()
  const connection = state.connection
  // Locked, another identity unlocked, or another connect or disconnect since: this one is stale.
  const stale = () => state.identity !== identity || state.connection !== connection
  const url = $<HTMLInputElement>('relay-url').value.trim()
  const relayState = $('relay-state')
  relayState.textContent = `Connecting to ${url}…`
  await guarded(`Could not connect to the relay at ${url}`, async () => {
    let client: RelayClient
    try {
      client = createRelayClient({ url, timeoutMs: 8_000 })
      await client.login({
        did: identity.did,
        keyUri: identity.authKeyUri,
        sign: (d) => identity.auth.sign(d),
      })
    } catch (e) {
      if (stale()) return
      relayState.textContent = 'Not connected.'
      throw e
    }
    if (stale()) return
    state.client = client
    relayState.textContent = `Logged in to ${url}. Loading the inbox…`
    let after: string | undefined
    try {
      for (let page = 0; page < 50; page++) {
        const p = await client.fetchInbox(after === undefined ? { limit: 100 } : { after, limit: 100 })
        if (stale()) return
        for (const m of p.messages) await receive(m.id, m.envelope, client)
        // a page may be short while more are queued (the relay also bounds a page in bytes): stop at an empty one
        if (p.cursor === null || p.messages.length === 0) break
        after = p.cursor
      }
    } catch (e) {
      if (stale()) return
      relayState.textContent = `Logged in to ${url}, but the inbox could not be read.`
      throw e
    }
    if (stale() || state.client !== client) return
    state.subscription?.close()
    state.subscription = client.subscribe((m) => receive(m.id, m.envelope, client), {
      onOpen: () => {
        relayState.textContent = `Connected to ${url} — live.`
        relayState.dataset.live = 'true'
      },
      onError: (e) => {
        relayState.dataset.live = 'false'
        relayState.textContent = `Connection to ${url} interrupted; reconnecting…`
        showError(`Live connection: ${describeError(e)}`)
      },
    })
  })
}

$('connect-form').addEventListener('submit', (ev) => {
  ev.preventDefault()
  void connect()
})

// ---- inbox ---------------------------------------------------------------------------------------
function updateCount(): void {
  const n = state.items.size
  $('inbox-count').textContent = n === 0 ? '' : `(${n})`
  $('inbox-empty').hidden = n > 0
}

async function receive(id: string, envelope: unknown, client: RelayClient): Promise<void> {
  const verify = state.verify
  if (verify === undefined || state.items.has(id)) return
  // One message can never stop the inbox: whatever fails becomes a row that can be acknowledged.
  let opened: Opened
  try {
    opened = await verify(envelope, id)
  } catch (e) {
    opened = { status: 'rejected', code: 'ERR_UNKNOWN', reason: `Could not be opened: ${describeError(e)}` }
  }
  // Locked (or another identity unlocked) while opening it: it belongs to no inbox on the page.
  if (state.verify !== verify || state.items.has(id)) return
  const li = document.createElement('li')
  li.dataset.id = id
  li.dataset.status = opened.status
  const button = document.createElement('button')
  button.type = 'button'
  button.className = `msg ${opened.status}`
  const title = document.createElement('span')
  title.className = 'title'
  const sub = document.createElement('span')
  sub.className = 'sub'
  const badge = document.createElement('span')
  badge.className = 'badge'
  if (opened.status === 'rejected') {
    title.textContent = 'Rejected message'
    sub.textContent = printable(opened.reason)
    badge.textContent = opened.code
  } else {
    const m = opened.decrypted.message
    title.textContent = printable(m.body.type)
    sub.textContent = `from ${printable(m.sender.slice(0, 30))}… · ${printable(formatTime(m.createdAt, 'local'))}`
    badge.textContent = opened.status === 'ok' ? 'verified' : 'warning'
  }
  button.append(title, badge, sub)
  button.addEventListener('click', () => select(id))
  li.append(button)
  $('inbox').prepend(li)
  state.items.set(id, { id, opened, li, client })
  updateCount()
  say(
    opened.status === 'rejected'
      ? `A message was rejected (${opened.code}).`
      : `New message: ${title.textContent}.`,
  )
}

/** What the message view shows for one item, computed before anything on the page changes. */
interface View {
  readonly heading: string
  readonly meta: readonly (readonly [string, string])[]
  readonly checks: readonly HTMLLIElement[]
  readonly body: string
  readonly canReply: boolean
}

function viewOf(id: string, o: Opened): View {
  if (o.status === 'rejected')
    return {
      heading: 'Rejected message',
      meta: [
        ['Relay id', id],
        ['Error', o.code],
        ['Reason', o.reason],
      ],
      checks: [],
      body: '',
      canReply: false,
    }
  const m = o.decrypted.message
  const meta: [string, string][] = [
    ['Relay id', id],
    ['From', m.sender],
    ['To', m.receiver],
    ['Created', formatTime(m.createdAt, 'iso')],
  ]
  if (m.messageId !== undefined) meta.push(['Message id', m.messageId])
  if (m.inReplyTo !== undefined) meta.push(['In reply to', m.inReplyTo])
  const checks = o.checks.map((c) => {
    const li = document.createElement('li')
    li.className = c.ok ? 'ok' : 'bad'
    li.textContent = `${c.ok ? '✓' : '✗'} ${c.label}: ${printable(c.detail)}${c.code ? ` (${c.code})` : ''}`
    return li
  })
  return {
    heading: printable(m.body.type),
    meta,
    checks,
    // JSON escapes C0 controls itself; bidi controls, C1 and separators still need escaping.
    body: printable(JSON.stringify(m.body, null, 2), { lineFeeds: true }),
    canReply: true,
  }
}

function select(id: string): void {
  const item = state.items.get(id)
  if (item === undefined) return
  // Everything is computed first, then written: a field that cannot be shown must never leave the
  // previous message's body (or heading, or checks) under this one's sender.
  let view: View
  try {
    view = viewOf(id, item.opened)
  } catch (e) {
    view = {
      heading: 'Message could not be shown',
      meta: [
        ['Relay id', id],
        ['Error', describeError(e)],
      ],
      checks: [],
      body: '',
      canReply: false,
    }
  }
  const meta = view.meta.flatMap(([k, v]) => {
    const dt = document.createElement('dt')
    dt.textContent = k
    const dd = document.createElement('dd')
    dd.textContent = printable(v)
    return [dt, dd]
  })
  state.selected = id
  for (const other of state.items.values()) other.li.querySelector('button')?.removeAttribute('aria-current')
  item.li.querySelector('button')?.setAttribute('aria-current', 'true')
  $('message-h').textContent = view.heading
  $('message-meta').replaceChildren(...meta)
  $('checks').replaceChildren(...view.checks)
  $('message-body').textContent = view.body
  $<HTMLButtonElement>('reply').disabled = !view.canReply
  const el = $('message-view')
  el.hidden = false
  el.focus()
}

$('ack').addEventListener('click', () => {
  const id = state.selected
  if (id === undefined) return
  // through the relay that delivered it (never another one the page connected to since)
  const client = state.items.get(id)?.client
  void guarded('Could not acknowledge', async () => {
    if (client === undefined || client !== state.client)
      throw new Error('Not connected to the relay that delivered it.')
    const deleted = await client.ack([id])
    const acked = state.items.get(id)?.opened
    if (acked !== undefined && acked.status !== 'rejected') await state.verify?.acked(acked.decrypted)
    state.items.get(id)?.li.remove()
    state.items.delete(id)
    state.selected = undefined
    $('message-view').hidden = true
    updateCount()
    say(
      deleted === 1
        ? 'Message acknowledged and deleted from the relay.'
        : 'Message acknowledged; the relay no longer held it (deleted before, e.g. from another device).',
    )
    ;($('inbox').querySelector('button') ?? $('inbox-h')).focus()
  })
})

$('reply').addEventListener('click', () => {
  const item = state.selected === undefined ? undefined : state.items.get(state.selected)
  if (item === undefined || item.opened.status === 'rejected') return
  const parent = item.opened.decrypted.message
  state.replyParent = parent
  $<HTMLInputElement>('to').value = parent.sender
  $<HTMLInputElement>('to').readOnly = true
  const note = $('reply-note')
  note.hidden = false
  note.textContent = `Replying to ${printable(parent.body.type)} (${printable(parent.messageId ?? 'no id')})`
  $('cancel-reply').hidden = false
  fillTemplate()
  $('body-type').focus()
})

function cancelReply(): void {
  state.replyParent = undefined
  $<HTMLInputElement>('to').readOnly = false
  $('reply-note').hidden = true
  $('cancel-reply').hidden = true
}
$('cancel-reply').addEventListener('click', cancelReply)

// ---- compose -------------------------------------------------------------------------------------
const typeSelect = $<HTMLSelectElement>('body-type')
for (const t of MESSAGE_BODY_TYPES) {
  const o = document.createElement('option')
  o.value = t
  o.textContent = t
  typeSelect.append(o)
}

function fillTemplate(): void {
  const id = state.identity
  const type = typeSelect.value as MessageBodyType
  const peer = $<HTMLInputElement>('to').value.trim() || 'did:kilt:light:00…'
  const me = id?.did ?? 'did:kilt:light:00…'
  const content = templateFor(type, {
    me,
    peer,
    myKeyUri: id?.authKeyUri ?? `${me}#authentication`,
    sign: (d) => (id === undefined ? `0x${'00'.repeat(64)}` : toHex(id.auth.sign(d))),
  })
  const raw = $<HTMLInputElement>('raw').checked
  $<HTMLTextAreaElement>('content').value = JSON.stringify(raw ? { type, content } : content, null, 2)
}
typeSelect.addEventListener('change', fillTemplate)
$('to').addEventListener('change', fillTemplate)
$('raw').addEventListener('change', () => {
  const raw = $<HTMLInputElement>('raw').checked
  $('type-field').hidden = raw
  $('content-label').textContent = raw ? 'Body (JSON: { "type", "content" })' : 'Content (JSON)'
  fillTemplate()
})

$('compose-form').addEventListener('submit', (ev) => {
  ev.preventDefault()
  void guarded('Could not send', async () => {
    const identity = state.identity
    const client = state.client
    if (identity === undefined) throw new Error('Create or unlock an identity first.')
    if (client === undefined) throw new Error('Not connected to a relay.')
    const to = $<HTMLInputElement>('to').value.trim()
    validateDidUri(to)
    let parsed: unknown
    try {
      parsed = JSON.parse($<HTMLTextAreaElement>('content').value)
    } catch (e) {
      throw new Error(`The JSON is not valid: ${e instanceof Error ? e.message : String(e)}`)
    }
    const body = (
      $<HTMLInputElement>('raw').checked ? parsed : { type: typeSelect.value, content: parsed }
    ) as MessageBody
    const parent = state.replyParent
    const message =
      parent !== undefined
        ? replyTo(parent, body)
        : createMessage(body, { sender: identity.did, receiver: to as DidUri })
    const envelope = await encryptMessage(message, { keys: identity.keys })
    const receipt = await client.send(envelope)
    cancelReply()
    say(`Sent ${body.type} (relay id ${receipt.id}).`)
  })
})

// ---- start ---------------------------------------------------------------------------------------
const params = new URLSearchParams(location.search)
$<HTMLInputElement>('relay-url').value = params.get('relay') ?? 'http://127.0.0.1:8787'
fillTemplate()
void showIdentityForms().catch((e) => showError(`This browser cannot store keys: ${describeError(e)}`))
