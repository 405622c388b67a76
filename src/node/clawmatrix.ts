import { join } from 'node:path'
import { createLibp2p } from 'libp2p'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { handoffThroughMesh, sendThroughMesh } from '../handoff/index.js'
import { handoffRoutes } from '../http/routes/handoff.js'
import { openaiRoutes } from '../http/routes/openai.js'
import { chat, modelInitFromConfig, modelPeersWarnings, unavailableModelWarnings } from '../model/index.js'
import { httpModelBackend } from '../standalone/http-model-backend.js'
import { ProcessAgentRunner } from '../standalone/process-agent-runner.js'
import { ConfigError } from '../config/errors.js'
import { resolveConfig } from '../config/resolve.js'
import { startApiServer } from '../http/server.js'
import { loadApiTokens } from '../http/tokens.js'
import { statusRoutes } from '../http/routes/status.js'
import { metricsRoutes } from '../http/routes/metrics.js'
import { fanOutMetrics, metricsLabelsFromConfig, nodeMetrics } from '../metrics/index.js'
import type { MeshMetrics, NodeMetricsRegistry } from '../metrics/index.js'
import { RecentActivity, statusPage } from '../status-page/index.js'
import type { StatusPageSource } from '../status-page/index.js'
import { toolRoutes } from '../http/routes/tool.js'
import { membershipRoutes } from '../http/routes/membership.js'
import { inviteRoutes } from '../http/routes/invites.js'
import { deferredGater } from '../membership/deferred-gater.js'
import { AnnouncedDialPolicy } from '../capabilities/dial-policy.js'
import { IDLE_LOAD } from '../capabilities/load-report.js'
import type { LiveLoad } from '../capabilities/load-report.js'
import { ConnectionKeeper } from '../mesh/connection-keeper.js'
import { loadOrCreateIdentity } from '../mesh/identity.js'
import { IDLE_RELAYED_CONNECTION_MS, PING_INTERVAL_MS, SILENT_AFTER_MS } from '../mesh/constants.js'
import { IdleRelayedConnections } from '../mesh/idle-relayed-connections.js'
import { HANDOFF_PROTOCOL } from '../handoff/constants.js'
import { MODEL_PROTOCOL } from '../model/constants.js'
import { TOOL_PROTOCOL } from '../tool/constants.js'
import { meshLibp2pOptions } from '../mesh/libp2p-options.js'
import { RelaySlots } from './relay-slots.js'
import { followAnnouncedPeers } from './announced-peers.js'
import { parsePeerAddress } from '../mesh/peer-address.js'
import { SecretRotations } from '../membership/secret-rotations.js'
import { ROTATIONS_FILE } from '../membership/constants.js'
import { nodeServices } from './services.js'
import type { ClawMatrixServices } from './services.js'
import { Router } from '../router/router.js'
import { invokeToolThroughMesh, isOpenToAllMembers, toolProxyWarnings } from '../tool/index.js'
import { MAX_CONCURRENT_CALLS } from '../tool/constants.js'
import { VERSION } from '../version.js'
import { peerStatuses } from './status.js'
import type { CapabilitiesService, LocalCapabilities } from '../capabilities/index.js'
import type { MembershipInit, MembershipService } from '../membership/index.js'
import type { HandoffEvent, HandoffOptions, SendOptions, SendResult } from '../handoff/index.js'
import type { ChatCompletion, ChatCompletionChunk, ChatOptions } from '../model/index.js'
import type { AgentRunner, HostPorts } from '../host/ports.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { ConfigInput } from '../config/schema.js'
import type { ApiServer } from '../http/server.js'
import type { ApiTokens } from '../http/tokens.js'
import type { Route } from '../http/route.js'
import type { MeshContext } from '../mesh/context.js'
import type { SilentPeerWatch } from '../mesh/silent-peer-watch.js'
import type { ConfiguredPeer, NodeStatus, PeerStatus } from './status.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { MeshToolOptions, MeshToolResult } from '../tool/index.js'
import type { Libp2p } from '@libp2p/interface'

