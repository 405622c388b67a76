import { multiaddr } from '@multiformats/multiaddr'
import { capabilities } from '../../src/capabilities/index.js'
import { resolveConfig } from '../../src/config/resolve.js'
import { startApiServer } from '../../src/http/server.js'
import { openaiRoutes } from '../../src/http/routes/openai.js'
import { modelInitFromConfig, modelService } from '../../src/model/index.js'
import { Router } from '../../src/router/router.js'
import { httpModelBackend } from '../../src/standalone/http-model-backend.js'
import { VERSION } from '../../src/version.js'
import { startTestLibp2p } from '../helpers/libp2p.js'
import { waitFor } from '../helpers/wait.js'
import type { CapabilitiesService } from '../../src/capabilities/index.js'
import type { ClawMatrixConfig } from '../../src/config/resolve.js'
import type { ConfigInput } from '../../src/config/schema.js'
import type { ApiServer } from '../../src/http/server.js'
import type { MeshContext } from '../../src/mesh/context.js'
import type { ModelService } from '../../src/model/index.js'
import type { Libp2p } from '@libp2p/interface'

/**
 * The model plane's own composition of nodes for its tests: libp2p with the mesh stack, the
 * capabilities service announcing the model service's models, the model service with the
 * standalone HTTP backend, a router, and on request the OpenAI routes on a real HTTP server.
 */

type ModelServices = { capabilities: CapabilitiesService, model: ModelService }

export interface ModelNode extends MeshContext {
  readonly libp2p: Libp2p<ModelServices>
  readonly config: ClawMatrixConfig
  readonly model: ModelService
  /** the circuit address through the hub (dial-out nodes) or the listen address */
  address(): string
  stop(): Promise<void>
}

export const API_TOKEN = 'model-test-api-token'
export const ADMIN_TOKEN = 'model-test-admin-token'

export interface ModelNodeOptions {
  /** the node id its records claim, when it is one no config may hold (the config keeps `nodeId`) */
  announceAs?: string
}

export async function startModelNode (nodeId: string, config: Omit<ConfigInput, 'nodeId'> = {}, listen = false, options: ModelNodeOptions = {}): Promise<ModelNode> {
  const resolved = resolveConfig({ nodeId, dataDir: '/nonexistent/model-tests', ...config })
  const announced = options.announceAs ?? nodeId
  let libp2p: Libp2p<ModelServices> | undefined
  libp2p = await startTestLibp2p({
    listen,
    services: {
      capabilities: capabilities({
        local: () => ({
          nodeId: announced,
          agents: [],
          models: libp2p?.services.model.capabilities() ?? [],
          tags: [],
          toolProxy: false,
          version: VERSION,
          load: libp2p?.services.model.load ?? 0
        }),
        announceIntervalMs: 400,
        recordTtlMs: 1500
      }),
      model: modelService(modelInitFromConfig(resolved, httpModelBackend))
    }
  }) as unknown as Libp2p<ModelServices>
  const node = libp2p
  return {
    config: resolved,
    nodeId: announced,
    libp2p: node,
    model: node.services.model,
    router: new Router({ libp2p: node, records: () => node.services.capabilities.entries(), pinned: new Map() }),
    address: () => {
      const addrs = node.getMultiaddrs().map(a => a.toString())
      return (listen ? addrs.find(a => !a.includes('/p2p-circuit')) : addrs.find(a => a.includes('/p2p-circuit'))) ?? ''
    },
    stop: async () => { await node.stop() }
  }
}

/** A listening hub; every other node only dials out to it and is reached through its relay */
export class ModelTestMesh {
  private readonly nodes: ModelNode[] = []
  private readonly servers: ApiServer[] = []
  hub?: ModelNode

  async start (): Promise<void> {
    this.hub = await startModelNode('hub', {}, true)
    this.nodes.push(this.hub)
  }

  async node (nodeId: string, config: Omit<ConfigInput, 'nodeId'> = {}, options: ModelNodeOptions = {}): Promise<ModelNode> {
    if (this.hub == null) throw new Error('start the mesh first')
    const node = await startModelNode(nodeId, config, false, options)
    this.nodes.push(node)
    await node.libp2p.dial(multiaddr(this.hub.address()))
    await waitFor(`${nodeId} to hold a relay reservation`, () => node.address() !== '')
    return node
  }

  /** `from` dials `to` through the hub and waits until its router sees `to` as relayed */
  async connect (from: ModelNode, to: ModelNode): Promise<void> {
    await from.libp2p.dial(multiaddr(to.address()))
    await waitFor(`${from.nodeId} to route to ${to.nodeId} through the relay`, () =>
      from.router.view().some(v => v.entry.record.nodeId === to.nodeId && v.reach.path === 'relayed' && v.entry.record.models.length === to.config.models.length))
  }

  /** The OpenAI routes of `node` on a real HTTP server; returns the `/v1` base URL */
  async api (node: MeshContext): Promise<string> {
    const server = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      tokens: { apiToken: API_TOKEN, adminToken: ADMIN_TOKEN },
      routes: () => openaiRoutes(node)
    })
    this.servers.push(server)
    return `http://127.0.0.1:${server.port}/v1`
  }

  async stop (): Promise<void> {
    await Promise.all(this.servers.map(async s => { await s.close() }))
    await Promise.all(this.nodes.map(async n => { await n.stop().catch(() => {}) }))
  }
}
