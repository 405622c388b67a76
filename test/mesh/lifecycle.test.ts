import { mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startCliNode } from '../helpers/cli.js'
import { FAST_TIMING, removeTempDirs, startNode, TEST_SECRET } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { CliNode } from '../helpers/cli.js'
import type { TestNode } from '../helpers/mesh.js'

const running: Array<{ stop(): Promise<unknown> }> = []

/** waits until `node` has a ping answer from `peerId`; returns that connection's id */
async function pingAnswered (node: TestNode, peerId: string): Promise<string> {
  return await waitFor(`a ping answer from ${peerId}`, () => node.libp2p.getConnections()
    .find(c => c.remotePeer.toString() === peerId && node.silentPeers.lastAnswer(c.id) != null)?.id, 15_000)
}
/** a hub whose records outlive the test, and a `clawmatrix start` child that has answered its pings */
async function hubWithAnsweringChild (): Promise<{ hub: TestNode, child: CliNode, conn: string }> {
  const hub = await startNode({ nodeId: 'hub', listen: true }, { timing: { recordTtlMs: 60_000 } })
  running.push(hub)
  const child = await startCliNode({ nodeId: 'child', secret: TEST_SECRET, proxyPort: 0, peers: [{ url: hub.dialAddr }] })
  running.push(child)
  return { hub, child, conn: await pingAnswered(hub, child.peerId) }
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => { await n.stop().catch(() => {}) }))
  await removeTempDirs()
})

describe('node lifecycle', () => {
  it('keeps its peer ID across restarts, with its keys and tokens readable only by the owner', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cm-restart-'))
    const first = await startNode({ nodeId: 'n' }, { dataDir })
    const peerId = first.peerId
    await first.stop()
    const second = await startNode({ nodeId: 'n' }, { dataDir })
    running.push(second)
    expect(second.peerId).toBe(peerId)
    for (const file of ['identity.key', 'api-token', 'admin-token']) {
      expect((await stat(join(dataDir, file))).mode & 0o777, file).toBe(0o600)
    }
  })

  it('marks a frozen node unreachable when its record expires, and a killed one at once; the rest keep working', async () => {
    const hub = await startNode({ nodeId: 'hub', listen: true })
    running.push(hub)
    const a = await startNode({ nodeId: 'a', peers: [{ url: hub.dialAddr }] })
    running.push(a)
    // the child runs with default timing: it announces every 5 s, the hub expires records after 1.5 s
    // unless the connection keeps delivering them; a frozen process delivers nothing
    const child: CliNode = await startCliNode({ nodeId: 'child', secret: TEST_SECRET, proxyPort: 0, peers: [{ url: hub.dialAddr }] })
    running.push(child)
    await waitFor('the hub to see the child', () => hub.peers().find(p => p.nodeId === 'child' && p.reachable))

    child.child.kill('SIGSTOP')
    try {
      const frozen = await waitFor('the frozen child to expire', () => hub.peers().find(p => p.nodeId === 'child' && !p.reachable), FAST_TIMING.recordTtlMs + 10_000)
      expect(frozen.path).toBe('unreachable')
    } finally {
      child.child.kill('SIGCONT')
    }
    child.child.kill('SIGKILL')
    await waitFor('the killed child to be unreachable', () => hub.peers().find(p => p.nodeId === 'child' && !p.reachable))
    expect(hub.peers().find(p => p.nodeId === 'a')).toMatchObject({ connected: true, path: 'direct' })
    expect(a.peers().find(p => p.nodeId === 'hub')).toMatchObject({ connected: true })
  }, 40_000)

  it('closes the connection to a frozen node that answers no pings, long before its record expires; it returns when thawed', async () => {
    const { hub, child } = await hubWithAnsweringChild()

    child.child.kill('SIGSTOP')
    try {
      const silent = await waitFor('the frozen child to be unreachable', () => hub.peers().find(p => p.nodeId === 'child' && !p.reachable), FAST_TIMING.silentAfterMs + 5000)
      expect(silent.path).toBe('unreachable')
      // the record is still live: the silence, not the expiry, closed the connection
      expect(hub.capabilities.table.get(child.peerId)?.expired).toBe(false)
    } finally {
      child.child.kill('SIGCONT')
    }
    await waitFor('the thawed child to reconnect', () => hub.peers().find(p => p.nodeId === 'child' && p.reachable), 15_000)
  }, 40_000)

  it('judges no connection silent while its own event loop was stalled', async () => {
    // records outlive the stall here, so only the ping watch could close the connection
    const { hub, child, conn } = await hubWithAnsweringChild()

    // three times the silence limit without running a timer or reading a socket
    const stallEnd = Date.now() + 3 * FAST_TIMING.silentAfterMs
    while (Date.now() < stallEnd) { /* stalled */ }

    await waitFor('a ping answer after the stall on the same connection', () => (hub.silentPeers.lastAnswer(conn) ?? 0) > stallEnd)
    expect(hub.libp2p.getConnections().filter(c => c.remotePeer.toString() === child.peerId).map(c => c.id)).toContain(conn)
  }, 30_000)

  it('heals after the hub restarts: dial-out nodes come back and relayed paths return', async () => {
    const hubDir = await mkdtemp(join(tmpdir(), 'cm-hub-'))
    let hub = await startNode({ nodeId: 'hub', listen: true }, { dataDir: hubDir })
    const port = Number(/\/tcp\/(\d+)\//.exec(hub.dialAddr)?.[1])
    const peers = [{ nodeId: 'hub', url: hub.dialAddr }]
    const a = await startNode({ nodeId: 'a', peers })
    const b = await startNode({ nodeId: 'b', peers })
    running.push(a, b)
    await waitFor('a to reach b through the hub', () => a.peers().find(p => p.nodeId === 'b' && p.path === 'relayed'))

    await hub.stop()
    await waitFor('a to lose b', () => a.peers().find(p => p.nodeId === 'b' && !p.reachable))
    hub = await startNode({ nodeId: 'hub', listen: true, listenPort: port }, { dataDir: hubDir })
    running.push(hub)

    await waitFor('a to reach b through the restarted hub', () => a.peers().find(p => p.nodeId === 'b' && p.path === 'relayed' && p.reachableVia === 'hub'), 20_000)
    await waitFor('b to reach a again', () => b.peers().find(p => p.nodeId === 'a' && p.reachable), 20_000)
    await waitFor('the restarted hub to reach a and b', () => hub.peers().filter(p => p.reachable && p.connected).length === 2, 20_000)
    expect(hub.peers().filter(p => p.reachable).map(p => p.nodeId).sort()).toEqual(['a', 'b'])
  }, 40_000)
})
