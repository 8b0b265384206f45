/**
 * @module @kilt-messaging/cli
 * The `kilt-msg` command as a library: the program, the keystore format, armor and MIME helpers.
 */
export { buildProgram, main, VERSION } from './cli.js'
export { ARMOR_BEGIN, ARMOR_END, armor, crc24, dearmor } from './lib/armor.js'
export { readEnvelope } from './lib/envelope-input.js'
export { CLI_ERROR_CODES, CliError, type CliErrorCode, describeError, EXIT } from './lib/errors.js'
export {
  DEFAULT_SCRYPT,
  type KeystoreFile,
  type KeystoreHeader,
  type KeystoreSecrets,
  openKeystore,
  parseKeystore,
  sealKeystore,
} from './lib/keystore-format.js'
export { buildMime, KILT_MESSAGE_MEDIA_TYPE, parseMime } from './lib/mime.js'
