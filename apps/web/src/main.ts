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
}

const state: {
  identity: Identity | undefined
  client: RelayClient | undefined
  subscription: Subscription | undefined
  verify: ReturnType<typeof createVerifier> | undefined
  items: Map<string, Item>
  selected: string | undefined
  replyParent: Message | undefined
} = {
  identity: undefined,
  client: undefined,
  subscription: undefined,
  verify: undefined,
  items: new Map(),
  selected: undefined,
  replyParent: undefined,
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

async function useIdentity(identity: Identity, phrase?: string): Promise<void> {
  const seen = await openSeenStore(identity.did)
  state.identity?.keys.destroy()
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
  state.identity?.keys.destroy()
  state.identity = undefined
  clearInbox()
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
  state.subscription?.close()
  state.subscription = undefined
  state.client = undefined
  $('relay-state').textContent = 'Not connected.'
}

function clearInbox(): void {
  state.items.clear()
  $('inbox').replaceChildren()
  $('message-view').hidden = true
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
  const url = $<HTMLInputElement>('relay-url').value.trim()
  const relayState = $('relay-state')
  relayState.textContent = `Connecting to ${url}…`
  await guarded(`Could not connect to the relay at ${url}`, async () => {
    const client = createRelayClient({ url, timeoutMs: 8_000 })
    try {
      await client.login({
        did: identity.did,
        keyUri: identity.authKeyUri,
        sign: (d) => identity.auth.sign(d),
      })
    } catch (e) {
      relayState.textContent = 'Not connected.'
      throw e
    }
    state.client = client
    relayState.textContent = `Logged in to ${url}. Loading the inbox…`
    let after: string | undefined
    for (let page = 0; page < 50; page++) {
      const p = await client.fetchInbox(after === undefined ? { limit: 100 } : { after, limit: 100 })
      for (const m of p.messages) await receive(m.id, m.envelope)
      // a page may be short while more are queued (the relay also bounds a page in bytes): stop at an empty one
      if (p.cursor === null || p.messages.length === 0) break
      after = p.cursor
    }
    state.subscription = client.subscribe((m) => receive(m.id, m.envelope), {
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

async function receive(id: string, envelope: unknown): Promise<void> {
  const verify = state.verify
  if (verify === undefined || state.items.has(id)) return
  const opened = await verify(envelope, id)
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
    sub.textContent = `from ${printable(m.sender.slice(0, 30))}… · ${new Date(m.createdAt ?? 0).toLocaleString()}`
    badge.textContent = opened.status === 'ok' ? 'verified' : 'warning'
  }
  button.append(title, badge, sub)
  button.addEventListener('click', () => select(id))
  li.append(button)
  $('inbox').prepend(li)
  state.items.set(id, { id, opened, li })
  updateCount()
  say(
    opened.status === 'rejected'
      ? `A message was rejected (${opened.code}).`
      : `New message: ${title.textContent}.`,
  )
}

function select(id: string): void {
  const item = state.items.get(id)
  if (item === undefined) return
  state.selected = id
  for (const other of state.items.values()) other.li.querySelector('button')?.removeAttribute('aria-current')
  item.li.querySelector('button')?.setAttribute('aria-current', 'true')
  const view = $('message-view')
  view.hidden = false
  const meta = $('message-meta')
  const checks = $('checks')
  meta.replaceChildren()
  checks.replaceChildren()
  const add = (k: string, v: string): void => {
    const dt = document.createElement('dt')
    dt.textContent = k
    const dd = document.createElement('dd')
    dd.textContent = printable(v)
    meta.append(dt, dd)
  }
  add('Relay id', id)
  const o = item.opened
  if (o.status === 'rejected') {
    $('message-h').textContent = 'Rejected message'
    add('Error', o.code)
    add('Reason', o.reason)
    $('message-body').textContent = ''
    $<HTMLButtonElement>('reply').disabled = true
  } else {
    const m = o.decrypted.message
    $('message-h').textContent = printable(m.body.type)
    add('From', m.sender)
    add('To', m.receiver)
    add('Created', m.createdAt === undefined ? '—' : new Date(m.createdAt).toISOString())
    if (m.messageId !== undefined) add('Message id', m.messageId)
    if (m.inReplyTo !== undefined) add('In reply to', m.inReplyTo)
    for (const c of o.checks) {
      const li = document.createElement('li')
      li.className = c.ok ? 'ok' : 'bad'
      li.textContent = `${c.ok ? '✓' : '✗'} ${c.label}: ${printable(c.detail)}${c.code ? ` (${c.code})` : ''}`
      checks.append(li)
    }
    // JSON escapes C0 controls itself; bidi controls, C1 and separators still need escaping.
    $('message-body').textContent = printable(JSON.stringify(m.body, null, 2), { lineFeeds: true })
    $<HTMLButtonElement>('reply').disabled = false
  }
  view.focus()
}

$('ack').addEventListener('click', () => {
  const id = state.selected
  const client = state.client
  if (id === undefined) return
  void guarded('Could not acknowledge', async () => {
    if (client === undefined) throw new Error('Not connected to a relay.')
    await client.ack([id])
    const acked = state.items.get(id)?.opened
    if (acked !== undefined && acked.status !== 'rejected') await state.verify?.acked(acked.decrypted)
    state.items.get(id)?.li.remove()
    state.items.delete(id)
    state.selected = undefined
    $('message-view').hidden = true
    updateCount()
    say('Message acknowledged and deleted from the relay.')
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