const log = logger('clawmatrix:node')

/** Intervals that tests shorten; users keep the defaults */
export interface MeshTiming {
  announceIntervalMs: number
  recordTtlMs: number
  pingIntervalMs: number
  /** a connection that answers no ping for this long is closed */
  silentAfterMs: number
  minBackoffMs: number
  maxBackoffMs: number
  /** a relayed connection this node dialed that carried no request for this long is closed */
  idleConnectionMs: number
}

export const DEFAULT_TIMING: MeshTiming = {
  announceIntervalMs: 5000,
  recordTtlMs: 15_000,
  pingIntervalMs: PING_INTERVAL_MS,
  silentAfterMs: SILENT_AFTER_MS,
  minBackoffMs: 1000,
  maxBackoffMs: 60_000,
  idleConnectionMs: IDLE_RELAYED_CONNECTION_MS
}

export interface ClawMatrixOptions {
  timing?: Partial<MeshTiming>
  /** base folder of the default dataDir (default ~/.clawmatrix) */
  stateRoot?: string
  /** called with each start-up warning (default: logged) */
  onWarning?: (message: string) => void
  /** the host's models, agents and tools (default: the standalone ones) */
  host?: HostPorts
  /** keep a metrics registry and serve GET /metrics (default true; false leaves both out, as for a measurement without them) */
  metrics?: boolean
  /** membership timings (probation, refusal) that tests shorten */
  membership?: Pick<MembershipInit, 'probationMs' | 'refusedMs'>
  /** the clock secret rotations switch by (tests skew it; default Date.now) */
  rotationClock?: () => number
}

export type { ClawMatrixServices } from './services.js'

export class ClawMatrixNode implements MeshContext {
  readonly nodeId: string
  readonly peerId: string
  readonly router: Router
  readonly capabilities: CapabilitiesService
  /** what the status page shows of this node's requests, kept with or without metrics */
  readonly activity = new RecentActivity()
  /** where the planes' callers count: the metrics registry (when kept) and `activity` */
  readonly metrics: MeshMetrics
  readonly membership: MembershipService
  private readonly routes: Route[] = []
  /** `peers[]` with their addresses parsed, once */
  private readonly configured: Array<ConfiguredPeer & { addr: Multiaddr }>
  private idleRelayed?: IdleRelayedConnections

  constructor (
    readonly config: ClawMatrixConfig,
    readonly libp2p: Libp2p<ClawMatrixServices>,
    readonly api: ApiServer,
    readonly tokens: ApiTokens,
    private readonly keeper: ConnectionKeeper,
    readonly silentPeers: SilentPeerWatch,
    private readonly agentRunner: AgentRunner,
    /** this node's relay reservations hub by hub (a dial-out node's) */
    readonly relaySlots: RelaySlots,
    readonly metricsRegistry?: NodeMetricsRegistry
  ) {
    this.metrics = metricsRegistry != null ? fanOutMetrics(metricsRegistry, this.activity) : this.activity
    this.nodeId = config.nodeId
    this.peerId = libp2p.peerId.toString()
    this.capabilities = libp2p.services.capabilities
    this.membership = libp2p.services.membership
    this.configured = config.peers.map(peer => {
      const { addr, peerId } = parsePeerAddress(peer.url, peer.peerId)
      return { url: peer.url, addr, ...(peer.nodeId != null ? { nodeId: peer.nodeId } : {}), ...(peerId != null ? { peerId } : {}) }
    })
    // node id -> peer ID pins from peers[].peerId (or the /p2p/ part of the url)
    const pinned = new Map<string, string>()
    for (const peer of this.configured) {
      if (peer.nodeId != null && peer.peerId != null) pinned.set(peer.nodeId, peer.peerId)
    }
    const load = libp2p.services.load
    const lan = libp2p.services.lanDiscovery
    this.router = new Router({ libp2p, records: () => this.capabilities.entries(), pinned, loadOf: peerId => load.loadOf(peerId), ranking: config.routing, isRevoked: peerId => this.membership.standing(peerId) === 'revoked', ...(lan != null ? { isLan: conn => lan.isLan(conn) } : {}) })
  }

