import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'
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

/** the config of a node that serves `model` from the upstream in its namespace (each test has its own model, so no request goes to another test's node) */
function serving (model: string): Partial<ConfigInput> {
  return { models: [{ id: model, upstream: { baseUrl: `http://127.0.0.1:${UPSTREAM_PORT}/v1` } }] }
}

/** on failure, the end of each node's output (its DEBUG lines say what DCUtR and the closer did) */
function explainOnFailure (...nodes: NetnsNode[]): void {
  onTestFailed(() => {
    for (const n of nodes) console.log(`--- ${n.nodeId} (${n.ns})\n${n.output().split('\n').slice(-150).join('\n')}`)
  })
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

  /** the bytes the hub's interface moves while `caller` asks `model` once */
  async function hubBytesOfOneAnswer (caller: NetnsNode, model: string): Promise<number> {
    const before = lab.hubBytes()
    expect(await caller.chat(model)).toBe(ANSWER_BYTES)
    const after = lab.hubBytes()
    const bytes = (after.rx - before.rx) + (after.tx - before.tx)
    console.info(`${caller.nodeId} asked ${model} for ${ANSWER_BYTES} bytes: the hub's interface moved ${bytes} bytes meanwhile`)
    return bytes
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
    const b = await node(nsB.ns, { nodeId: 'lan-b', peers: viaHub, discovery: { mdns: true }, ...serving('lan-model') })
    explainOnFailure(a, b)

    const peer = await waitFor('lan-a to reach lan-b on the LAN', async () => {
      const p = await a.peer('lan-b')
      return p?.path === 'lan' && p.models.some(m => m.id === 'lan-model') ? p : undefined
    }, PATH_TIMEOUT_MS, 500)
    expect(peer.reachableVia).toBeNull()
    // both still hold their hub connection: the records and the relay stay available
    expect((await hub.peer('lan-a'))?.path).not.toBe('unreachable')

    const hubBytes = await hubBytesOfOneAnswer(a, 'lan-model')
    expect(hubBytes).toBeLessThan(HUB_OVERHEAD_BYTES)
    expect((await a.peer('lan-b'))?.path).toBe('lan')
  })

  /** two nodes behind NATs of `kind`, each dialing the hub over TCP from HOLE_PUNCH_PORT; the second serves `model` */
  async function punchingPair (kind: 'port-preserving' | 'random-ports', names: [string, string], model: string): Promise<[NetnsNode, NetnsNode]> {
    const [nsA, nsB] = [lab.lanNode(lab.router(kind), 2, names[0]), lab.lanNode(lab.router(kind), 2, names[1])]
    await upstream(nsB.ns)
    const hubTcp = [{ url: `/ip4/${HUB_IP}/tcp/19002` }]
    const debug = { DEBUG: process.env.NETNS_DEBUG ?? 'libp2p:dcutr*,clawmatrix:mesh:hole-punch*,clawmatrix:mesh:relayed*' }
    const a = await node(nsA.ns, { nodeId: names[0], peers: hubTcp, holePunchPort: HOLE_PUNCH_PORT }, debug)
    const b = await node(nsB.ns, { nodeId: names[1], peers: hubTcp, holePunchPort: HOLE_PUNCH_PORT, ...serving(model) }, debug)
    explainOnFailure(a, b)
    return [a, b]
  }

  it('two nodes behind different port-preserving NATs punch a direct TCP path and leave the relay', async () => {
    const [a, b] = await punchingPair('port-preserving', ['punch-a', 'punch-b'], 'punch-model')
    // each learns from the hub that its NAT kept the port
    for (const n of [a, b]) {
      const punch = await waitFor(`${n.nodeId} to learn its public address`, async () => (await n.status()).holePunch?.publicAddr, PATH_TIMEOUT_MS, 500)
      expect(punch).toMatch(new RegExp(`^/ip4/11\\.0\\.0\\.\\d+/tcp/${HOLE_PUNCH_PORT}$`))
    }
    // nodes connect on demand: the first request dials punch-b through the hub, and DCUtR then
    // punches a direct path over that relayed connection
    await waitFor('punch-a to reach punch-b through the hub', async () => {
      const p = await a.peer('punch-b')
      return p?.reachable === true && p.models.some(m => m.id === 'punch-model') ? p : undefined
    }, PATH_TIMEOUT_MS, 500)
    expect(await a.chat('punch-model')).toBe(ANSWER_BYTES)
    const peer = await waitFor('punch-a to reach punch-b directly', async () => {
      const p = await a.peer('punch-b')
      return p?.path === 'direct' && p.models.some(m => m.id === 'punch-model') ? p : undefined
    }, PATH_TIMEOUT_MS, 500)
    expect(peer.reachableVia).toBeNull()
    expect(await hubBytesOfOneAnswer(a, 'punch-model')).toBeLessThan(HUB_OVERHEAD_BYTES)
    expect((await a.peer('punch-b'))?.path).toBe('direct')
  })

  it('behind NATs that pick random ports they stay relayed, and status says why', async () => {
    const [a, b] = await punchingPair('random-ports', ['random-a', 'random-b'], 'random-model')
    const peer = await waitFor('random-a to reach random-b through the hub', async () => {
      const p = await a.peer('random-b')
      return p?.path === 'relayed' && p.models.some(m => m.id === 'random-model') ? p : undefined
    }, PATH_TIMEOUT_MS, 500)
    expect(peer.reachableVia).toBe('hub')
    // the first request dials random-b through the hub; DCUtR tries over that relayed connection
    expect(await a.chat('random-model')).toBe(ANSWER_BYTES)
    for (const n of [a, b]) {
      const punch = (await n.status()).holePunch
      expect(punch?.publicAddr).toBeNull()
      expect(punch?.reason).toMatch(/the NAT changed our TCP port/)
    }
    // DCUtR ran and gave up: the side that received the relayed connection found no address to punch to
    await waitFor('a DCUtR attempt to end for want of an address', () => /DCUtR connect message had no (dialable )?multiaddrs|had no dialable multiaddrs/.test(a.output() + b.output()), PATH_TIMEOUT_MS, 250)
    // the answer comes through the hub, so the byte count above can fail
    expect(await hubBytesOfOneAnswer(a, 'random-model')).toBeGreaterThan(ANSWER_BYTES)
    expect((await a.peer('random-b'))?.path).toBe('relayed')
  })
})
