import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from './helpers/commands.js'
import { gatewayConfig } from './helpers/configs.js'
import { Gateway } from './helpers/gateway.js'
import { freeGatewayPort, freePort, GATEWAY_PORT_SPAN } from './helpers/ports.js'
import { installOpenClaw, packPlugin } from './helpers/setup.js'

const MESH_TIMEOUT_MS = 180_000
/** what OpenClaw itself leaves in /tmp whatever TMPDIR says */
const OPENCLAW_TMP_LEFTOVERS = ['/tmp/openclaw', `/tmp/openclaw-state-locks-${process.getuid?.() ?? 0}`]

const started = Date.now()
function progress (message: string): void {
  console.log(`[openclaw join e2e +${Math.round((Date.now() - started) / 1000)} s] ${message}`)
}

/** GET `path` from the node's own HTTP API (an `openclaw` CLI call costs 11 s and more; this polls cheaply); undefined while no node answers */
async function nodeGet (gateway: Gateway, proxyPort: number, path: string): Promise<any> {
  const token = (await readFile(join(gateway.stateDir, 'clawmatrix', 'api-token'), 'utf8').catch(() => '')).trim()
  if (token === '') return undefined
  const res = await fetch(`http://127.0.0.1:${proxyPort}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) }).catch(() => undefined)
  return res?.ok === true ? await res.json() : undefined
}

async function nodeStatus (gateway: Gateway, proxyPort: number): Promise<any> {
  return await nodeGet(gateway, proxyPort, '/clawmatrix/status')
}

function peerNamed (status: any, nodeId: string): any {
  return (status?.peers ?? []).find((peer: any) => peer.nodeId === nodeId)
}

function pluginConfig (config: any): any {
  return config.plugins.entries.clawmatrix.config
}

/**
 * Two real gateways with the packed plugin: alpha becomes the admin of a mesh with membership
 * certificates (`openclaw clawmatrix init`), beta has the plugin and no mesh settings at all and
 * joins through `openclaw clawmatrix join <invite>` alone.
 */
describe('a gateway joins a mesh with `openclaw clawmatrix join <invite>`', () => {
  let workDir: string
  let alpha: Gateway
  let beta: Gateway
  let alphaProxyPort: number
  let betaProxyPort: number
  let alphaPeerId: string
  let betaPeerId: string
  let invite: string
  const timings: Record<string, number | string> = {}

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'clawmatrix-openclaw-join-'))
    progress('installing openclaw')
    const install = await installOpenClaw()
    progress('packing the plugin')
    const packed = await packPlugin(workDir)
    timings['npm pack (with build)'] = packed.ms

    const alphaPort = await freeGatewayPort([])
    const betaPort = await freeGatewayPort([[alphaPort, alphaPort + GATEWAY_PORT_SPAN]])
    const taken: Array<[number, number]> = [[alphaPort, alphaPort + GATEWAY_PORT_SPAN], [betaPort, betaPort + GATEWAY_PORT_SPAN]]
    const meshPort = await freePort(taken)
    alphaProxyPort = await freePort([...taken, [meshPort, meshPort]])
    betaProxyPort = await freePort([...taken, [meshPort, meshPort], [alphaProxyPort, alphaProxyPort]])

    const npmCache = join(workDir, 'npm-cache')
    alpha = new Gateway({ name: 'alpha', dir: join(workDir, 'alpha'), npmCache, port: alphaPort, openclawBin: install.bin })
    beta = new Gateway({ name: 'beta', dir: join(workDir, 'beta'), npmCache, port: betaPort, openclawBin: install.bin })
    for (const gateway of [alpha, beta]) await gateway.writeConfig(gatewayConfig(gateway, {}))

    progress('installing the plugin on both gateways')
    for (const gateway of [alpha, beta]) {
      const installed = await gateway.cliOk(['plugins', 'install', `npm-pack:${packed.tarball}`, '--force', '--accept-capabilities'])
      timings[`plugins install on ${gateway.name}`] = installed.ms
    }
    // where each node listens; no secret, no membership: `init` and `join` write those
    await alpha.editConfig(config => {
      config.plugins.entries.clawmatrix.config = {
        nodeId: 'alpha',
        listenHost: '127.0.0.1',
        listenPort: meshPort,
        proxyPort: alphaProxyPort,
        toolProxy: { enabled: true, allow: ['exec'] }
      }
    })
    await beta.editConfig(config => {
      config.plugins.entries.clawmatrix.config = { proxyPort: betaProxyPort }
    })

    progress('openclaw clawmatrix init on alpha')
    const init = await alpha.cliOk(['clawmatrix', 'init'])
    console.log(`alpha's init:\n${init.stdout}`)
    alphaPeerId = /^peer ID:\s+(\S+)$/m.exec(init.stdout)?.[1] ?? ''
    timings['openclaw clawmatrix init'] = init.ms

    progress('starting the gateways')
    await Promise.all([alpha.start(), beta.start()])
    await waitFor('alpha\'s node to run', async () => await nodeStatus(alpha, alphaProxyPort), { timeoutMs: MESH_TIMEOUT_MS, intervalMs: 1000 })
    progress('alpha runs')
  })

  afterAll(async () => {
    for (const gateway of [alpha, beta]) {
      if (gateway != null) console.log(`${gateway.name}'s clawmatrix log lines:\n${(await gateway.logLines(/^(?!.*PluginInstanceUnavailableError)(?=.*(clawmatrix|reload))/, 60)).filter(line => !line.includes('res \u2713')).join('\n')}`)
    }
    await Promise.allSettled([alpha?.stop(), beta?.stop()])
    if (workDir != null) await rm(workDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 })
    for (const leftover of OPENCLAW_TMP_LEFTOVERS) await rm(leftover, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 })
    console.log('timings:', timings)
  })

  it('init made alpha the root admin of a mesh with certificates, through the config writer, keeping its settings', async () => {
    expect(alphaPeerId).toMatch(/^12D3KooW/)
    const written = pluginConfig(await alpha.readConfig())
    expect(written).toMatchObject({ nodeId: 'alpha', listen: true, listenPort: expect.any(Number), proxyPort: alphaProxyPort, membership: 'certificates', admins: [alphaPeerId], toolProxy: { enabled: true } })
    expect(written.secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const status = await nodeStatus(alpha, alphaProxyPort)
    expect(status.membership).toMatchObject({ mode: 'certificates', canCertify: true })
    expect(status.peerId).toBe(alphaPeerId)
  })

  it('says beta is not in a mesh before it joins', async () => {
    const result = await beta.cli(['clawmatrix', 'members'])
    expect(result.stdout).toMatch(/ClawMatrix is not running on this gateway \(disabled\): no secret set/)
    expect(result.code).not.toBe(0)
  })

  it('prints an invite on alpha with `openclaw clawmatrix invite`, and the warning that it is a secret', async () => {
    const result = await alpha.cliOk(['clawmatrix', 'invite', '--name', 'beta', '--expires', '1h'])
    timings['openclaw clawmatrix invite'] = result.ms
    invite = /^cm-invite:\S+$/m.exec(result.stdout)?.[0] ?? ''
    expect(invite).not.toBe('')
    expect(result.stderr).toContain('warning: this invite contains the cluster secret: send it privately')
  })

  it('joins beta with `openclaw clawmatrix join <invite>` alone: beta\'s config gets the mesh settings, merged', async () => {
    const before = await beta.readConfig()
    const result = await beta.cliOk(['clawmatrix', 'join', invite])
    timings['openclaw clawmatrix join'] = result.ms
    console.log(`beta's join:\n${result.stdout}`)
    expect(result.stdout).toContain(`joined as beta: certificate from ${alphaPeerId}`)
    const after = await beta.readConfig()
    expect(pluginConfig(after)).toMatchObject({
      proxyPort: betaProxyPort,
      nodeId: 'beta',
      secret: pluginConfig(await alpha.readConfig()).secret,
      membership: 'certificates',
      admins: [alphaPeerId],
      peers: [{ peerId: alphaPeerId, url: expect.stringContaining('/ip4/127.0.0.1/tcp/') }]
    })
    // nothing else of openclaw.json changed
    expect(after.gateway).toEqual(before.gateway)
    expect(after.logging).toEqual(before.logging)
  })

  it('brings beta up as a certified member: the reloaded node connects to alpha, and alpha lists its certificate', async () => {
    const seen = await waitFor('alpha to see beta connected and certified', async () => {
      const peer = peerNamed(await nodeStatus(alpha, alphaProxyPort), 'beta')
      return peer?.connected === true && peer.membership === 'certified' ? peer : undefined
    }, { timeoutMs: MESH_TIMEOUT_MS, intervalMs: 1000 })
    betaPeerId = seen.peerId
    const atBeta = await nodeStatus(beta, betaProxyPort)
    expect(atBeta.membership.certificate).toMatchObject({ subject: betaPeerId, nodeId: 'beta', issuer: alphaPeerId })
    expect(peerNamed(atBeta, 'alpha')).toMatchObject({ connected: true })

    const members = await alpha.cliOk(['clawmatrix', 'members'])
    timings['openclaw clawmatrix members'] = members.ms
    expect(members.stdout).toContain(`Membership: certificates, admins ${alphaPeerId}`)
    expect(members.stdout.split('\n').find(line => line.includes(betaPeerId))).toMatch(new RegExp(`beta.*${alphaPeerId}.*valid`))
  })

  it('runs a cluster tool across: cluster_exec from beta on alpha', async () => {
    const result = await beta.invokeTool('cluster_exec', { node: 'alpha', command: 'echo "MARK-joined on $HOME"' })
    const text = result.content.map((part: any) => part.text).join('')
    expect(text).toContain(`MARK-joined on ${alpha.home}`)
    expect(result.details).toMatchObject({ nodeId: 'alpha', exitCode: 0 })
  })

  it('revokes beta with `openclaw clawmatrix revoke beta`: alpha cuts it off and lists the revocation', async () => {
    const result = await alpha.cliOk(['clawmatrix', 'revoke', 'beta', '--reason', 'e2e revoke'])
    timings['openclaw clawmatrix revoke'] = result.ms
    expect(result.stdout).toMatch(new RegExp(`^revoked ${betaPeerId} at \\S+ \\(e2e revoke\\)$`, 'm'))
    await waitFor('beta to be cut off at alpha', async () => {
      const peer = peerNamed(await nodeStatus(alpha, alphaProxyPort), 'beta')
      return peer == null || peer.connected === false ? true : undefined
    }, { timeoutMs: 60_000, intervalMs: 500 })
    await waitFor('alpha to be gone at beta', async () => {
      const peer = peerNamed(await nodeStatus(beta, betaProxyPort), 'alpha')
      return peer == null || peer.connected === false ? true : undefined
    }, { timeoutMs: 60_000, intervalMs: 500 })
    const members = await nodeGet(alpha, alphaProxyPort, '/clawmatrix/membership')
    expect(members.revocations).toMatchObject([{ subject: betaPeerId, nodeId: 'beta', reason: 'e2e revoke' }])
  })
})