  /** the HTTP routes this node serves */
  httpRoutes (): Route[] {
    return this.routes
  }

  addRoutes (routes: Route[]): void {
    this.routes.push(...routes)
  }

  local (): LocalCapabilities {
    return {
      nodeId: this.nodeId,
      agents: this.config.agents.map(a => ({ id: a.id, description: a.description, tags: a.tags })),
      models: this.libp2p.services.model.capabilities(),
      tags: this.config.tags,
      toolProxy: this.config.toolProxy.enabled,
      version: VERSION,
      load: this.load()
    }
  }

  /** running requests against their limits, per plane and per model, and the model plane's recent error rate */
  liveLoad (): LiveLoad {
    const model = this.libp2p.services.model.liveLoad()
    return {
      planes: {
        model: { inFlight: model.inFlight, limit: model.limit },
        handoff: { inFlight: this.libp2p.services.handoff.running().length, limit: this.config.handoffConcurrency },
        tool: { inFlight: this.libp2p.services.tool.runningCalls(), limit: MAX_CONCURRENT_CALLS }
      },
      models: model.models,
      errorRate: model.errorRate
    }
  }

  /** running work per unit of capacity */
  private load (): number {
    const handoffs = this.libp2p.services.handoff.running().length
    return Math.max(handoffs / this.config.handoffConcurrency, this.libp2p.services.model.load)
  }

  /** one chat completion through the mesh: the parsed answer, or for `stream: true` the parsed chunks */
  async chat (request: Record<string, unknown> & { stream: true }, options?: ChatOptions): Promise<AsyncIterable<ChatCompletionChunk>>
  async chat (request: Record<string, unknown>, options?: ChatOptions): Promise<ChatCompletion>
  async chat (request: Record<string, unknown>, options?: ChatOptions): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    return await chat(this, request, options)
  }

  /** hand `task` to an agent elsewhere in the mesh: deltas as they come, then the result */
  handoff (target: string, task: string, options?: HandoffOptions): AsyncGenerator<HandoffEvent> {
    return handoffThroughMesh(this, target, task, options)
  }

  /** call `tool` on `node` (node id, peer ID or tags:<tag>); a call is never re-run elsewhere */
  async invokeTool (node: string, tool: string, args: Record<string, unknown>, options?: MeshToolOptions): Promise<MeshToolResult> {
    return await invokeToolThroughMesh(this, node, tool, args, options)
  }

  /** deliver a one-way message to an agent elsewhere in the mesh */
  async send (target: string, message: string, options?: SendOptions): Promise<SendResult> {
    return await sendThroughMesh(this, target, message, options)
  }

  /** change this node's tags and announce the change at once */
  setTags (tags: string[]): void {
    this.config.tags = [...tags]
    this.capabilities.announce()
  }

  peers (): PeerStatus[] {
    const peers = peerStatuses(this.router.view({ includeExpired: true }), this.configured, this.keeper.failures())
    if (this.membership.mode === 'open') return peers
    return peers.map(p => p.peerId != null ? { ...p, ...this.membership.peerMembership(p.peerId) } : p)
  }

  status (): NodeStatus {
    const own = this.capabilities.own() ?? { ...this.local() }
    const tp = this.config.toolProxy
    return {
      nodeId: this.nodeId,
      peerId: this.peerId,
      version: VERSION,
      listen: this.config.listen,
      listenAddrs: this.libp2p.getMultiaddrs().map(a => a.toString()),
      proxyHost: this.api.host,
      proxyPort: this.api.port,
      agents: own.agents,
      models: own.models,
      tags: this.config.tags,
      toolProxy: { enabled: tp.enabled, openToAllMembers: isOpenToAllMembers(this.config) },
      members: this.config.members?.length ?? null,
      peers: this.peers(),
      gossip: this.capabilities.gossip(),
      rejectedRecords: this.capabilities.rejected.toJSON(),
      membership: this.membership.summary(),
      clusterKey: this.membership.secretRotation(),
      relays: this.relaySlots.view(),
      holePunch: this.libp2p.services.holePunch?.view() ?? null,
      handoffs: this.libp2p.services.handoff.running(),
      modelUsage: this.libp2p.services.model.usage()
    }
  }

  async stop (): Promise<void> {
    this.keeper.stop()
    this.idleRelayed?.stop()
    this.silentPeers.stop()
    await this.api.close()
    await this.libp2p.stop()
    await this.agentRunner.stop?.()
  }

  /**
   * connect on demand: keep connections to listening members, dial the others when a request
   * needs them, and close those after `idleMs` without a request
   */
  followAnnouncedPeers (idleMs: number): void {
    this.idleRelayed ??= new IdleRelayedConnections({
      libp2p: this.libp2p,
      idleMs,
      protocols: new Set([MODEL_PROTOCOL, HANDOFF_PROTOCOL, TOOL_PROTOCOL]),
      lastRequestAt: peerId => this.router.sentHere.lastRequestAt(peerId),
      log: logger('clawmatrix:mesh:idle-relayed')
    })
    this.idleRelayed.start()
    followAnnouncedPeers({
      libp2p: this.libp2p,
      capabilities: this.capabilities,
      keeper: this.keeper,
      policy: new AnnouncedDialPolicy([this.config.listenHost, ...this.configured.flatMap(p => hostOf(p.addr))]),
      ...(this.config.members != null ? { members: new Set(this.config.members) } : {})
    })
  }

  /** the parsed addresses of `peers[]` */
  configuredAddrs (): Multiaddr[] {
    return this.configured.map(p => p.addr)
  }

  keepConfiguredPeers (): void {
    for (const peer of this.configured) {
      this.keeper.keep({
        key: peer.peerId ?? peer.url,
        ...(peer.peerId != null ? { peerId: peer.peerId } : {}),
        label: peer.nodeId != null ? `${peer.nodeId} at ${peer.url}` : peer.url,
        addrs: () => [peer.addr],
        wanted: () => true
      })
    }
  }
}

