import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { capabilities } from '../src/capabilities/index.js'
import { resolveConfig } from '../src/config/resolve.js'
import { handoffInitFromConfig, handoffService } from '../src/handoff/index.js'
import { meshBaseServices, meshLibp2pOptions } from '../src/mesh/libp2p-options.js'
import { pskFromSecret } from '../src/mesh/psk.js'
import { Router } from '../src/router/router.js'
import { ProcessAgentRunner } from '../src/standalone/process-agent-runner.js'
import { VERSION } from '../src/version.js'
import { BENCH_HOST } from './lib/node-group.js'
import { waitUntil } from './lib/wait.js'
import type { CapabilitiesService } from '../src/capabilities/index.js'
import type { HandoffService } from '../src/handoff/index.js'
import type { AgentRunner } from '../src/host/ports.js'
import type { MeshContext } from '../src/mesh/context.js'
import type { Libp2p } from '@libp2p/interface'

type HandoffServices = { capabilities: CapabilitiesService, handoff: HandoffService }

export interface BenchAgent {
  id: string
  command?: string[]
}

export interface BenchHandoffNode extends MeshContext {
  readonly libp2p: Libp2p<HandoffServices>
}

export interface HandoffNodeInit {
  secret: string
  nodeId: string
  listen: boolean
  agents?: BenchAgent[]
  /** default: the standalone process runner over `agents[].command` */
  runner?: AgentRunner
}

/**
 * An agent-plane node: libp2p with the mesh stack, the capabilities service, the handoff service
 * and a router. The runner's data dir is never written (benches do not send messages).
 */
export async function startHandoffNode (init: HandoffNodeInit): Promise<BenchHandoffNode> {
  const config = resolveConfig({ nodeId: init.nodeId, dataDir: '/nonexistent/bench', agents: init.agents ?? [] })
  const runner = init.runner ?? new ProcessAgentRunner({ agents: config.agents, dataDir: config.dataDir })
  const services = {
    ...meshBaseServices({ listen: init.listen }),
    capabilities: capabilities({
      local: () => ({ nodeId: init.nodeId, agents: config.agents.map(a => ({ id: a.id, description: '', tags: [] })), models: [], tags: [], toolProxy: false, version: VERSION, load: 0 })
    }),
    handoff: handoffService(handoffInitFromConfig(config, runner))
  }
  const libp2p = await createLibp2p(meshLibp2pOptions({
    privateKey: await generateKeyPair('Ed25519'),
    psk: await pskFromSecret(init.secret),
    listen: init.listen,
    listenHost: BENCH_HOST,
    listenPort: 0
  }, services as any)) as unknown as Libp2p<HandoffServices>
  return { config, nodeId: init.nodeId, libp2p, router: new Router({ libp2p, records: () => libp2p.services.capabilities.entries(), pinned: new Map() }) }
}

/** A dial-out node: connect to the hub and wait for a relay reservation */
export async function joinHub (node: { libp2p: Libp2p, nodeId: string }, hubAddr: string): Promise<void> {
  await node.libp2p.dial(multiaddr(hubAddr))
  await waitUntil(`${node.nodeId} to hold a relay reservation`, () => node.libp2p.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')), { timeoutMs: 15_000 })
}

/** `node` dials `addr` and waits until it routes to that peer over `path` */
export async function connectOver (node: BenchHandoffNode, addr: string, path: 'direct' | 'relayed'): Promise<void> {
  const target = multiaddr(addr)
  const peerId = target.getComponents().findLast(c => c.name === 'p2p')?.value
  await node.libp2p.dial(target)
  await waitUntil(`${node.nodeId} to route to ${peerId ?? addr} (${path})`, () =>
    node.router.view().some(v => v.entry.record.peerId === peerId && v.reach.path === path), { timeoutMs: 15_000 })
}

export function addressOf (node: { libp2p: Libp2p }, path: 'direct' | 'relayed'): string {
  const addrs = node.libp2p.getMultiaddrs().map(a => a.toString())
  const addr = path === 'direct' ? addrs.find(a => !a.includes('/p2p-circuit')) : addrs.find(a => a.includes('/p2p-circuit'))
  if (addr == null) throw new Error(`no ${path} address`)
  return addr
}
