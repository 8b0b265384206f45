/**
 * @module session
 * The Credential API's session start (challenge, answer, check) and its spec-1.0 envelope names.
 */
export * from './challenge.js'
export * from './envelope-v1.js'