/**
 * The composition root: validate config, load identity and tokens, start the local HTTP API,
 * then libp2p with every ClawMatrix service, then keep connections to the configured peers.
 */
export async function createClawMatrix (input: ConfigInput | ClawMatrixConfig, options: ClawMatrixOptions = {}): Promise<ClawMatrixNode> {
  const config = resolveConfig(input, options.stateRoot != null ? { stateRoot: options.stateRoot } : {})
  if (config.secret == null) throw new ConfigError(['secret: required to start a node'])
  const timing = { ...DEFAULT_TIMING, ...options.timing }
  const warn = options.onWarning ?? ((message: string) => { log(message) })

  const modelInit = modelInitFromConfig(config, options.host?.modelBackend ?? httpModelBackend)
  const agentRunner = options.host?.agentRunner ?? new ProcessAgentRunner({ agents: config.agents, dataDir: config.dataDir, deliveryTimeoutMs: config.handoffTimeout })
  const [privateKey, rotations, tokens] = await Promise.all([
    loadOrCreateIdentity(config.dataDir),
    SecretRotations.load({ secret: config.secret, file: join(config.dataDir, ROTATIONS_FILE), log: logger('clawmatrix:membership:rotation'), ...(options.rotationClock != null ? { now: options.rotationClock } : {}) }),
    loadApiTokens(config.dataDir, config.apiToken)
  ])
  const clusterKey = rotations.key

  let node: ClawMatrixNode | undefined
  const metrics = options.metrics !== false ? nodeMetrics(metricsLabelsFromConfig(config)) : undefined
  const api = await startApiServer({ host: config.proxyHost, port: config.proxyPort, tokens, routes: () => node?.httpRoutes() ?? [] })
  let libp2p: Libp2p<ClawMatrixServices & { silentPeers: SilentPeerWatch }> | undefined
  const relaySlots = new RelaySlots(peerId => node?.capabilities.table.get(peerId)?.record.nodeId, warn)
  try {
    libp2p = await createLibp2p({
      ...meshLibp2pOptions<ClawMatrixServices>({
        privateKey,
        psk: clusterKey,
        listen: config.listen,
        listenHost: config.listenHost,
        listenPort: config.listenPort,
        ...(config.tcpPort != null ? { tcpPort: config.tcpPort } : {}),
        ...(config.holePunchPort != null ? { holePunchPort: config.holePunchPort } : {}),
        lanDiscovery: config.discovery.mdns,
        ...(config.members != null ? { members: config.members } : {}),
        ...(config.membership === 'certificates' ? { gater: deferredGater(() => libp2p?.services.membership.gater()) } : {}),
        ...(!config.listen ? { relaySlots } : {}),
        // the liveness every mesh node has, over the peers with a live record
        silentPeers: {
          intervalMs: timing.pingIntervalMs,
          silentAfterMs: timing.silentAfterMs,
          peers: () => node?.capabilities.table.live().map(e => e.peer) ?? [],
          log
        }
      }, nodeServices({
        config,
        timing,
        modelInit,
        agentRunner,
        ...(options.host?.toolExecutor != null ? { toolExecutor: options.host.toolExecutor } : {}),
        local: () => {
          if (node == null) throw new Error('node not ready')
          return node.local()
        },
        liveLoad: () => node?.liveLoad() ?? IDLE_LOAD,
        knownPeer: peerId => node?.capabilities.table.get(peerId)?.expired === false,
        nodeIdOf: peerId => node?.capabilities.table.get(peerId.toString())?.record.nodeId,
        invites: {
          membership: () => {
            if (libp2p == null) throw new Error('node not ready')
            return libp2p.services.membership
          },
          memberAddrs: () => node != null ? memberAddrs(node) : [],
          currentSecret: () => rotations.secret,
          currentKey: () => ({ fingerprint: clusterKey.fingerprint, rotated: rotations.rotated })
        },
        rotations,
        admitRecord: async (record, source) => await (libp2p?.services.membership.admitRecord(record.peerId, record.nodeId, source) ?? 'uncertified'),
        relayCircuitLimit: source => libp2p?.services.membership.relayCircuitLimit(source),
        ...(config.membership === 'certificates' ? { gossipAdmitted: (peer: string) => libp2p?.services.membership.isAdmitted(peer) ?? false } : {}),
        ...(options.membership != null ? { membership: options.membership } : {})
      })),
      // libp2p's own metrics in the node's registry, beside the mesh's
      ...(metrics != null ? { metrics: prometheusMetrics({ registry: metrics.registry }) } : {}),
      start: false
    })
    // an announced peer gets DIAL_BUDGET.attempts per 60 minimum backoffs (a minute by default)
    const keeper = new ConnectionKeeper(libp2p, log, { minBackoffMs: timing.minBackoffMs, maxBackoffMs: timing.maxBackoffMs, budgetWindowMs: 60 * timing.minBackoffMs, onFailure: warn, psk: () => clusterKey.psk, onDialFailed: async addrs => await rotations.probe(addrs) })
    node = new ClawMatrixNode(config, libp2p, api, tokens, keeper, libp2p.services.silentPeers, agentRunner, relaySlots, metrics)
    clusterKey.addEventListener('change', () => { keeper.retryNow() })
    // a hub that denied this node a relay slot while it was not certified admits it once it holds the certificate
    node.membership.addEventListener('certificate-shown', evt => { relaySlots.retryRefusedNow(peerIdFromString(evt.detail)) })
    // while a secret rotation is pending, a peer that closes our connection may have switched already (its clock is ahead)
    libp2p.addEventListener('connection:close', evt => {
      if (evt.detail.direction === 'outbound' && rotations.pendingEnvelope() != null) rotations.probe([evt.detail.remoteAddr]).catch(() => {})
    })
    if (metrics != null) serveMetrics(node, metrics)
    node.addRoutes(statusRoutes(node))
    node.addRoutes(statusPage({ source: pageSource(node), tokens }))
    node.addRoutes(handoffRoutes(node))
    node.addRoutes(toolRoutes(node))
    node.addRoutes(membershipRoutes(node.membership))
    node.addRoutes(inviteRoutes(libp2p.services.invites))
    node.addRoutes(openaiRoutes(node))
    await libp2p.start()
    node.followAnnouncedPeers(timing.idleConnectionMs)
    node.keepConfiguredPeers()
    for (const warning of toolProxyWarnings(config)) warn(warning)
    for (const warning of unavailableModelWarnings(modelInit.models ?? [])) warn(warning)
    for (const warning of modelPeersWarnings(config.models, config.peers)) warn(warning)
    const holePunchWarning = holePunchPeersWarning(config.holePunchPort, node.configuredAddrs())
    if (holePunchWarning != null) warn(holePunchWarning)
    if (config.membership === 'certificates' && !(config.admins ?? []).includes(node.peerId) && node.membership.summary().certificate == null) {
      warn(`membership is "certificates" but this node (${node.peerId}) holds no valid certificate yet: other members will refuse it until an admin runs \`clawmatrix certify ${node.peerId} --name ${node.nodeId}\` and it reconnects`)
    }
    if (config.members != null && !config.members.includes(node.peerId)) {
      warn(`members is set but does not list this node's own peer ID ${node.peerId}: other members will refuse it`)
    }
    return node
  } catch (err) {
    await Promise.allSettled([api.close(), libp2p?.stop(), agentRunner.stop?.()])
    throw err
  }
}

