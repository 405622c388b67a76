import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { MODEL_PROTOCOL } from '../../src/model/constants.js'
import { REDEEM_PROTOCOL, REDEEM_RELAY_PEER_CIRCUITS } from '../../src/membership/invite-constants.js'
import { parseInvite } from '../../src/membership/invite.js'
import { requestRedeem } from '../../src/membership/redeem.js'
import { redeemInvite, routesOf } from '../../src/membership/redeem-client.js'
import { CERTIFICATES_FILE, sealCertificate, writeCertificateFile } from '../../src/membership/index.js'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { TestNode } from '../helpers/mesh.js'
import type { Connection, Libp2p, PrivateKey } from '@libp2p/interface'

const running: Array<{ stop(): Promise<void> }> = []

afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => { await n.stop().catch(() => {}) }))
  await removeTempDirs()
})

interface RelayedMesh {
  hub: TestNode
  /** the root admin: it only dials out, to the hub */
  admin: TestNode
  /** a certified member that is no admin, also dialing out */
  member: TestNode
}

/** a fresh dataDir holding an identity and, when `admin` signs one, its certificate as `nodeId` */
async function identity (nodeId: string, admin?: PrivateKey): Promise<{ dataDir: string, key: PrivateKey, peerId: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cm-id-'))
  const key = await loadOrCreateIdentity(dataDir)
  const peerId = peerIdFromPrivateKey(key).toString()
  if (admin != null) {
    const issuer = peerIdFromPrivateKey(admin).toString()
    const envelope = await sealCertificate({ subject: peerId, nodeId, roles: [], issuedAt: Date.now(), issuer }, admin)
    await writeCertificateFile(join(dataDir, CERTIFICATES_FILE), [envelope])
  }
  return { dataDir, key, peerId }
}

/** a listening hub and a member, certified beforehand by an admin that does not listen; resolves once the admin and the member hold a relay slot on the hub */
async function relayedMesh (adminProbationMs = 10_000): Promise<RelayedMesh> {
  const adminId = await identity('admin')
  const hubId = await identity('hub', adminId.key)
  const memberId = await identity('member', adminId.key)
  const certs = { membership: 'certificates' as const, admins: [adminId.peerId] }
  const hub = await startNode({ nodeId: 'hub', listen: true, ...certs }, { dataDir: hubId.dataDir })
  running.push(hub)
  const peers = [{ nodeId: 'hub', url: hub.dialAddr }]
  const admin = await startNode({ nodeId: 'admin', peers, ...certs }, { dataDir: adminId.dataDir, membership: { probationMs: adminProbationMs } })
  running.push(admin)
  const member = await startNode({ nodeId: 'member', peers, ...certs }, { dataDir: memberId.dataDir })
  running.push(member)
  await waitFor('the admin and the member to hold a relay slot on the hub', () =>
    [admin, member].every(n => n.libp2p.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))), 20_000)
  return { hub, admin, member }
}

function circuitTo (hub: TestNode, peerId: string): ReturnType<typeof multiaddr> {
  return multiaddr(`${hub.dialAddr}/p2p-circuit/p2p/${peerId}`)
}

async function redeemOver (connection: Connection, token: Uint8Array, nodeId: string): Promise<{ code: string }> {
  const signal = AbortSignal.timeout(5000)
  const stream = await connection.newStream(REDEEM_PROTOCOL, { signal, runOnLimitedConnection: true })
  return await requestRedeem(stream, { token: token as Uint8Array<ArrayBuffer>, nodeId }, signal)
}

async function joinerNode (): Promise<Libp2p> {
  const node = await startTestLibp2p({ listen: false })
  running.push(node)
  return node
}

