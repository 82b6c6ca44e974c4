#!/usr/bin/env node
// The `tributary` command. Runs the built CLI (dist/) when present, as in the published package;
// otherwise, inside the monorepo, runs the TypeScript source through tsx, resolving sibling
// packages to their source (the "source" export condition), so no build step is needed.
import { existsSync } from 'node:fs'
import { register } from 'node:module'

const dist = new URL('../dist/index.js', import.meta.url)

async function load() {
  if (existsSync(dist)) return import(dist.href)
  let tsx
  try {
    tsx = await import('tsx/esm/api')
  } catch {
    throw new Error('tributary: dist/ is missing and tsx is not installed; run `npm run build -w @tributary/cli` or install tsx')
  }
  tsx.register()
  register(new URL('./source-condition.js', import.meta.url))
  return import(new URL('../src/index.ts', import.meta.url).href)
}

try {
  const cli = await load()
  process.exitCode = await cli.main(process.argv)
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err))
  process.exitCode = 1
}
