import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/cli/free-port.js'
import { parseInvite } from '../../src/membership/invite.js'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { joinInForeground, peersOf, runCli, scratch, startCliNode } from '../helpers/cli.js'
import { waitFor } from '../helpers/wait.js'

describe('join through a hub when the admin does not listen (built CLI)', () => {
  const { nodes, tempDir, cleanUp } = scratch()
  afterAll(cleanUp)

  it('init on an admin that only dials out, a certified hub, invite, join on a fresh machine: the newcomer is certified, seen by all and answers the admin through the hub', async () => {
    const started = Date.now()
    const adminHome = await tempDir('cm-admin-')
    const adminDataDir = join(adminHome, '.clawmatrix', 'admin')
    expect((await runCli(['init', '--config', join(adminHome, 'config.json'), '--node-id', 'admin'], { env: { HOME: adminHome } })).code).toBe(0)
    const written = JSON.parse(await readFile(join(adminHome, 'config.json'), 'utf8'))
    const adminPeer = peerIdFromPrivateKey(await loadOrCreateIdentity(adminDataDir)).toString()

    const hubPort = await freePort()
    const hub = await startCliNode({ nodeId: 'hub', secret: written.secret, membership: 'certificates', admins: written.admins, listen: true, listenHost: '127.0.0.1', listenPort: 0, proxyPort: hubPort })
    nodes.push(hub)
    const adminPort = await freePort()
    const admin = await startCliNode({ ...written, dataDir: adminDataDir, listen: false, proxyPort: adminPort, peers: [{ nodeId: 'hub', url: hub.dialAddr ?? '', peerId: hub.peerId }] })
    nodes.push(admin)
    expect((await runCli(['certify', hub.peerId, '--name', 'hub', '--config', admin.configFile])).code).toBe(0)
    await waitFor('the admin to hold the hub as a certified peer', async () => (await peersOf(adminPort, adminDataDir)).some(p => p.nodeId === 'hub' && p.reachable && p.membership === 'certified'), 20_000, 200)

    const invited = Date.now()
    const issued = await runCli(['invite', '--name', 'newcomer', '--config', admin.configFile])
    expect(issued.code).toBe(0)
    const invite = parseInvite(issued.stdout.trim())
    expect(invite.issuer).toBe(adminPeer)
    expect(invite.addrs.every(a => !a.endsWith(`/p2p/${adminPeer}`))).toBe(true)
    expect(invite.addrs).toContain(hub.dialAddr)

    const newHome = await tempDir('cm-newcomer-')
    const newConfig = join(newHome, 'config.json')
    const newPort = await freePort()
    const newDataDir = join(newHome, '.clawmatrix', 'newcomer')
    const newcomer = await joinInForeground([issued.stdout.trim(), '--config', newConfig, '--api-port', String(newPort)], newHome)
    nodes.push(newcomer)
    const seen = async (apiPort: number, dataDir: string, nodeId: string): Promise<boolean> =>
      (await peersOf(apiPort, dataDir)).some(p => p.nodeId === nodeId && p.reachable && p.membership === 'certified')
    await waitFor('every node to list the newcomer as a connected, certified member, and the newcomer them', async () =>
      await seen(adminPort, adminDataDir, 'newcomer') && await seen(hubPort, join(hub.dir, 'data'), 'newcomer') &&
      await seen(newPort, newDataDir, 'admin') && await seen(newPort, newDataDir, 'hub'), 50_000, 200)
    expect((await peersOf(adminPort, adminDataDir)).find(p => p.nodeId === 'newcomer')).toMatchObject({ path: 'relayed', reachableVia: 'hub' })
    // a tool call from the admin is answered by the newcomer (its tool proxy is off by default)
    const exec = await runCli(['exec', '--config', admin.configFile, 'newcomer', '--', 'true'])
    expect(exec).toEqual({ code: 1, stdout: '', stderr: 'error [disabled]: tool proxy disabled on newcomer\n' })
    const done = Date.now()
    console.log(`join through the hub: invite -> newcomer certified, seen by all and answering the admin in ${done - invited} ms (${done - started} ms from init)`)

    // the config join wrote: the hub as its one peer, not the circuit to the admin
    const joined = JSON.parse(await readFile(newConfig, 'utf8'))
    expect(joined).toMatchObject({ nodeId: 'newcomer', secret: written.secret, membership: 'certificates', admins: written.admins })
    expect(joined.peers).toEqual([{ peerId: hub.peerId, url: expect.stringMatching(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws$/) }])
    expect(newcomer.output()).toMatch(new RegExp(`^joined as newcomer: certificate from ${adminPeer}`, 'm'))
  }, 120_000)
})
