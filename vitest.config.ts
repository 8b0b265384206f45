import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const coreSrc = fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url))

export default defineConfig({
  resolve: { alias: { '@kilt-messaging/core': coreSrc } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'core',
          include: ['packages/core/test/**/*.test.ts'],
          exclude: ['packages/core/test/interop/**', 'packages/core/test/browser/**'],
        },
      },
      {
        extends: true,
        test: { name: 'interop', include: ['packages/core/test/interop/**/*.test.ts'], testTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'relay',
          include: ['packages/relay/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'cli',
          include: ['packages/cli/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
