import { readFile } from 'node:fs/promises'
import { join, dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/cli/free-port.js'
import { runCli, startCliNode, writeConfig } from '../helpers/cli.js'
import { TEST_SECRET } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { CliNode } from '../helpers/cli.js'

describe('CLI against running nodes', () => {
  let hub: CliNode
  let home: CliNode

  beforeAll(async () => {
    hub = await startCliNode({ nodeId: 'hub', secret: TEST_SECRET, listen: true, listenHost: '127.0.0.1', listenPort: 0, proxyPort: await freePort(), tags: ['public'] })
    home = await startCliNode({ nodeId: 'home', secret: TEST_SECRET, proxyPort: await freePort(), peers: [{ nodeId: 'hub', url: hub.dialAddr ?? '' }] })
  }, 40_000)
  afterAll(async () => {
    await Promise.all([hub?.stop(), home?.stop()])
  })

  it('start prints the node id, peer ID, listen address and a peers entry to paste', () => {
    expect(hub.nodeId).toBe('hub')
    expect(hub.peerId).toMatch(/^12D3KooW/)
    expect(hub.dialAddr).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/12D3KooW/)
    const paste = /^\s+(\{"nodeId":"hub".*\})$/m.exec(hub.output())?.[1]
    expect(JSON.parse(paste ?? '{}')).toEqual({ nodeId: 'hub', url: hub.dialAddr?.replace(/\/p2p\/.*$/, ''), peerId: hub.peerId })
  })

  it('status --json prints one JSON document, the same the HTTP API returns; --config goes before or after', async () => {
    await waitFor('home to see the hub', async () => {
      const r = await runCli(['status', '--json', '--config', home.configFile])
      return JSON.parse(r.stdout).peers.some((p: any) => p.nodeId === 'hub' && p.reachable)
    })
    const after = await runCli(['status', '--json', '--config', home.configFile])
    const before = await runCli(['--config', home.configFile, 'status', '--json'])
    expect(after.code).toBe(0)
    expect(after.stderr).toBe('')
    const status = JSON.parse(after.stdout)
    expect(JSON.parse(before.stdout).peerId).toBe(status.peerId)
    expect(status).toMatchObject({ nodeId: 'home', peerId: home.peerId, listen: false, agents: [], models: [], tags: [] })
    expect(status.peers[0]).toMatchObject({ nodeId: 'hub', peerId: hub.peerId, connected: true, path: 'direct', reachableVia: null, tags: ['public'] })

    const config = JSON.parse(await readFile(home.configFile, 'utf8'))
    const token = (await readFile(join(config.dataDir, 'api-token'), 'utf8')).trim()
    const res = await fetch(`http://127.0.0.1:${String(config.proxyPort)}/clawmatrix/status`, { headers: { authorization: `Bearer ${token}` } })
    const overHttp = await res.json()
    expect(Object.keys(overHttp).sort()).toEqual(Object.keys(status).sort())
    expect(overHttp.peers.map((p: any) => p.peerId)).toEqual(status.peers.map((p: any) => p.peerId))
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('peers prints the peer array as JSON', async () => {
    const r = await runCli(['peers', '--config', hub.configFile])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).map((p: any) => p.nodeId)).toEqual(['home'])
  })

  it('status prints the node and a row per peer', async () => {
    const r = await runCli(['status', '--config', home.configFile])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Node: +home \(12D3KooW/m)
    expect(r.stdout).toMatch(/│ hub +│ direct +│/)
  })

  it('the API refuses a missing or wrong token', async () => {
    const config = JSON.parse(await readFile(home.configFile, 'utf8'))
    const url = `http://127.0.0.1:${String(config.proxyPort)}/clawmatrix/peers`
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic abc' }] as Array<Record<string, string>>) {
      const res = await fetch(url, { headers })
      expect(res.status).toBe(401)
      expect((await res.json()).error.code).toBe('invalid_api_key')
    }
  })

  it('id prints the identity from dataDir', async () => {
    const r = await runCli(['id', '--json', '--config', hub.configFile])
    expect(JSON.parse(r.stdout)).toMatchObject({ nodeId: 'hub', peerId: hub.peerId, dataDir: join(dirname(hub.configFile), 'data') })
  })
})

describe('CLI errors', () => {
  it('start without a secret exits 2 naming it', async () => {
    const r = await runCli(['start', '--config', await writeConfig({ nodeId: 'x', proxyPort: 0 })])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('secret: required to start a node')
  })

  it('a missing config file exits 2 naming the path', async () => {
    const r = await runCli(['status', '--config', '/nonexistent/cm.json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('/nonexistent/cm.json')
    const fromEnv = await runCli(['status'], { env: { CLAWMATRIX_CONFIG: '/nonexistent/env.json' } })
    expect(fromEnv.stderr).toContain('/nonexistent/env.json')
  })

  it('an invalid config exits 2 naming each field and rule', async () => {
    const r = await runCli(['start', '--config', await writeConfig({ secret: 'short', listenPort: 'x' } as any)])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('secret: must be at least 16 characters')
    expect(r.stderr).toContain('listenPort: must be a number')
  })

  it('bad flags exit 2', async () => {
    expect((await runCli(['status', '--bogus'])).code).toBe(2)
    expect((await runCli(['frobnicate'])).code).toBe(2)
  })

  it('with no node running, client commands say so and exit 1', async () => {
    const port = await freePort()
    const r = await runCli(['status', '--config', await writeConfig({ proxyPort: port })])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`Could not reach the ClawMatrix node at 127.0.0.1:${port}. Is it running?`)
    expect(r.stdout).toBe('')
  })
})