describe('redeeming through a member\'s relay', () => {
  it('an admin that does not listen issues invites naming the hub; the joiner redeems through the hub\'s relay and keeps the hub as its peer', async () => {
    const { hub, admin } = await relayedMesh()
    const issued = await admin.libp2p.services.invites.issue({ name: 'newcomer' })
    const invite = parseInvite(issued.invite)
    expect(invite.issuer).toBe(admin.peerId)
    expect(invite.addrs.some(a => a.endsWith(`/p2p/${admin.peerId}`))).toBe(false)
    expect(invite.addrs[0]).toBe(`${hub.dialAddr}`)
    expect(routesOf(invite).map(r => r.what)).toEqual([`through ${hub.peerId}`])

    const key = await generateKeyPair('Ed25519')
    const redeemed = await redeemInvite(invite, key, 'newcomer')
    const joiner = peerIdFromPrivateKey(key).toString()
    expect(redeemed.addrs[0]).toBe(hub.dialAddr)
    expect(redeemed.addrs.some(a => a.includes('/p2p-circuit') || a.endsWith(admin.peerId))).toBe(false)
    expect(admin.membership.certificates().find(c => c.subject === joiner)).toMatchObject({ nodeId: 'newcomer', issuer: admin.peerId, valid: true })
    // the joiner showed its new certificate to the hub: admitted there, not refused once its probation would have run out
    await waitFor('the hub to admit the joiner', () => hub.membership.standing(joiner) === 'certified' && !hub.status().membership.probation.includes(joiner), 5000)
    // the invite was used once, wherever the joiner came from
    await expect(redeemInvite(invite, await generateKeyPair('Ed25519'), 'newcomer')).rejects.toMatchObject({ code: 'invite_used' })
  })

  it('the hub relays an uncertified peer to an admin only, on a limited circuit, a few times per source; the admin keeps it on probation and cuts it off', async () => {
    const { hub, admin, member } = await relayedMesh(3000)
    const u = await joinerNode()
    const uId = u.peerId.toString()

    // not to a member that is no admin
    await expect(u.dial(circuitTo(hub, member.peerId), { signal: AbortSignal.timeout(8000) })).rejects.toThrow()
    expect(member.libp2p.getConnections(u.peerId)).toHaveLength(0)

    // to the admin: a limited circuit, redeem only
    const connection = await u.dial(circuitTo(hub, admin.peerId), { signal: AbortSignal.timeout(8000) })
    expect(connection.limits).toBeDefined()
    await waitFor('u to be on probation at the admin', () => admin.status().membership.probation.includes(uId))
    expect((await redeemOver(connection, new Uint8Array(32), 'u')).code).toBe('unknown_invite')
    const model = await connection.newStream(MODEL_PROTOCOL, { runOnLimitedConnection: true }).catch(() => undefined)
    if (model != null) await waitFor('the model stream to be reset', () => model.status !== 'open', 5000)
    // the joiner's own connection to the hub is on probation there too
    expect(hub.status().membership.probation).toContain(uId)

    await waitFor('the admin to cut u off when probation ends', () => admin.libp2p.getConnections(u.peerId).length === 0 && admin.status().membership.refused.some(r => r.peerId === uId), 10_000)

    // per source peer: REDEEM_RELAY_PEER_CIRCUITS circuits in a window (the refused one to the member did not count)
    const v = await joinerNode()
    for (let i = 0; i < REDEEM_RELAY_PEER_CIRCUITS; i++) {
      const c = await v.dial(circuitTo(hub, admin.peerId), { signal: AbortSignal.timeout(8000) })
      await c.close()
    }
    await expect(v.dial(circuitTo(hub, admin.peerId), { signal: AbortSignal.timeout(8000) })).rejects.toThrow()
  })

  it('says issuer_offline naming each way tried when neither the issuer nor the relay reaches it', async () => {
    const { hub, admin } = await relayedMesh()
    const invite = parseInvite((await admin.libp2p.services.invites.issue({})).invite)
    await admin.stop()
    await waitFor('the hub to lose the admin', () => hub.libp2p.getConnections(admin.libp2p.peerId).length === 0)
    await expect(redeemInvite(invite, await generateKeyPair('Ed25519'), 'late')).rejects.toMatchObject({
      code: 'issuer_offline',
      message: expect.stringContaining(`(tried ${admin.peerId} through ${hub.peerId}: `)
    })
  })
})
