import { afterEach, describe, expect, it } from 'vitest'
import { removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { identityIn } from '../helpers/identity.js'
import type { TestNode } from '../helpers/mesh.js'

/**
 * A dial-out node that a hub denied a relay slot while it had no certificate asks that hub again
 * as soon as it is certified (a denied reservation is not asked again otherwise while the
 * connection lasts), well within the 8 s waited for here.
 */
const SLOT_WAIT_MS = 8000

const running: TestNode[] = []
async function node (...args: Parameters<typeof startNode>): Promise<TestNode> {
  const n = await startNode(...args)
  running.push(n)
  return n
}

/** `clawmatrix certify` as the CLI sends it: the admin route with the admin token */
async function certify (admin: TestNode, peerId: string, nodeId: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${admin.api.port}/clawmatrix/membership/certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.tokens.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ peerId, nodeId })
  })
  expect(res.status).toBe(200)
}

function slotOn (n: TestNode, hub: TestNode): string | undefined {
  return n.status().relays.find(r => r.peerId === hub.peerId)?.state
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => { await n.stop().catch(() => {}) }))
  await removeTempDirs()
})

describe('a relay slot denied before certification', () => {
  it('is asked for again as soon as the hub that certifies the member hands it its certificate', async () => {
    const hubId = await identityIn()
    const certs = { membership: 'certificates' as const, admins: [hubId.peerId] }
    const hub = await node({ nodeId: 'hub', listen: true, ...certs }, { dataDir: hubId.dataDir, membership: { probationMs: 30_000 } })
    const a = await node({ nodeId: 'a', peers: [{ nodeId: 'hub', url: hub.dialAddr }], ...certs })
    await waitFor('the hub to deny a a relay slot', () => slotOn(a, hub) === 'not admitted')
    expect(a.libp2p.getMultiaddrs().some(m => m.toString().includes('/p2p-circuit'))).toBe(false)

    await certify(hub, a.peerId, 'a')
    await waitFor('a relay slot for a on the hub', () => slotOn(a, hub) === 'held', SLOT_WAIT_MS)
    await waitFor('a relay address for a', () => a.libp2p.getMultiaddrs().some(m => m.toString().includes(`/p2p/${hub.peerId}/p2p-circuit`)))
  }, 60_000)

  it('is asked for again on a hub that learns the certificate from the member, when another admin certified it', async () => {
    const hubId = await identityIn()
    const adminId = await identityIn()
    const certs = { membership: 'certificates' as const, admins: [hubId.peerId, adminId.peerId] }
    const hub = await node({ nodeId: 'hub', listen: true, ...certs }, { dataDir: hubId.dataDir, membership: { probationMs: 30_000 } })
    const admin = await node({ nodeId: 'admin', listen: true, ...certs }, { dataDir: adminId.dataDir, membership: { probationMs: 30_000 } })
    const a = await node({ nodeId: 'a', peers: [{ nodeId: 'hub', url: hub.dialAddr }, { nodeId: 'admin', url: admin.dialAddr }], ...certs })
    await waitFor('the hub to deny a a relay slot', () => slotOn(a, hub) === 'not admitted')
    expect(hub.membership.standing(a.peerId)).toBe('probation')

    await certify(admin, a.peerId, 'a')
    // the hub holds no certificate of a until a shows it the one it was handed
    await waitFor('a relay slot for a on the hub', () => slotOn(a, hub) === 'held', SLOT_WAIT_MS)
    expect(hub.membership.standing(a.peerId)).toBe('certified')
    expect(hub.status().membership.probation).not.toContain(a.peerId)
  }, 60_000)
})
