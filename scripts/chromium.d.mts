/** Types of `chromium.mjs` (the browser tests' Chromium path and flags). */
/** Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export declare const CHROMIUM_PATH: string
/** Chromium flags for a closed network: no sandbox (root), no GPU, no background connections. */
export declare const CHROMIUM_ARGS: string[]
