import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Lab, HUB_IP, labUnavailable, removeStaleLabs } from './lab.js'
import { startNetnsNode, startUpstream } from './netns-node.js'
import { waitFor } from '../helpers/wait.js'
import type { NetnsNode, NsProcess } from './netns-node.js'
import type { ConfigInput } from '../../src/config/schema.js'

const unavailable = labUnavailable()
if (unavailable != null) console.warn(`test/netns skipped: ${unavailable}`)

/** bytes of model output one request moves between the pair */
const ANSWER_BYTES = 2 * 1024 * 1024
/** what the hub may carry during that request besides it: gossip, load reports, pings */
const HUB_OVERHEAD_BYTES = 256 * 1024
const UPSTREAM_PORT = 18080
const HOLE_PUNCH_PORT = 4001
const PATH_TIMEOUT_MS = 60_000

/** the config of a node that serves the `bulk` model from the upstream in its namespace */
const serving: Partial<ConfigInput> = {
  models: [{ id: 'bulk', upstream: { baseUrl: `http://127.0.0.1:${UPSTREAM_PORT}/v1` } }]
}

describe.skipIf(unavailable != null)('direct paths between NATed nodes, in network namespaces', () => {
  let lab: Lab
  let hub: NetnsNode
  const procs: Array<{ stop(): Promise<void> }> = []

  async function node (ns: string, config: ConfigInput, env: NodeJS.ProcessEnv = {}): Promise<NetnsNode> {
    const n = await startNetnsNode(ns, config, env)
    procs.push(n)
    return n
  }

  async function upstream (ns: string): Promise<NsProcess> {
    const u = await startUpstream(ns, UPSTREAM_PORT, ANSWER_BYTES)
    procs.push(u)
    return u
  }

  /** the bytes the hub's interface moves while `caller` asks `bulk` once */
  async function hubBytesOfOneAnswer (caller: NetnsNode): Promise<number> {
    const before = lab.hubBytes()
    expect(await caller.chat('bulk')).toBe(ANSWER_BYTES)
    const after = lab.hubBytes()
    return (after.rx - before.rx) + (after.tx - before.tx)
  }

  beforeAll(async () => {
    const stale = removeStaleLabs()
    if (stale.length > 0) console.warn(`removed namespaces of earlier runs that did not clean up: ${stale.join(', ')}`)
    lab = new Lab()
    hub = await node(lab.hub.ns, { nodeId: 'hub', listen: true, tcpPort: 19002 })
  })

  afterAll(async () => {
    await Promise.allSettled(procs.map(async p => { await p.stop() }))
    lab?.destroy()
  })

  it('two nodes behind the same NAT with mDNS find each other and talk directly, not through the hub', async () => {
    const router = lab.router('port-preserving')
    const [nsA, nsB] = [lab.lanNode(router, 2, 'lan-a'), lab.lanNode(router, 3, 'lan-b')]
    await upstream(nsB.ns)
    const viaHub = [{ url: `ws://${HUB_IP}:19000` }]
    const a = await node(nsA.ns, { nodeId: 'lan-a', peers: viaHub, discovery: { mdns: true } })
    await node(nsB.ns, { nodeId: 'lan-b', peers: viaHub, discovery: { mdns: true }, ...serving })

    const peer = await waitFor('lan-a to reach lan-b on the LAN', async () => {
      const p = await a.peer('lan-b')
      return p?.path === 'lan' && p.models.some(m => m.id === 'bulk') ? p : undefined
    }, PATH_TIMEOUT_MS, 500)
    expect(peer.reachableVia).toBeNull()
    // both still hold their hub connection: the records and the relay stay available
    expect((await hub.peer('lan-a'))?.path).not.toBe('unreachable')

    const hubBytes = await hubBytesOfOneAnswer(a)
    expect(hubBytes).toBeLessThan(HUB_OVERHEAD_BYTES)
    expect((await a.peer('lan-b'))?.path).toBe('lan')
  })
})
