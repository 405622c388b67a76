import { access, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { ROTATIONS_FILE } from '../../src/membership/constants.js'
import { parseInvite } from '../../src/membership/invite.js'
import { redeemInvite } from '../../src/membership/redeem-client.js'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { probePnet } from '../../src/mesh/pnet-probe.js'
import { pskFromSecret } from '../../src/mesh/psk.js'
import { runCli, writeConfig } from '../helpers/cli.js'
import { removeTempDirs, startNode, TEST_SECRET } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { TestNode } from '../helpers/mesh.js'
import type { ConfigInput } from '../../src/config/schema.js'
import type { ClawMatrixOptions } from '../../src/node/clawmatrix.js'
import type { Connection } from '@libp2p/interface'

const running: TestNode[] = []
async function node (config: ConfigInput, options: ClawMatrixOptions & { dataDir?: string }): Promise<TestNode> {
  const n = await startNode(config, options)
  running.push(n)
  return n
}

async function stop (n: TestNode): Promise<void> {
  running.splice(running.indexOf(n), 1)
  await n.stop()
}

async function identityIn (): Promise<{ dataDir: string, peerId: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cm-rot-'))
  return { dataDir, peerId: peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString() }
}

async function post (admin: TestNode, path: string, body: Record<string, unknown>): Promise<Response> {
  return await fetch(`http://127.0.0.1:${admin.api.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.tokens.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
}

async function exists (file: string): Promise<boolean> {
  return await access(file).then(() => true, () => false)
}

function openConnections (a: TestNode, b: TestNode): Connection[] {
  return a.libp2p.getConnections(b.libp2p.peerId).filter(c => c.status === 'open')
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => { await n.stop().catch(() => {}) }))
  await removeTempDirs()
})

describe('rotate-secret', () => {
  it('every online member reconnects under the new key (a late clock switches on finding its peers there), the revoked node learns nothing and stays out, a restarted member comes back on the new key', async () => {
    const hubId = await identityIn()
    const certs = { membership: 'certificates' as const, admins: [hubId.peerId] }
    const hub = await node({ nodeId: 'hub', listen: true, ...certs }, { dataDir: hubId.dataDir })
    const aId = await identityIn()
    const bId = await identityIn()
    const rId = await identityIn()
    for (const [id, name] of [[aId, 'a'], [bId, 'b'], [rId, 'r']] as const) {
      expect((await post(hub, '/clawmatrix/membership/certificates', { peerId: id.peerId, nodeId: name })).status).toBe(200)
    }
    const toHub = { peers: [{ nodeId: 'hub', url: hub.dialAddr }], ...certs }
    const aConfig = { nodeId: 'a', listen: true, ...toHub }
    const a = await node(aConfig, { dataDir: aId.dataDir })
    // b dials out only, and its clock is an hour late: by its clock the switch is an hour away
    const b = await node({ nodeId: 'b', ...toHub }, { dataDir: bId.dataDir, rotationClock: () => Date.now() - 3_600_000 })
    const r = await node({ nodeId: 'r', ...toHub }, { dataDir: rId.dataDir })
    await waitFor('a, b and r connected to the hub', () => [a, b, r].every(n => openConnections(hub, n).length > 0), 20_000)
    expect((await post(hub, '/clawmatrix/membership/revocations', { subject: 'r' })).status).toBe(200)
    await waitFor('r cut off', () => openConnections(hub, r).length === 0)

    // the route names what is wrong with a switch time, and needs the admin token
    for (const [body, message] of [
      [{ switchAt: Date.now() - 1000 }, /^switchAt: the switch time .* is in the past$/],
      [{ switchAt: Date.now() + 8 * 86_400_000 }, /^switchAt: the switch time .* is more than 7 days ahead$/],
      [{ switchAt: 'soon' }, /^switchAt must be ms since the epoch$/]
    ] as const) {
      const res = await post(hub, '/clawmatrix/membership/rotations', body)
      expect(res.status).toBe(400)
      expect(((await res.json()) as any).error.message).toMatch(message)
    }
    const withApiToken = await fetch(`http://127.0.0.1:${hub.api.port}/clawmatrix/membership/rotations`, { method: 'POST', headers: { authorization: `Bearer ${hub.tokens.apiToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ switchAt: Date.now() + 60_000 }) })
    expect(withApiToken.status).toBeGreaterThanOrEqual(401)
    expect(withApiToken.status).toBeLessThanOrEqual(403)
    // a member that is no admin may not rotate
    expect((await fetch(`http://127.0.0.1:${a.api.port}/clawmatrix/membership/rotations`, { method: 'POST', headers: { authorization: `Bearer ${a.tokens.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ switchAt: Date.now() + 60_000 }) })).status).toBe(403)
    expect(hub.status().clusterKey?.pending).toBeNull()

    const oldKey = hub.status().clusterKey?.fingerprint
    expect(oldKey).toMatch(/^[0-9a-f]{32}$/)
    expect(hub.status().clusterKey?.generation).toBe(0)
    const before = [...openConnections(hub, a), ...openConnections(hub, b)]
    const oldInvite = parseInvite((await hub.libp2p.services.invites.issue({})).invite)
    expect(oldInvite.secret).toBe(TEST_SECRET)

    // `clawmatrix rotate-secret --at 4s` on the hub, through its running node
    const configFile = await writeConfig({ nodeId: 'hub', secret: TEST_SECRET, dataDir: hubId.dataDir, proxyHost: '127.0.0.1', proxyPort: hub.api.port, ...certs })
    const cli = await runCli(['rotate-secret', '--at', '4s', '--json', '--config', configFile])
    expect(cli.stderr).toBe('')
    const rotation = JSON.parse(cli.stdout)
    expect(rotation).toMatchObject({ issuer: hubId.peerId, previous: oldKey, generation: 1, switchAt: expect.any(Number) })
    expect(rotation.secret).toBeUndefined()
    const switchAt: number = rotation.switchAt

    // the members learn it before the switch; the revoked node does not
    await waitFor('a and b to hold the pending rotation', () => [a, b].every(n => n.status().clusterKey?.pending?.switchAt === switchAt), 3000)
    expect(Date.now()).toBeLessThan(switchAt)
    expect(hub.status().clusterKey?.pending?.generation).toBe(1)

    await waitFor('the hub to switch', () => hub.status().clusterKey?.fingerprint !== oldKey, 10_000, 10)
    const newKey = hub.status().clusterKey?.fingerprint
    const reconnected = new Map<string, number>()
    await waitFor('a and b back on the new key, on new connections', () => {
      for (const [name, n] of [['a', a], ['b', b]] as const) {
        const fresh = openConnections(hub, n).find(c => !before.includes(c))
        if (fresh != null && !reconnected.has(name)) reconnected.set(name, Date.now())
      }
      return reconnected.size === 2
    }, 20_000, 10)
    const partitionMs = Math.max(...reconnected.values()) - switchAt
    console.log(`secret rotation: every member reconnected ${partitionMs} ms after the switch time (a ${(reconnected.get('a') ?? 0) - switchAt} ms, b with a clock an hour late ${(reconnected.get('b') ?? 0) - switchAt} ms)`)
    for (const n of [a, b]) {
      expect(n.status().clusterKey).toMatchObject({ fingerprint: newKey, generation: 1, pending: null, last: { issuer: hubId.peerId, switchAt } })
    }
    expect(before.every(c => c.status !== 'open')).toBe(true)
    // b switched when it found the hub on the new key, an hour before its own clock said so
    expect(b.status().clusterKey?.last?.appliedAt).toBeLessThan(switchAt)

    // the revoked node: nothing in its dataDir, still on the old key, no way in
    expect(await exists(join(rId.dataDir, ROTATIONS_FILE))).toBe(false)
    expect(r.status().clusterKey).toMatchObject({ fingerprint: oldKey, pending: null, last: null })
    await expect(r.libp2p.dial(multiaddr(hub.dialAddr), { signal: AbortSignal.timeout(5000) })).rejects.toThrow()
    await expect(r.libp2p.dial(multiaddr(a.dialAddr), { signal: AbortSignal.timeout(5000) })).rejects.toThrow()
    expect((await probePnet(multiaddr(hub.dialAddr), await pskFromSecret(TEST_SECRET))).result).toBe('differs')
    // and its status says why it reaches nobody
    await waitFor('r to name a rotation as the likely cause', () => /the mesh rotated its secret while this node was offline, this node needs a new invite/.test(r.peers().find(p => p.nodeId === 'hub')?.lastError ?? ''), 15_000)

    // an invite from before the switch is dead, and the joiner says why; a new one carries the new secret and works
    await expect(redeemInvite(oldInvite, await generateKeyPair('Ed25519'), 'late')).rejects.toMatchObject({ code: 'invite_rotated', message: expect.stringMatching(/^this invite was issued before the mesh rotated its cluster secret/) })
    const newInvite = parseInvite((await hub.libp2p.services.invites.issue({})).invite)
    expect(newInvite.secret).not.toBe(TEST_SECRET)
    expect((await redeemInvite(newInvite, await generateKeyPair('Ed25519'), 'newcomer')).certificates.length).toBeGreaterThan(0)

    // a member restarted after the switch, its config still holding the old secret, comes back on the new key
    await stop(a)
    const a2 = await node(aConfig, { dataDir: aId.dataDir })
    expect(a2.status().clusterKey).toMatchObject({ fingerprint: newKey, generation: 1 })
    await waitFor('the restarted member connected to the hub', () => openConnections(hub, a2).length > 0, 15_000)

    // status prints the key in use, members the last rotation
    expect((await runCli(['status', '--config', configFile])).stdout).toContain(`Key:     ${newKey ?? ''} (generation 1)`)
    const members = await runCli(['members', '--config', configFile])
    expect(members.stdout).toContain(`Secret:     rotated by ${hubId.peerId}`)
  }, 90_000)
})
