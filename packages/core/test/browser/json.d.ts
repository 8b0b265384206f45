/** JSON modules (the vector file), imported statically by the browser tests; typed in `vectors.ts`. */
declare module '*.json' {
  const value: unknown
  export default value
}
