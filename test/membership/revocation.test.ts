import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { CAPABILITIES_TOPIC } from '../../src/capabilities/constants.js'
import { sealRecord } from '../../src/capabilities/record.js'
import { HANDOFF_PROTOCOL } from '../../src/handoff/constants.js'
import { writeCertificateFile } from '../../src/membership/envelope-file.js'
import { CERTIFICATES_FILE, REVOCATIONS_TOPIC } from '../../src/membership/constants.js'
import { sealRevocation } from '../../src/membership/revocation.js'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { MODEL_PROTOCOL } from '../../src/model/constants.js'
import { TOOL_PROTOCOL } from '../../src/tool/constants.js'
import { runCli, writeConfig } from '../helpers/cli.js'
import { removeTempDirs, startNode, TEST_SECRET } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { samples, total } from '../metrics/scrape.js'
import type { TestNode } from '../helpers/mesh.js'
import type { Connection, PrivateKey, Stream } from '@libp2p/interface'

const running: TestNode[] = []
async function node (...args: Parameters<typeof startNode>): Promise<TestNode> {
  const n = await startNode(...args)
  running.push(n)
  return n
}

async function stop (n: TestNode): Promise<void> {
  running.splice(running.indexOf(n), 1)
  await n.stop()
}

async function identityIn (): Promise<{ dataDir: string, peerId: string, key: PrivateKey }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cm-id-'))
  const key = await loadOrCreateIdentity(dataDir)
  return { dataDir, peerId: peerIdFromPrivateKey(key).toString(), key }
}

