import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { capabilities } from '../../src/capabilities/index.js'
import { resolveConfig } from '../../src/config/resolve.js'
import { handoffInitFromConfig, handoffService } from '../../src/handoff/index.js'
import { Router } from '../../src/router/router.js'
import { ProcessAgentRunner } from '../../src/standalone/process-agent-runner.js'
import { VERSION } from '../../src/version.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import type { CapabilitiesService } from '../../src/capabilities/index.js'
import type { ClawMatrixConfig } from '../../src/config/resolve.js'
import type { ConfigInput } from '../../src/config/schema.js'
import type { HandoffService } from '../../src/handoff/index.js'
import type { AgentRunner } from '../../src/host/ports.js'
import type { MeshContext } from '../../src/mesh/context.js'
import type { Libp2p } from '@libp2p/interface'

/**
 * The agent plane's own composition of a node for its tests: libp2p with the mesh stack, the
 * capabilities service, the handoff service with the standalone process runner, and a router.
 */

export type AgentNodeSettings = Pick<ConfigInput, 'handoffTimeout' | 'handoffConcurrency' | 'maxTaskBytes' | 'maxContextBytes' | 'maxHandoffOutputBytes'>

export interface AgentNodeInit {
  nodeId: string
  listen?: boolean
  agents?: Array<{ id: string, tags?: string[], command?: string[] }>
  settings?: AgentNodeSettings
  /** default: the process runner over `agents[].command` */
  runner?: AgentRunner
}

type AgentServices = { capabilities: CapabilitiesService, handoff: HandoffService }

export interface AgentNode extends MeshContext {
  readonly libp2p: Libp2p<AgentServices>
  readonly config: ClawMatrixConfig
  readonly handoff: HandoffService
  readonly dataDir: string
  /** an address others can dial: the listen address, or the circuit address through the hub */
  address(): string
  stop(): Promise<void>
}

/** records outlive a loaded machine's gossip delays: an expired record would close the connection */
export const RECORD_TIMING = { announceIntervalMs: 1000, recordTtlMs: 30_000 }

export async function startAgentNode (init: AgentNodeInit): Promise<AgentNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cm-handoff-'))
  const config = resolveConfig({ nodeId: init.nodeId, dataDir, agents: init.agents ?? [], ...init.settings })
  const runner = init.runner ?? new ProcessAgentRunner({ agents: config.agents, dataDir })
  const libp2p = await startTestLibp2p({
    listen: init.listen ?? false,
    services: {
      capabilities: capabilities({
        local: () => ({
          nodeId: config.nodeId,
          agents: config.agents.map(a => ({ id: a.id, description: a.description, tags: a.tags })),
          models: [],
          tags: config.tags,
          toolProxy: false,
          version: VERSION,
          load: 0
        }),
        ...RECORD_TIMING
      }),
      handoff: handoffService(handoffInitFromConfig(config, runner))
    }
  }) as unknown as Libp2p<AgentServices>
  const router = new Router({ libp2p, records: () => libp2p.services.capabilities.entries(), pinned: new Map() })
  return {
    config,
    nodeId: config.nodeId,
    libp2p,
    router,
    handoff: libp2p.services.handoff,
    dataDir,
    address: () => {
      const addrs = libp2p.getMultiaddrs().map(a => a.toString())
      return (init.listen === true ? addrs.find(a => !a.includes('/p2p-circuit')) : addrs.find(a => a.includes('/p2p-circuit'))) ?? ''
    },
    stop: async () => {
      await libp2p.stop()
      if (runner instanceof ProcessAgentRunner) runner.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}

/** Dial-out node: connect to the hub and wait for a relay reservation */
export async function joinHub (node: AgentNode, hub: AgentNode): Promise<void> {
  await node.libp2p.dial(hub.libp2p.getMultiaddrs()[0])
  await waitFor(`${node.nodeId} to hold a relay reservation`, () => node.address() !== '')
}

/** `from` dials `address` (a circuit address goes through the hub) and learns that node's record */
export async function connect (from: AgentNode, address: string): Promise<void> {
  const addr = multiaddr(address)
  const peerId = addr.getComponents().findLast(c => c.name === 'p2p')?.value ?? ''
  await from.libp2p.dial(addr)
  await waitFor(`${from.nodeId} to hold the record of ${peerId}`, () =>
    from.libp2p.services.capabilities.table.get(peerId)?.expired === false)
}

/** A hub, the given serving nodes and a caller, each serving node reached by the caller only through the hub */
export async function startAgentMesh (servers: AgentNodeInit[], caller: Partial<AgentNodeInit> = {}): Promise<{ hub: AgentNode, caller: AgentNode, servers: AgentNode[], stop(): Promise<void> }> {
  const hub = await startAgentNode({ nodeId: 'hub', listen: true })
  const nodes: AgentNode[] = [hub]
  const stop = async (): Promise<void> => { await Promise.all(nodes.map(async n => { await n.stop().catch(() => {}) })) }
  try {
    const callerNode = await startAgentNode({ nodeId: 'caller', ...caller })
    nodes.push(callerNode)
    const serving = await Promise.all(servers.map(startAgentNode))
    nodes.push(...serving)
    await Promise.all([callerNode, ...serving].map(async n => { await joinHub(n, hub) }))
    for (const server of serving) await connect(callerNode, server.address())
    return { hub, caller: callerNode, servers: serving, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
