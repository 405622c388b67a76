import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/cli/free-port.js'
import { isOtherMesh } from '../../src/cli/membership/join-mesh.js'
import { parseInvite } from '../../src/membership/invite.js'
import { peersOf, runCli, scratch, startCliNode } from '../helpers/cli.js'
import { waitFor } from '../helpers/wait.js'

describe('join --rejoin: a node offline through a secret rotation comes back with a new invite (built CLI)', () => {
  const { nodes, tempDir, cleanUp } = scratch()
  afterAll(cleanUp)

  it('keeps the identity, node id and settings, takes the new secret, and the node is a member again', async () => {
    const hubHome = await tempDir('cm-hub-')
    const hubConfig = join(hubHome, 'config.json')
    expect((await runCli(['init', '--config', hubConfig, '--node-id', 'hub'], { env: { HOME: hubHome } })).code).toBe(0)
    const written = JSON.parse(await readFile(hubConfig, 'utf8'))
    const hubPort = await freePort()
    const hubDataDir = join(hubHome, '.clawmatrix', 'hub')
    const hub = await startCliNode({ ...written, dataDir: hubDataDir, listenHost: '127.0.0.1', listenPort: 0, proxyPort: hubPort })
    nodes.push(hub)

    // beta joins, but is not running when the secret is rotated
    const betaHome = await tempDir('cm-beta-')
    const betaConfig = join(betaHome, 'config.json')
    const betaPort = await freePort()
    const first = await runCli(['invite', '--name', 'beta', '--config', hub.configFile])
    const joined = await runCli(['join', first.stdout.trim(), '--config', betaConfig, '--api-port', String(betaPort), '--no-start'], { env: { HOME: betaHome } })
    expect(joined.code).toBe(0)
    const before = JSON.parse(await readFile(betaConfig, 'utf8'))
    expect(before.secret).toBe(written.secret)

    expect((await runCli(['rotate-secret', '--at', '1s', '--config', hub.configFile])).code).toBe(0)
    const hubStatus = async (): Promise<any> => JSON.parse((await runCli(['status', '--json', '--config', hub.configFile])).stdout)
    await waitFor('the hub to switch to the new key', async () => (await hubStatus()).clusterKey?.generation === 1, 20_000, 200)

    const second = (await runCli(['invite', '--config', hub.configFile])).stdout.trim()
    const newSecret = parseInvite(second).secret
    expect(newSecret).not.toBe(written.secret)

    // without --rejoin the existing config is never touched
    const refused = await runCli(['join', second, '--config', betaConfig, '--no-start'], { env: { HOME: betaHome } })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('--rejoin')
    expect(JSON.parse(await readFile(betaConfig, 'utf8'))).toEqual(before)

    const rejoined = await runCli(['join', second, '--config', betaConfig, '--rejoin', '--no-start'], { env: { HOME: betaHome } })
    expect(rejoined.code).toBe(0)
    expect(rejoined.stdout).toContain(`updated ${betaConfig}`)
    const after = JSON.parse(await readFile(betaConfig, 'utf8'))
    expect(after).toMatchObject({ nodeId: 'beta', secret: newSecret, proxyPort: betaPort, membership: 'certificates', admins: written.admins })
    expect(after.peers.filter((p: { peerId: string }) => p.peerId === hub.peerId)).toHaveLength(1)

    const betaDataDir = join(betaHome, '.clawmatrix', 'beta')
    const beta = await startCliNode({ ...after, dataDir: betaDataDir })
    nodes.push(beta)
    expect(beta.peerId).toBe(JSON.parse((await runCli(['id', '--json', '--config', betaConfig], { env: { HOME: betaHome } })).stdout).peerId)
    await waitFor('the hub to see beta connected and certified on the new key', async () => {
      const seen = (await peersOf(hubPort, hubDataDir)).find(p => p.nodeId === 'beta')
      return seen?.reachable === true && seen.membership === 'certified'
    }, 30_000, 200)
    expect((await peersOf(betaPort, betaDataDir)).find(p => p.nodeId === 'hub')?.reachable).toBe(true)
  }, 120_000)

  it('tells a rotated secret of the same mesh from another mesh', () => {
    const invite = { secret: 'new', admins: ['admin-a'] } as any
    expect(isOtherMesh(undefined, invite)).toBe(false)
    expect(isOtherMesh({ secret: 'new' }, invite)).toBe(false)
    expect(isOtherMesh({ secret: 'old', admins: ['admin-b', 'admin-a'] }, invite)).toBe(false)
    expect(isOtherMesh({ secret: 'old', admins: ['admin-b'] }, invite)).toBe(true)
    expect(isOtherMesh({ secret: 'old' }, invite)).toBe(true)
  })
})