/** an admin route of `admin`'s API with the admin token, as the CLI sends it */
async function post (admin: TestNode, path: string, body: Record<string, unknown>): Promise<Response> {
  return await fetch(`http://127.0.0.1:${admin.api.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.tokens.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
}

async function certify (admin: TestNode, peerId: string, nodeId: string, admin_ = false): Promise<void> {
  const res = await post(admin, '/clawmatrix/membership/certificates', { peerId, nodeId, ...(admin_ ? { admin: true } : {}) })
  expect(res.status).toBe(200)
}

/**
 * whether a dial is refused: it fails, or the connection it opened is closed by the other side
 * within 2 s (the listener's gater runs after the dialer may see the connection upgraded)
 */
async function dialRefused (from: TestNode, addr: string): Promise<boolean> {
  let connection: Connection
  try {
    connection = await from.libp2p.dial(multiaddr(addr))
  } catch {
    return true
  }
  await waitFor(`the connection to ${addr} to be closed`, () => connection.status !== 'open', 2000)
  return true
}

/** whether a stream is refused: its open fails, or it is reset by the other side */
async function streamRefused (open: Promise<Stream>): Promise<boolean> {
  let stream: Stream
  try {
    stream = await open
  } catch {
    return true
  }
  await waitFor('the stream to be reset', () => stream.status !== 'open', 5000)
  return true
}

function connected (a: TestNode, b: TestNode): boolean {
  return a.libp2p.getConnections(b.libp2p.peerId).length > 0 || b.libp2p.getConnections(a.libp2p.peerId).length > 0
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => { await n.stop().catch(() => {}) }))
  await removeTempDirs()
})

describe('membership revocation', () => {
  it('revoke on the admin cuts a certified member off every node within 2 s: no reconnection, direct or relayed, no record, no stream', async () => {
    const hubId = await identityIn()
    const certs = { membership: 'certificates' as const, admins: [hubId.peerId] }
    // records live long here: what cuts r off is the revocation, not its records running out
    const timing = { recordTtlMs: 60_000 }
    const hub = await node({ nodeId: 'hub', listen: true, agents: [{ id: 'helper' }], ...certs }, { dataDir: hubId.dataDir, timing })
    const aId = await identityIn()
    const rId = await identityIn()
    await certify(hub, aId.peerId, 'a')
    await certify(hub, rId.peerId, 'r')
    const a = await node({ nodeId: 'a', listen: true, agents: [{ id: 'writer' }], peers: [{ nodeId: 'hub', url: hub.dialAddr }], ...certs }, { dataDir: aId.dataDir, timing })
    const r = await node({ nodeId: 'r', agents: [{ id: 'rogue' }], peers: [{ nodeId: 'hub', url: hub.dialAddr }, { nodeId: 'a', url: a.dialAddr }], ...certs }, { dataDir: rId.dataDir })
    await waitFor('the hub and a to route to r', () => hub.router.agents('rogue').length === 1 && a.router.agents('rogue').length === 1, 15_000)
    await waitFor('r connected to the hub and to a', () => connected(r, hub) && connected(r, a))

    // `clawmatrix revoke r` on the hub, through its running node
    const configFile = await writeConfig({ nodeId: 'hub', secret: TEST_SECRET, dataDir: hubId.dataDir, proxyHost: '127.0.0.1', proxyPort: hub.api.port, ...certs })
    const revoke = await runCli(['revoke', 'r', '--reason', 'laptop lost on a train', '--json', '--config', configFile])
    expect(revoke.stderr).toBe('')
    const revocation = JSON.parse(revoke.stdout)
    expect(revocation).toMatchObject({ subject: rId.peerId, issuer: hubId.peerId, reason: 'laptop lost on a train', revokedAt: expect.any(Number) })
    await waitFor('r to be disconnected from every node', () => !connected(r, hub) && !connected(r, a), 2000, 10)
    const cutOffMs = Date.now() - revocation.revokedAt
    console.log(`revoked peer disconnected from every node ${cutOffMs} ms after the revocation was signed`)
    expect(cutOffMs).toBeLessThan(2000)

    for (const n of [hub, a]) {
      expect(n.status().membership.revocationCount).toBe(1)
      expect(n.membership.standing(rId.peerId)).toBe('revoked')
    }
    // it still holds the cluster key and its certificate: no connection, direct or through the hub's relay
    expect(await dialRefused(r, hub.dialAddr)).toBe(true)
    expect(await dialRefused(r, a.dialAddr)).toBe(true)
    expect(await dialRefused(r, `${hub.dialAddr}/p2p-circuit/p2p/${a.peerId}`)).toBe(true)
    for (const protocol of [MODEL_PROTOCOL, HANDOFF_PROTOCOL, TOOL_PROTOCOL]) {
      expect(await streamRefused(r.libp2p.dialProtocol(multiaddr(a.dialAddr), protocol))).toBe(true)
      await expect(a.libp2p.dialProtocol(r.libp2p.peerId, protocol)).rejects.toThrow()
    }
    expect(a.libp2p.getConnections(r.libp2p.peerId)).toHaveLength(0)
    expect(hub.libp2p.getConnections(r.libp2p.peerId)).toHaveLength(0)
    // r's own redials of its peers end right after the handshake, and it says why that may be
    await waitFor('r to name the cause', () => /or was revoked/.test(r.peers().find(p => p.nodeId === 'hub')?.lastError ?? ''), 10_000)
    await waitFor('r\'s record to be gone', () => { try { return hub.router.agents('rogue').length === 0 } catch { return true } })
    expect(connected(r, hub) || connected(r, a)).toBe(false)

    // a new record r signs, relayed by a member, is refused as revoked
    const record = await sealRecord({ nodeId: 'r', peerId: rId.peerId, agents: [{ id: 'rogue' } as any], models: [], tags: [], toolProxy: false, addrs: [], version: '1', load: 0, seq: BigInt(Date.now()) * 1000n, issuedAt: Date.now() }, rId.key)
    await a.libp2p.services.pubsub.publish(CAPABILITIES_TOPIC, record)
    await waitFor('the relayed record to be refused as revoked', () => hub.status().rejectedRecords.revoked > 0)
    const scrape = await fetch(`http://127.0.0.1:${hub.api.port}/metrics`, { headers: { authorization: `Bearer ${hub.tokens.apiToken}` } })
    expect(total(samples(await scrape.text()), 'clawmatrix_records_rejected_total', { reason: 'revoked' })).toBeGreaterThan(0)

    // members lists the revocation and marks the certificate
    const members = await runCli(['members', '--config', configFile])
    expect(members.stdout).toMatch(/Revocations \(1\):/)
    const cells = (line: string): string[] => line.split('│').map(c => c.trim()).filter(c => c !== '')
    const rows = members.stdout.split('\n').map(cells)
    expect(rows).toContainEqual([rId.peerId, 'r', hubId.peerId, new Date(revocation.revokedAt).toISOString(), 'laptop lost on a train'])
    expect(rows).toContainEqual(['r', rId.peerId, '-', hubId.peerId, 'never', 'revoked'])
    expect(members.stdout).not.toMatch(/Probation/)
    expect(a.router.agents('helper')).toHaveLength(1)
  })

  it('a node offline during a certified admin\'s revocation learns it from the first member it reconnects to, and a restart keeps it', async () => {
    const hubId = await identityIn()
    const certs = { membership: 'certificates' as const, admins: [hubId.peerId] }
    const hub = await node({ nodeId: 'hub', listen: true, ...certs }, { dataDir: hubId.dataDir })
    const bId = await identityIn()
    const rId = await identityIn()
    await certify(hub, bId.peerId, 'b')
    await certify(hub, rId.peerId, 'r')
    const b = await node({ nodeId: 'b', listen: true, peers: [{ nodeId: 'hub', url: hub.dialAddr }], ...certs }, { dataDir: bId.dataDir })
    await waitFor('b to hold its certificate', () => b.status().membership.certificate?.nodeId === 'b')
    await stop(b)

    // x, an admin the hub certified, revokes r: b never met x, and learns x's certificate when it needs it
    const xId = await identityIn()
    await certify(hub, xId.peerId, 'x', true)
    const x = await node({ nodeId: 'x', peers: [{ nodeId: 'hub', url: hub.dialAddr }], ...certs }, { dataDir: xId.dataDir })
    const r = await node({ nodeId: 'r', peers: [{ nodeId: 'hub', url: hub.dialAddr }], ...certs }, { dataDir: rId.dataDir })
    await waitFor('r connected to the hub, x an admin', () => connected(r, hub) && x.status().membership.canCertify)
    await waitFor('the revocations topic to reach the hub from x', () => x.libp2p.services.pubsub.getSubscribers(REVOCATIONS_TOPIC).some(p => p.equals(hub.libp2p.peerId)))
    expect((await post(x, '/clawmatrix/membership/revocations', { subject: rId.peerId, reason: 'stolen' })).status).toBe(200)
    await waitFor('r to be cut off', () => !connected(r, hub), 2000)
    await stop(x)

    // the hub restarts on its dataDir: the revocation is still there
    await stop(hub)
    const hub2 = await node({ nodeId: 'hub', listen: true, ...certs }, { dataDir: hubId.dataDir })
    expect(hub2.status().membership.revocationCount).toBe(1)
    expect(hub2.membership.revocationList()).toEqual([expect.objectContaining({ subject: rId.peerId, nodeId: 'r', issuer: xId.peerId, reason: 'stolen' })])
    expect(await dialRefused(r, hub2.dialAddr)).toBe(true)
    expect(hub2.libp2p.getConnections(r.libp2p.peerId)).toHaveLength(0)

    // b comes back, connects to the hub only, and learns the revocation in the exchange
    const b2 = await node({ nodeId: 'b', listen: true, peers: [{ nodeId: 'hub', url: hub2.dialAddr }], ...certs }, { dataDir: bId.dataDir })
    await waitFor('b to learn the revocation', () => b2.status().membership.revocationCount === 1, 5000)
    expect(b2.status().membership.rejectedRevocations.unauthorized).toBe(0)
    expect(b2.membership.store.isAdmin(xId.peerId)).toBe(true)
    expect(b2.membership.standing(rId.peerId)).toBe('revoked')
    expect(await dialRefused(r, b2.dialAddr)).toBe(true)
    expect(b2.libp2p.getConnections(r.libp2p.peerId)).toHaveLength(0)

    // b keeps it across a restart without peers, though it keeps no certificate of x
    await stop(b2)
    const b3 = await node({ nodeId: 'b', listen: true, ...certs }, { dataDir: bId.dataDir })
    expect(b3.membership.store.isAdmin(xId.peerId)).toBe(false)
    expect(b3.membership.standing(rId.peerId)).toBe('revoked')
  })

  it('ignores a revocation signed by a member; a certified admin cannot revoke a root admin; a revoked admin\'s certificates stop being valid', async () => {
    const hubId = await identityIn()
    const certs = { membership: 'certificates' as const, admins: [hubId.peerId] }
    // records live long here: what cuts y off is its probation, not its records running out
    const hub = await node({ nodeId: 'hub', listen: true, ...certs }, { dataDir: hubId.dataDir, membership: { probationMs: 2000 }, timing: { recordTtlMs: 60_000 } })
    const xId = await identityIn()
    const mId = await identityIn()
    await certify(hub, xId.peerId, 'x', true)
    await certify(hub, mId.peerId, 'm')
    const peers = [{ nodeId: 'hub', url: hub.dialAddr }]
    const x = await node({ nodeId: 'x', ...certs, peers }, { dataDir: xId.dataDir })
    const m = await node({ nodeId: 'm', ...certs, peers }, { dataDir: mId.dataDir })
    await waitFor('x to be an admin', () => x.status().membership.canCertify)
    const yId = await identityIn()
    await certify(x, yId.peerId, 'y')
    // y starts with the certificate x issued and the chain above it in its dataDir
    await writeCertificateFile(join(yId.dataDir, CERTIFICATES_FILE), [...x.membership.store.chainOf(yId.peerId).map(s => s.envelope)])
    const y = await node({ nodeId: 'y', ...certs, peers }, { dataDir: yId.dataDir })
    await waitFor('y admitted at the hub', () => connected(y, hub) && hub.membership.standing(yId.peerId) === 'certified', 5000)
    await waitFor('the revocations topic to reach the hub from m', () => m.libp2p.services.pubsub.getSubscribers(REVOCATIONS_TOPIC).some(p => p.equals(hub.libp2p.peerId)))

    // m, a plain member, signs a revocation of y and publishes it: ignored and counted
    const forged = await sealRevocation({ subject: yId.peerId, issuer: mId.peerId, revokedAt: Date.now(), reason: 'grudge' }, mId.key)
    await m.libp2p.services.pubsub.publish(REVOCATIONS_TOPIC, forged)
    await waitFor('the hub to ignore it', () => hub.status().membership.rejectedRevocations.unauthorized === 1)
    expect(hub.status().membership.revocationCount).toBe(0)
    expect(connected(y, hub)).toBe(true)

    // x, a certified admin, cannot revoke the root admin
    const refused = await post(x, '/clawmatrix/membership/revocations', { subject: hubId.peerId })
    expect(refused.status).toBe(403)
    expect((await refused.json()).error).toMatchObject({ code: 'not_admin', message: expect.stringMatching(/only another root admin can revoke it/) })
    expect(x.status().membership.revocationCount).toBe(0)
    // an unknown node id is a 404 naming it
    const unknown = await post(hub, '/clawmatrix/membership/revocations', { subject: 'nobody' })
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error.message).toMatch(/node id "nobody"/)

    // the root admin revokes x: what x certified is no longer valid, and y is cut off too
    expect((await post(hub, '/clawmatrix/membership/revocations', { subject: 'x', reason: 'key stolen' })).status).toBe(200)
    await waitFor('x cut off', () => !connected(x, hub), 2000)
    // y has probation to find a certificate from another admin
    await waitFor('y cut off', () => !connected(y, hub), 5000)
    const doc = await (await fetch(`http://127.0.0.1:${hub.api.port}/clawmatrix/membership`, { headers: { authorization: `Bearer ${hub.tokens.apiToken}` } })).json()
    expect(doc.certificates.find((c: any) => c.subject === yId.peerId)).toMatchObject({ valid: false, problem: 'issuerRevoked' })
    expect(doc.certificates.find((c: any) => c.subject === xId.peerId)).toMatchObject({ valid: false, problem: 'revoked' })
    expect(doc.revocations).toEqual([expect.objectContaining({ subject: xId.peerId, nodeId: 'x', reason: 'key stolen' })])
    expect(hub.membership.standing(yId.peerId)).not.toBe('certified')
    expect(connected(m, hub)).toBe(true)
    expect(peerIdFromString(yId.peerId).equals(y.libp2p.peerId)).toBe(true)
  })
})
