import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const INDEX = new URL('../../dist/src/index.js', import.meta.url).href

/**
 * In a fresh process (built code: run `npm run build` first): the library and a backend
 * answering an OpenAI-compatible upstream resolve nothing of @openclaw/ai; the first request to
 * a translated model loads it.
 */
const SCRIPT = `
import { registerHooks } from 'node:module'
import { createServer } from 'node:http'
const loaded = new Set()
registerHooks({ resolve (specifier, context, next) { const found = next(specifier, context); if (found.url.includes('/@openclaw/ai/')) loaded.add(found.url); return found } })
const server = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"id":"x","choices":[]}') }) })
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
const base = 'http://127.0.0.1:' + server.address().port
const body = new TextEncoder().encode(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }))
const signal = new AbortController().signal
const heap = () => { globalThis.gc(); return process.memoryUsage().heapUsed }
const { httpModelBackend } = await import(${JSON.stringify(INDEX)})
const plain = httpModelBackend({ id: 'm', upstream: { api: 'openai-completions', baseUrl: base + '/v1', allowImageUrls: false } })
const answer = await plain.chat(body, { signal })
for await (const _ of answer.body) {}
const heapPlain = heap()
const afterPlain = loaded.size
const translated = httpModelBackend({ id: 'c', upstream: { api: 'anthropic-messages', baseUrl: base, apiKey: 'k', allowImageUrls: false } })
await translated.chat(body, { signal }).catch(() => {})
const heapTranslated = heap()
process.stdout.write(JSON.stringify({ afterPlain, afterTranslated: loaded.size, heapPlain, heapTranslated }))
server.close()
`

async function run (): Promise<Record<string, number>> {
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', SCRIPT], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  if (code !== 0) throw new Error(`child failed (${String(code)}): ${err}`)
  return JSON.parse(out)
}

describe('the translation is loaded lazily', () => {
  it('a node answering only OpenAI-compatible upstreams never loads @openclaw/ai; a translated model does', async () => {
    const result = await run()
    console.log(`heap after a passthrough request: ${(result.heapPlain / 1048576).toFixed(1)} MiB; after loading the translation: ${(result.heapTranslated / 1048576).toFixed(1)} MiB`)
    expect(result.afterPlain).toBe(0)
    expect(result.afterTranslated).toBeGreaterThan(0)
  })
})
