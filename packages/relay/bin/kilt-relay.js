#!/usr/bin/env node
// Launcher committed as plain JavaScript so that npm can link the bin before the TypeScript build has run.
import('../dist/bin.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/dist/bin.js')) {
    console.error('kilt-relay is not built yet: run `npm run build` in the repository root')
    process.exit(1)
  }
  throw error
})