/** fill the registry's scrape-time values from the node, count accepted records, add GET /metrics */
function serveMetrics (node: ClawMatrixNode, metrics: NodeMetricsRegistry): void {
  metrics.setSources({
    rejectedRecords: () => node.capabilities.rejected.toJSON(),
    tokenTotals: () => node.libp2p.services.model.tokenTotals(),
    peers: () => node.peers()
  })
  node.capabilities.addEventListener('record', (evt) => { metrics.recordAccepted(evt.detail.nodeId, evt.detail.peerId) })
  node.addRoutes(metricsRoutes(metrics, { public: node.config.metricsPublic }))
}

/** what the status page reads from the node */
function pageSource (node: ClawMatrixNode): StatusPageSource {
  return { nodeId: node.nodeId, status: () => node.status(), activity: () => node.activity.view() }
}

/** direct addresses (with /p2p/) of the members with a live record: where a joiner may reach the mesh */
function memberAddrs (node: ClawMatrixNode): string[] {
  return node.capabilities.table.live().flatMap(entry => entry.record.addrs
    .filter(a => !a.includes('/p2p-circuit'))
    .map(a => a.includes('/p2p/') ? a : `${a}/p2p/${entry.record.peerId}`))
}

/**
 * With `holePunchPort`, a warning when no configured peer is reached over bare TCP: the hub then
 * never sees the port this node dials from, and there is no address to punch to
 */
export function holePunchPeersWarning (holePunchPort: number | undefined, peers: Multiaddr[]): string | undefined {
  if (holePunchPort == null) return undefined
  const overTcp = peers.some(addr => {
    const names = addr.getComponents().map(c => c.name).filter(n => n !== 'p2p')
    return names.length === 2 && names[1] === 'tcp'
  })
  if (overTcp) return undefined
  return `holePunchPort is set but no peers[] url is a bare TCP address (/ip4/<hub>/tcp/<hub tcpPort>): no hub sees the port this node dials from, so other nodes cannot punch a direct path to it`
}

/** the host of a dial address (`/ip4/…`, `/ip6/…`, `/dns…/…`), or nothing for a bare relay path */
function hostOf (addr: Multiaddr): string[] {
  const first = addr.getComponents()[0]
  return first?.value != null && /^(ip4|ip6|dns|dns4|dns6)$/.test(first.name) ? [first.value] : []
}
