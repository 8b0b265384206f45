/**
 * @module resolver
 * DID resolvers: offline light DIDs, an in-memory registry, the W3C DID Resolution HTTP binding,
 * an adapter around the official SDK, and their composition. `resolve` returns failures as data;
 * `resolveKey` throws coded `MessagingError`s (spec §7.6).
 */
export { type ComposeResolversOptions, composeResolvers, defaultResolver } from './compose.js'
export { createHttpResolver, type HttpResolverOptions } from './http.js'
export { createLightResolver, type LightResolverOptions } from './light.js'
export {
  createRegistryResolver,
  MAX_REGISTRY_ENTRIES,
  type RegistryResolverOptions,
  registryFromJson,
} from './registry.js'
export { createSdkResolver, type SdkResolverOptions } from './sdk.js'
