import { randomBytes } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { MODEL_PROTOCOL } from '../../src/model/constants.js'
import { REDEEM_PEER_ATTEMPTS, REDEEM_PROTOCOL } from '../../src/membership/invite-constants.js'
import { parseInvite } from '../../src/membership/invite.js'
import { requestRedeem } from '../../src/membership/redeem.js'
import { redeemInvite } from '../../src/membership/redeem-client.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { TestNode } from '../helpers/mesh.js'
import type { Libp2p } from '@libp2p/interface'

const running: Array<{ stop(): Promise<void> }> = []

afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => { await n.stop().catch(() => {}) }))
  await removeTempDirs()
})

async function adminHub (probationMs: number): Promise<TestNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cm-id-'))
  const admin = peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString()
  const hub = await startNode({ nodeId: 'hub', listen: true, membership: 'certificates', admins: [admin] }, { dataDir, membership: { probationMs } })
  running.push(hub)
  return hub
}

async function redeemOnce (u: Libp2p, hub: TestNode, token: Uint8Array, nodeId: string): Promise<{ code: string, message: string, certificates: Uint8Array[] }> {
  const signal = AbortSignal.timeout(5000)
  const stream = await u.dialProtocol(hub.libp2p.peerId, REDEEM_PROTOCOL, { signal })
  return await requestRedeem(stream, { token: token as Uint8Array<ArrayBuffer>, nodeId }, signal)
}

