import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/cli/free-port.js'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { runCli, writeConfig } from '../helpers/cli.js'
import { removeTempDirs, startNode, TEST_SECRET } from '../helpers/mesh.js'
import type { TestNode } from '../helpers/mesh.js'

describe('clawmatrix doctor from the built CLI', () => {
  let hub: TestNode
  let dir: string

  beforeAll(async () => {
    hub = await startNode({ nodeId: 'hub', listen: true })
    dir = await mkdtemp(join(tmpdir(), 'cm-doctor-cli-'))
    await loadOrCreateIdentity(join(dir, 'data'))
  }, 30_000)

  afterAll(async () => {
    await hub?.stop()
    await rm(dir, { recursive: true, force: true })
    await removeTempDirs()
  })

  it('--json: every check with name, status and message; exit 0 when nothing failed', async () => {
    const [, host, port] = /\/ip4\/([^/]+)\/tcp\/(\d+)\/ws/.exec(hub.dialAddr) ?? []
    const file = await writeConfig({ nodeId: 'me', secret: TEST_SECRET, proxyPort: await freePort(), peers: [{ nodeId: 'hub', url: `ws://${host}:${port}`, peerId: hub.peerId }] }, dir)
    const { code, stdout } = await runCli(['doctor', '--config', file, '--json'], { timeoutMs: 30_000 })
    const report = JSON.parse(stdout)
    expect(report.ok).toBe(true)
    for (const check of report.checks) {
      expect(check).toEqual({ name: expect.any(String), status: expect.stringMatching(/^(ok|warn|fail)$/), message: expect.any(String), ...(check.fix != null ? { fix: expect.any(String) } : {}) })
    }
    expect(report.checks.map((c: any) => `${String(c.name)} ${String(c.status)}`)).toContain('peer hub: members ok')
    expect(code).toBe(0)
  }, 40_000)

  it('one line per check with its fix; exit 1 when a check failed', async () => {
    const file = await writeConfig({ nodeId: 'me', secret: TEST_SECRET, proxyPort: await freePort(), peers: [{ nodeId: 'gone', url: `ws://127.0.0.1:${await freePort()}` }] }, dir)
    const { code, stdout } = await runCli(['doctor', '--config', file], { timeoutMs: 30_000 })
    expect(stdout).toMatch(/^ok {4}config: /m)
    expect(stdout).toMatch(/^fail {2}peer gone: tcp: TCP to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)\n {6}fix: start the peer with listen: true/m)
    expect(code).toBe(1)
  }, 40_000)

  it('a config that start refuses: each problem a fail line with its fix, exit 1', async () => {
    const file = join(dir, 'bad.json')
    await writeFile(file, JSON.stringify({ nodeId: 'me', secret: 'short', peers: [{ url: 'http://nope' }], colour: 'red' }))
    const { code, stdout } = await runCli(['doctor', '--config', file, '--json'], { timeoutMs: 30_000 })
    const report = JSON.parse(stdout)
    expect(report.ok).toBe(false)
    expect(report.checks.map((c: any) => [c.status, c.message])).toEqual(expect.arrayContaining([
      ['fail', 'secret: must be at least 16 characters'],
      ['fail', 'colour: unknown field']
    ]))
    expect(report.checks.every((c: any) => c.status !== 'fail' || typeof c.fix === 'string')).toBe(true)
    expect(code).toBe(1)
  }, 40_000)
})
