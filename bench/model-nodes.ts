import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { capabilities } from '../src/capabilities/index.js'
import { loadService } from '../src/capabilities/load-service.js'
import { resolveConfig } from '../src/config/resolve.js'
import { openaiRoutes } from '../src/http/routes/openai.js'
import { startApiServer } from '../src/http/server.js'
import { meshBaseServices, meshLibp2pOptions } from '../src/mesh/libp2p-options.js'
import { metricsLabelsFromConfig, nodeMetrics } from '../src/metrics/index.js'
import { pskFromSecret } from '../src/mesh/psk.js'
import { modelInitFromConfig, modelService } from '../src/model/index.js'
import { Router } from '../src/router/router.js'
import { httpModelBackend } from '../src/standalone/http-model-backend.js'
import { VERSION } from '../src/version.js'
import { BENCH_HOST } from './lib/node-group.js'
import { waitUntil } from './lib/wait.js'
import type { CapabilitiesService } from '../src/capabilities/index.js'
import type { LoadService } from '../src/capabilities/load-service.js'
import type { Ranking } from '../src/router/router.js'
import type { ConfigInput } from '../src/config/schema.js'
import type { ClawMatrixConfig } from '../src/config/resolve.js'
import type { ApiServer } from '../src/http/server.js'
import type { MeshContext } from '../src/mesh/context.js'
import type { NodeMetricsRegistry } from '../src/metrics/index.js'
import type { ModelService } from '../src/model/index.js'
import type { Libp2p } from '@libp2p/interface'

type ModelServices = { capabilities: CapabilitiesService, model: ModelService, load: LoadService }

export interface BenchModelNode extends MeshContext {
  readonly libp2p: Libp2p<ModelServices>
}

export const BENCH_API_TOKEN = 'bench-api-token'

/** How a bench node listens: `tcp` adds a TCP listener beside the WebSocket one */
export interface BenchListen {
  listen: boolean
  tcp?: boolean
}

/**
 * Model-plane nodes of one mesh in this process: libp2p with the mesh stack, the capabilities
 * service, the model service with the standalone HTTP backend, a router, the metrics registry a
 * node keeps by default (the mesh's counts and libp2p's own), and the OpenAI routes on a real
 * HTTP server where asked.
 */
export class ModelBenchNodes {
  private readonly nodes: Libp2p[] = []
  private readonly servers: ApiServer[] = []

  /** nodes of one mesh share `secret`; nodes in other processes join with the same one */
  constructor (private readonly secret = randomBytes(16).toString('hex')) {}

  async start (nodeId: string, listen: boolean | BenchListen, config: Omit<ConfigInput, 'nodeId'> = {}): Promise<BenchModelNode> {
    const resolved = resolveConfig({ nodeId, dataDir: '/nonexistent/bench', ...config })
    const metrics = nodeMetrics(metricsLabelsFromConfig(resolved))
    const node = await this.startLibp2p(nodeId, typeof listen === 'boolean' ? { listen } : listen, resolved, metrics)
    return { config: resolved, nodeId, libp2p: node, router: this.router(node), metrics }
  }

  /** a router on `node` ranking as `ranking` says, fed by its load service */
  router (node: Libp2p<ModelServices>, ranking: Ranking = 'least-busy'): Router {
    return new Router({ libp2p: node, records: () => node.services.capabilities.entries(), pinned: new Map(), loadOf: peerId => node.services.load.loadOf(peerId), ranking })
  }

  private async startLibp2p (nodeId: string, { listen, tcp }: BenchListen, resolved: ClawMatrixConfig, metrics: NodeMetricsRegistry): Promise<Libp2p<ModelServices>> {
    let node: Libp2p<ModelServices> | undefined
    const services = {
      ...meshBaseServices({ listen }),
      capabilities: capabilities({
        local: () => ({ nodeId, agents: [], models: node?.services.model.capabilities() ?? [], tags: [], toolProxy: false, version: VERSION, load: node?.services.model.load ?? 0 })
      }),
      model: modelService(modelInitFromConfig(resolved, httpModelBackend)),
      load: loadService({
        local: () => {
          const model = node?.services.model.liveLoad()
          return { planes: model != null ? { model: { inFlight: model.inFlight, limit: model.limit } } : {}, models: model?.models ?? new Map(), errorRate: model?.errorRate ?? 0 }
        }
      })
    }
    node = await createLibp2p({
      ...meshLibp2pOptions({
        privateKey: await generateKeyPair('Ed25519'),
        psk: await pskFromSecret(this.secret),
        listen,
        listenHost: BENCH_HOST,
        listenPort: 0,
        ...(tcp === true ? { tcpPort: 0 } : {})
      }, services as any),
      // libp2p's own metrics in the node's registry, as a node started by createClawMatrix keeps them
      metrics: prometheusMetrics({ registry: metrics.registry })
    }) as unknown as Libp2p<ModelServices>
    this.nodes.push(node)
    return node
  }

  /** `node` dials `addr` (a listen address or a circuit address) and waits to route to that node over `path` */
  async connect (node: BenchModelNode, addr: string, path: 'direct' | 'relayed'): Promise<void> {
    const target = multiaddr(addr).getComponents().findLast(c => c.name === 'p2p')?.value
    await node.libp2p.dial(multiaddr(addr))
    await waitUntil(`${node.nodeId} to route to ${target ?? addr} (${path})`, () =>
      node.router.view().some(v => v.entry.record.peerId === target && v.reach.path === path && v.entry.record.models.length > 0), { timeoutMs: 15_000 })
  }

  /** a dial-out node: connect to the hub and wait for its relay reservation */
  async joinHub (node: BenchModelNode, hubAddr: string): Promise<void> {
    await node.libp2p.dial(multiaddr(hubAddr))
    await waitUntil(`${node.nodeId} to hold a relay reservation`, () => node.libp2p.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')), { timeoutMs: 15_000 })
  }

  /** the node's OpenAI routes on loopback (port 0: any free one); returns the `/v1` base URL */
  async api (node: BenchModelNode, port = 0): Promise<string> {
    const server = await startApiServer({ host: BENCH_HOST, port, tokens: { apiToken: BENCH_API_TOKEN, adminToken: randomBytes(16).toString('hex') }, routes: () => openaiRoutes(node) })
    this.servers.push(server)
    return `http://${BENCH_HOST}:${server.port}/v1`
  }

  async stop (): Promise<void> {
    await Promise.all(this.servers.splice(0).map(async s => { await s.close() }))
    await Promise.all(this.nodes.splice(0).map(async n => { await Promise.resolve(n.stop()).catch(() => {}) }))
  }
}
