import { capabilitiesInitFromConfig } from '../capabilities/from-config.js'
import { capabilities } from '../capabilities/index.js'
import { loadService } from '../capabilities/load-service.js'
import { handoffInitFromConfig, handoffService } from '../handoff/index.js'
import { membershipInitFromConfig } from '../membership/from-config.js'
import { membershipService } from '../membership/index.js'
import { inviteServiceInitFromConfig } from '../membership/invite-from-config.js'
import { inviteService } from '../membership/invite-service.js'
import { meshBaseServices, usesDirectPaths } from '../mesh/libp2p-options.js'
import type { DirectPathsInit } from '../mesh/libp2p-options.js'
import type { HolePunch } from '../mesh/hole-punch.js'
import type { LanDiscovery } from '../mesh/lan-discovery.js'
import { HANDOFF_PROTOCOL } from '../handoff/constants.js'
import { MODEL_PROTOCOL } from '../model/constants.js'
import { TOOL_PROTOCOL } from '../tool/constants.js'
import { modelService } from '../model/index.js'
import { standaloneToolExecutor } from '../standalone/tools/index.js'
import { fileRootsOf } from '../tool/file-roots.js'
import { toolInitFromConfig, toolService } from '../tool/index.js'
import type { CapabilitiesInit, LocalCapabilities } from '../capabilities/index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { AgentRunner, ToolExecutor } from '../host/ports.js'
import type { ModelServiceInit } from '../model/index.js'
import type { CircuitLimitOf } from '../mesh/relay-server.js'
import type { MeshTiming } from './clawmatrix.js'
import type { CapabilitiesService } from '../capabilities/index.js'
import type { LiveLoad } from '../capabilities/load-report.js'
import type { LoadService } from '../capabilities/load-service.js'
import type { HandoffService } from '../handoff/index.js'
import type { MembershipInit, MembershipService } from '../membership/index.js'
import type { InviteService, InviteServiceInit } from '../membership/invite-service.js'
import type { ModelService } from '../model/index.js'
import type { ToolService } from '../tool/index.js'
import type { PeerId, ServiceMap } from '@libp2p/interface'
import type { ServiceFactoryMap } from 'libp2p'

export type ClawMatrixServices = ServiceMap & { capabilities: CapabilitiesService, membership: MembershipService, invites: InviteService, handoff: HandoffService, tool: ToolService, model: ModelService, load: LoadService, holePunch?: HolePunch, lanDiscovery?: LanDiscovery }

/** the protocols whose streams are requests in flight, which closing a relayed connection would cut */
const REQUEST_PROTOCOLS = new Set([MODEL_PROTOCOL, HANDOFF_PROTOCOL, TOOL_PROTOCOL])

/** the direct-path parts a config turns on, or nothing when it turns on none */
export function directPathsFromConfig (config: ClawMatrixConfig): DirectPathsInit | undefined {
  if (!usesDirectPaths({ listen: config.listen, tcpPort: config.tcpPort, holePunchPort: config.holePunchPort, lanDiscovery: config.discovery.mdns })) return undefined
  const members = config.members != null ? new Set(config.members) : undefined
  return {
    isRequest: protocol => REQUEST_PROTOCOLS.has(protocol),
    ...(config.discovery.mdns ? { lan: members != null ? { allowed: (peer: string) => members.has(peer) } : {} } : {})
  }
}

export interface NodeServicesInit {
  config: ClawMatrixConfig
  timing: MeshTiming
  modelInit: ModelServiceInit
  agentRunner: AgentRunner
  toolExecutor?: ToolExecutor
  /** what this node announces, read at each announcement */
  local: () => LocalCapabilities
  /** this node's live load, read every check of the load service */
  liveLoad: () => LiveLoad
  /** whether a peer's load reports are taken: a live record of it is held */
  knownPeer: (peerId: string) => boolean
  /** the node id a peer announced, for the tool audit log and the model usage counts */
  nodeIdOf: (peerId: PeerId) => string | undefined
  /** the membership service's timings that tests shorten */
  membership?: Pick<MembershipInit, 'probationMs' | 'refusedMs'>
  /** the cluster key and its rotations */
  rotations?: MembershipInit['rotations']
  /** membership mode: whether a capability record may be taken (the membership service's `admitRecord`) */
  admitRecord: NonNullable<CapabilitiesInit['admitRecord']>
  /** what the invite service reads from the running node: its membership service, other members' addresses */
  invites: Pick<InviteServiceInit, 'membership' | 'memberAddrs' | 'currentSecret' | 'currentKey'>
  /** the relay's limit of a circuit (the membership service's `relayCircuitLimit`) */
  relayCircuitLimit?: CircuitLimitOf
  /** whether a peer may receive gossip (the membership service's `isAdmitted`, in certificates mode) */
  gossipAdmitted?: (peerId: string) => boolean
}

/**
 * Every libp2p service a ClawMatrix node runs: the base stack, the capability records, one per
 * plane. (The cast: libp2p types each factory's components loosely; ours name what they use.)
 */
export function nodeServices (init: NodeServicesInit): ServiceFactoryMap<ClawMatrixServices> {
  const { config, timing } = init
  const directPaths = directPathsFromConfig(config)
  return {
    ...meshBaseServices({
      listen: config.listen,
      relayMaxReservations: config.relay.maxReservations,
      ...(init.relayCircuitLimit != null ? { relayCircuitLimit: init.relayCircuitLimit } : {}),
      ...(init.gossipAdmitted != null ? { gossipAdmitted: init.gossipAdmitted } : {}),
      ...(directPaths != null ? { directPaths } : {})
    }),
    membership: membershipService({ ...membershipInitFromConfig(config, init.membership), ...(init.rotations != null ? { rotations: init.rotations } : {}) }),
    invites: inviteService(inviteServiceInitFromConfig(config, init.invites)),
    capabilities: capabilities(capabilitiesInitFromConfig(config, {
      local: init.local,
      announceIntervalMs: timing.announceIntervalMs,
      recordTtlMs: timing.recordTtlMs,
      ...(config.membership === 'certificates' ? { admitRecord: init.admitRecord } : {})
    })),
    load: loadService({ local: init.liveLoad, known: init.knownPeer }),
    model: modelService({ ...init.modelInit, nodeIdOf: init.nodeIdOf }),
    handoff: handoffService(handoffInitFromConfig(config, init.agentRunner)),
    tool: toolService({
      ...toolInitFromConfig(config, init.toolExecutor ?? standaloneToolExecutor({ maxOutputBytes: config.toolProxy.maxOutputBytes, fileRoots: fileRootsOf(config) })),
      nodeIdOf: init.nodeIdOf
    })
  } as unknown as ServiceFactoryMap<ClawMatrixServices>
}
