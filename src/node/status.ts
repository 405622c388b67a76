import type { GossipView } from '../capabilities/index.js'
import type { MembershipStanding, MembershipSummary, SecretRotationView } from '../membership/index.js'
import type { AgentCapability, ModelCapability } from '../capabilities/types.js'
import type { ModelUsage } from '../model/usage.js'
import type { RunningHandoff } from '../handoff/index.js'
import type { PeerView } from '../router/router.js'
import type { PeerPathKind } from '../router/peer-path.js'
import type { Standing } from '../router/node-index.js'
import type { RelaySlotStatus } from './relay-slots.js'
import type { HolePunchView } from '../mesh/hole-punch.js'

/** a peer's path as status shows it: the router's, with `lan` for a direct one to an address found on the local network */
export type PeerStatusPath = PeerPathKind | 'lan'

export interface PeerStatus {
  nodeId: string
  peerId: string | null
  agents: AgentCapability[]
  models: ModelCapability[]
  tags: string[]
  /** a request can reach it now: over an open connection, or through a relay this node is connected to */
  reachable: boolean
  /** an open libp2p connection exists, direct or relayed; a peer reachable through its relay without one is dialed when a request needs it */
  connected: boolean
  /** `lan`: direct, to an address the peer gave on the local network (mDNS) */
  path: PeerStatusPath
  /** the relay's node id (or peer ID when its node id is unknown) when relayed */
  reachableVia: string | null
  latencyMs: number | null
  /** `conflict`: another peer claims the same node id; `impostor`: the node id is pinned to another peer */
  standing: Standing
  toolProxy: boolean
  version: string | null
  load: number | null
  /** ms since the last record arrived; null when none has */
  lastSeenMs: number | null
  /** why the last dial failed, while unreachable */
  lastError: string | null
  /** `certified` (any peer in open mode), `probation` or `refused` */
  membership?: MembershipStanding
  /** when the peer's certificate expires (ms since the epoch); null: never, or none */
  certificateExpiresAt?: number | null
}

export interface NodeStatus {
  nodeId: string
  peerId: string
  version: string
  listen: boolean
  listenAddrs: string[]
  proxyHost: string
  proxyPort: number
  agents: AgentCapability[]
  models: ModelCapability[]
  tags: string[]
  toolProxy: { enabled: boolean, openToAllMembers: boolean }
  members: number | null
  peers: PeerStatus[]
  /** the capabilities topic: peers subscribed, and peers in this node's gossipsub mesh for it */
  gossip: GossipView
  rejectedRecords: { malformed: number, signature: number, nonMember: number, seqAhead: number, tableFull: number, uncertified: number, uncertifiedNodeId: number, revoked: number }
  /** the membership mode, the admins, this node's certificate, peers on probation and refused */
  membership: MembershipSummary
  /** the cluster key in use (fingerprint, generation), a pending secret rotation and the last one; null for a node without rotation */
  clusterKey: SecretRotationView | null
  /** a dial-out node's relay slots: hubs it holds one on, and hubs that had no free slot for it */
  relays: RelaySlotStatus[]
  /** with `holePunchPort`: the public address peers punch to, or why there is none */
  holePunch: HolePunchView | null
  /** handoffs this node is serving now */
  handoffs: RunningHandoff[]
  /** requests and tokens per caller of each model this node serves, since it started */
  modelUsage: ModelUsage[]
}

export interface ConfiguredPeer {
  nodeId?: string
  peerId?: string
  url: string
}

/** Peers as status shows them: every live or expired record, then configured peers never heard from */
export function peerStatuses (views: PeerView[], configured: ConfiguredPeer[], failures: Map<string, string>, now = Date.now()): PeerStatus[] {
  const out: PeerStatus[] = []
  const seen = new Set<string>()
  for (const v of views) {
    const r = v.entry.record
    seen.add(r.peerId)
    const path = v.entry.expired ? 'unreachable' : v.reach.path
    out.push({
      nodeId: r.nodeId,
      peerId: r.peerId,
      agents: r.agents,
      models: r.models,
      tags: r.tags,
      reachable: path !== 'unreachable',
      connected: path !== 'unreachable' && v.reach.connected,
      path: path === 'direct' && v.reach.lan ? 'lan' : path,
      reachableVia: path === 'relayed' ? v.via : null,
      latencyMs: path === 'unreachable' ? null : v.reach.latencyMs,
      standing: v.standing,
      toolProxy: r.toolProxy,
      version: r.version,
      load: r.load,
      lastSeenMs: now - v.entry.receivedAt,
      lastError: path === 'unreachable' ? (failures.get(r.peerId) ?? null) : null
    })
  }
  for (const peer of configured) {
    if (peer.peerId != null && seen.has(peer.peerId)) continue
    if (peer.peerId == null && peer.nodeId != null && out.some(p => p.nodeId === peer.nodeId)) continue
    out.push({
      nodeId: peer.nodeId ?? peer.url,
      peerId: peer.peerId ?? null,
      agents: [],
      models: [],
      tags: [],
      reachable: false,
      connected: false,
      path: 'unreachable',
      reachableVia: null,
      latencyMs: null,
      standing: 'ok',
      toolProxy: false,
      version: null,
      load: null,
      lastSeenMs: null,
      lastError: failures.get(peer.peerId ?? peer.url) ?? null
    })
  }
  return out.sort((a, b) => a.nodeId.localeCompare(b.nodeId))
}
