import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'vitest'
import { waitFor } from './helpers/commands.js'
import { gatewayConfig } from './helpers/configs.js'
import { Gateway } from './helpers/gateway.js'
import { freeGatewayPort, freePort, GATEWAY_PORT_SPAN } from './helpers/ports.js'
import { ANTHROPIC_KEY, startFakeClaude } from './helpers/native-fakes.js'
import { installOpenClaw, packPlugin } from './helpers/setup.js'

it('reload after a host model was used', async () => {
  const t0 = Date.now()
  const log = (m: string): void => { console.log(`[probe +${Math.round((Date.now() - t0) / 1000)} s] ${m}`) }
  const workDir = await mkdtemp(join(tmpdir(), 'clawmatrix-reload-probe-'))
  const install = await installOpenClaw()
  const packed = await packPlugin(workDir)
  const claude = await startFakeClaude('/etc/hostname')
  const port = await freeGatewayPort([])
  const meshPort = await freePort([[port, port + GATEWAY_PORT_SPAN]])
  const proxyPort = await freePort([[port, port + GATEWAY_PORT_SPAN], [meshPort, meshPort]])
  const alpha = new Gateway({ name: 'alpha', dir: join(workDir, 'alpha'), npmCache: join(workDir, 'npm-cache'), port, openclawBin: install.bin, env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY } })
  await alpha.writeConfig(gatewayConfig(alpha, { models: { mode: 'merge', providers: { anthropic: { baseUrl: claude.baseUrl, api: 'anthropic-messages', models: [] } } } }))
  await alpha.cliOk(['plugins', 'install', `npm-pack:${packed.tarball}`, '--force', '--accept-capabilities'])
  log('installed')
  await alpha.editConfig(config => {
    config.plugins.entries.clawmatrix.config = { nodeId: 'alpha', secret: 'e2e-cluster-secret-0123456789', listen: true, listenHost: '127.0.0.1', listenPort: meshPort, proxyPort, models: [{ id: 'claude-e2e', provider: 'anthropic', model: 'claude-sonnet-4-5' }] }
  })
  await alpha.start()
  await waitFor('running', async () => (await alpha.call('clawmatrix.status').catch(() => undefined))?.nodeId, { timeoutMs: 300_000, intervalMs: 1000 })
  log('running')
  const token = (await readFile(join(alpha.stateDir, 'clawmatrix', 'api-token'), 'utf8')).trim()
  const res = await fetch(`http://127.0.0.1:${proxyPort}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'claude-e2e', messages: [{ role: 'user', content: 'hi MARK-probe1' }] }) })
  log(`chat: ${res.status} ${(await res.text()).slice(0, 300)}`)
  await alpha.cliOk(['config', 'set', 'plugins.entries.clawmatrix.config.tags', '["restarted"]', '--strict-json'])
  log('config changed')
  try {
    await waitFor('restarted', async () => (await alpha.call('clawmatrix.status').catch(() => undefined))?.tags?.includes('restarted') === true ? true : undefined, { timeoutMs: 120_000, intervalMs: 1000 })
    log('RESTARTED OK')
  } finally {
    console.log((await alpha.logLines(/clawmatrix|reload|retire|cleanup/, 40)).filter(l => !l.includes('res ')).join('\n'))
    await alpha.stop()
    await claude.close()
  }
}, 900_000)