describe('the redeem protocol', () => {
  it('is the one protocol an uncertified peer may use: it redeems there, is refused elsewhere, rate-limited, and closed when probation ends', async () => {
    const hub = await adminHub(4000)
    const u = await startTestLibp2p({ listen: false })
    running.push(u)
    const invite = parseInvite((await hub.libp2p.services.invites.issue({ name: 'newcomer' })).invite)
    expect(invite).toMatchObject({ issuer: hub.peerId, admins: [hub.peerId], name: 'newcomer', secret: 'test-secret-0123456789' })
    expect(invite.addrs[0]).toBe(hub.dialAddr)

    await u.dial(hub.libp2p.getMultiaddrs()[0])
    await waitFor('u to be on probation at the hub', () => hub.status().membership.probation.includes(u.peerId.toString()))
    // a gated protocol is refused to the uncertified peer
    const model = await u.dialProtocol(hub.libp2p.peerId, MODEL_PROTOCOL).catch(() => undefined)
    if (model != null) await waitFor('the model stream to be reset', () => model.status !== 'open', 5000)

    // the invite's node id is reserved; a random token is unknown
    expect(await redeemOnce(u, hub, invite.token, 'other')).toMatchObject({ code: 'node_id_taken', message: 'this invite is for node id "newcomer", not "other"' })
    expect(await redeemOnce(u, hub, randomBytes(32), 'newcomer')).toMatchObject({ code: 'unknown_invite', certificates: [] })
    for (let i = 2; i < REDEEM_PEER_ATTEMPTS; i++) expect((await redeemOnce(u, hub, randomBytes(32), 'newcomer')).code).toBe('unknown_invite')
    // over the per-peer limit: even the right token is refused for now
    expect((await redeemOnce(u, hub, invite.token, 'newcomer')).code).toBe('rate_limited')

    // probation still runs out for a peer that only redeemed (and failed)
    await waitFor('u to be cut off', () => hub.status().membership.refused.some(r => r.peerId === u.peerId.toString()) && hub.libp2p.getConnections(u.peerId).length === 0, 10_000)
  })

  it('certifies the redeeming peer on the redeem connection, once: it is admitted at once and a second redeem says invite_used', async () => {
    const hub = await adminHub(10_000)
    const invite = parseInvite((await hub.libp2p.services.invites.issue({})).invite)
    const u = await startTestLibp2p({ listen: false })
    running.push(u)
    await u.dial(hub.libp2p.getMultiaddrs()[0])
    const answer = await redeemOnce(u, hub, invite.token, 'joiner')
    expect(answer.code).toBe('')
    expect(answer.certificates.length).toBeGreaterThanOrEqual(1)
    expect(hub.membership.standing(u.peerId.toString())).toBe('certified')
    expect(hub.status().membership.probation).not.toContain(u.peerId.toString())
    expect(hub.membership.certificates().find(c => c.subject === u.peerId.toString())).toMatchObject({ nodeId: 'joiner', issuer: hub.peerId, valid: true })

    const second = await startTestLibp2p({ listen: false })
    running.push(second)
    await second.dial(hub.libp2p.getMultiaddrs()[0])
    expect((await redeemOnce(second, hub, invite.token, 'joiner2')).code).toBe('invite_used')
  })

  it('the joiner\'s client names each refusal: expired, reserved or taken node id', async () => {
    const hub = await adminHub(10_000)
    const expired = parseInvite((await hub.libp2p.services.invites.issue({ expiresInMs: 1 })).invite)
    await waitFor('the invite to expire', () => Date.now() > expired.expiresAt)
    await expect(redeemInvite(expired, await generateKeyPair('Ed25519'), 'late')).rejects.toMatchObject({ code: 'invite_expired', message: expect.stringMatching(/^this invite has expired: ask an admin for a new one/) })
    const reserved = parseInvite((await hub.libp2p.services.invites.issue({ name: 'laptop' })).invite)
    await expect(redeemInvite(reserved, await generateKeyPair('Ed25519'), 'desktop')).rejects.toMatchObject({ code: 'node_id_taken', message: 'this invite is for node id "laptop", not "desktop"' })
    const open = parseInvite((await hub.libp2p.services.invites.issue({ uses: 2 })).invite)
    await redeemInvite(open, await generateKeyPair('Ed25519'), 'first')
    await expect(redeemInvite(open, await generateKeyPair('Ed25519'), 'first')).rejects.toMatchObject({ code: 'node_id_taken', message: expect.stringMatching(/^node id "first" belongs to another member \(12D3KooW\w+\): choose another with --node-id$/) })
    // a refused redeem takes no use
    await redeemInvite(open, await generateKeyPair('Ed25519'), 'second')
  })

  it('answers a revoked peer `revoked` (it may connect to hear it, for a moment only); a new peer may take a revoked member\'s node id', async () => {
    const hub = await adminHub(10_000)
    const lost = await generateKeyPair('Ed25519')
    const lostId = peerIdFromPrivateKey(lost).toString()
    await redeemInvite(parseInvite((await hub.libp2p.services.invites.issue({ name: 'laptop' })).invite), lost, 'laptop')
    await hub.membership.revoke({ subject: lostId, reason: 'stolen' })
    const again = parseInvite((await hub.libp2p.services.invites.issue({ name: 'laptop' })).invite)
    await expect(redeemInvite(again, lost, 'laptop')).rejects.toMatchObject({ code: 'revoked', message: expect.stringMatching(/^this machine's peer ID is revoked/) })
    // it took no use, and the revoked peer was let in on a gated protocol nowhere
    expect(hub.membership.standing(lostId)).toBe('revoked')
    await waitFor('the revoked peer\'s connection to close', () => hub.libp2p.getConnections(peerIdFromPrivateKey(lost)).length === 0, 10_000)
    const replacement = await generateKeyPair('Ed25519')
    await redeemInvite(again, replacement, 'laptop')
    expect(hub.membership.certificates().find(c => c.subject === peerIdFromPrivateKey(replacement).toString())).toMatchObject({ nodeId: 'laptop', valid: true })
  })

  it('keeps invite uses across a restart of the issuer', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cm-id-'))
    const admin = peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString()
    const config = { nodeId: 'hub', listen: true, membership: 'certificates' as const, admins: [admin] }
    let hub = await startNode(config, { dataDir })
    const invite = parseInvite((await hub.libp2p.services.invites.issue({ uses: 1 })).invite)
    const u = await startTestLibp2p({ listen: false })
    running.push(u)
    await u.dial(hub.libp2p.getMultiaddrs()[0])
    expect((await redeemOnce(u, hub, invite.token, 'joiner')).code).toBe('')
    await hub.stop()
    hub = await startNode(config, { dataDir })
    running.push(hub)
    const v = await startTestLibp2p({ listen: false })
    running.push(v)
    await v.dial(hub.libp2p.getMultiaddrs()[0])
    expect((await redeemOnce(v, hub, invite.token, 'joiner2')).code).toBe('invite_used')
    // the redeemed certificate is kept too: the joiner is still a member
    expect(hub.membership.standing(u.peerId.toString())).toBe('certified')
  })
})

describe('POST /clawmatrix/membership/invites', () => {
  async function post (node: TestNode, body: unknown, token = node.tokens.adminToken): Promise<{ status: number, body: any }> {
    const res = await fetch(`http://127.0.0.1:${node.api.port}/clawmatrix/membership/invites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })
    return { status: res.status, body: await res.json() }
  }

  it('issues with the admin token only, checks its body, and says why a node cannot issue', async () => {
    const hub = await adminHub(10_000)
    const ok = await post(hub, { name: 'laptop', expiresInMs: 3_600_000, uses: 2 })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ invite: expect.stringMatching(/^cm-invite:/), uses: 2, name: 'laptop', addrs: [hub.dialAddr] })
    expect(parseInvite(ok.body.invite).expiresAt).toBe(ok.body.expiresAt)
    expect((await post(hub, {}, hub.tokens.apiToken)).status).toBe(401)
    expect(await post(hub, { uses: 0 })).toMatchObject({ status: 400, body: { error: { message: 'uses must be a whole number from 1 to 100' } } })
    expect(await post(hub, { expiresInMs: 40 * 86_400_000 })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^expiresInMs must be a whole number of ms from 1 to/) } } })
    expect(await post(hub, { name: 'a b' })).toMatchObject({ status: 400, body: { error: { message: 'name must be 1 to 128 letters, digits and . _ : @ -' } } })

    // a member that is no admin, and an admin that listens nowhere
    const member = await startNode({ nodeId: 'm', membership: 'certificates', admins: [hub.peerId] })
    running.push(member)
    expect(await post(member, {})).toMatchObject({ status: 403, body: { error: { code: 'not_admin' } } })
    const dataDir = await mkdtemp(join(tmpdir(), 'cm-id-'))
    const self = peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString()
    const quiet = await startNode({ nodeId: 'quiet', membership: 'certificates', admins: [self] }, { dataDir })
    running.push(quiet)
    expect(await post(quiet, {})).toMatchObject({ status: 409, body: { error: { code: 'cannot_invite', message: expect.stringMatching(/listens on no address/) } } })
  })
})
