#!/usr/bin/env node
// Writes openclaw.plugin.json from the compiled config schema (run after `tsc`).
// `--check` exits 1 instead of writing when the committed file differs.
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const target = `${root}openclaw.plugin.json`
const { pluginManifestText } = await import(new URL('../dist/src/openclaw/manifest.js', import.meta.url).href)
const text = pluginManifestText()

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '')
  if (committed !== text) {
    console.error('openclaw.plugin.json is out of date: run `node scripts/generate-plugin-manifest.mjs`')
    process.exit(1)
  }
} else {
  await writeFile(target, text)
  console.log(`wrote ${target}`)
}
