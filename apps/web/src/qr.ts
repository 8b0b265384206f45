/** @module web/qr — draws a DID as a QR code on a canvas (the `qrcode` package). */
import QRCode from 'qrcode'

/** Draws `text` on `canvas`; rejects when no QR library is available. */
export async function drawQr(canvas: HTMLCanvasElement, text: string): Promise<void> {
  await QRCode.toCanvas(canvas, text, { errorCorrectionLevel: 'L', margin: 2, width: 240 })
}
