/**
 * @module web/qr-fallback
 * Stand-in for the `qrcode` package when it is not installed (Vite aliases `qrcode` here then):
 * drawing fails with a clear message and the page shows the DID as text only.
 */
export class QrUnavailableError extends Error {
  override readonly name = 'QrUnavailableError'
}

export async function toCanvas(): Promise<never> {
  throw new QrUnavailableError('QR codes need the "qrcode" package, which is not installed in this build.')
}

export default { toCanvas }
