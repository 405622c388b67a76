import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const PLUGIN_ENTRY = fileURLToPath(new URL('../../../dist/src/openclaw/index.js', import.meta.url))

/**
 * OpenClaw loads a plugin's entry with `require()`, which refuses an ES module graph that has a
 * top-level await anywhere in it (ERR_REQUIRE_ASYNC_MODULE). Built code: `npm run build` first.
 */
describe('the plugin entry', () => {
  it('loads through require(), as OpenClaw loads it', async () => {
    const child = spawn(process.execPath, ['-e', `const entry = require(${JSON.stringify(PLUGIN_ENTRY)}); process.stdout.write(typeof (entry.default ?? entry).register)`], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    expect(err).not.toMatch(/ERR_REQUIRE_ASYNC_MODULE/)
    expect(code).toBe(0)
    expect(out).toBe('function')
  })
})
