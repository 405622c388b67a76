import { AffinityTable, MAX_AFFINITY_KEY_CHARS, sessionFirst } from './affinity.js'
import { NoRouteError, NotSharedError } from './errors.js'
import { standings } from './node-index.js'
import { peerPath } from './peer-path.js'
import { busyness, closestFirst, leastBusyFirst } from './rank.js'
import { SentHere } from './sent-here.js'
import { isPeerId } from '../mesh/peer-address.js'
import type { PeerPath } from './peer-path.js'
import type { Ranking } from './rank.js'
import type { LiveLoad, Plane } from '../capabilities/load-report.js'
import type { Standing } from './node-index.js'
import type { PeerEntry } from '../capabilities/peer-table.js'
import type { CapabilityRecord, ModelCapability } from '../capabilities/types.js'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

export { NoRouteError, NotSharedError } from './errors.js'
export type { Ranking } from './rank.js'

/** how long a peer that just failed a request is left out */
export const FAILURE_COOLDOWN_MS = 10_000
const TAG_PREFIX = 'tags:'

export interface RouteCandidate {
  peerId: PeerId
  nodeId: string
  record: CapabilityRecord
  path: 'direct' | 'relayed'
  /** the relay when relayed, named as status `reachableVia` names it; null when direct */
  via: string | null
  latencyMs: number | null
  /** agent targets: the agent id to run on that node */
  agent?: string
}

/** One known peer as routing sees it */
export interface PeerView {
  entry: PeerEntry
  standing: Standing
  reach: PeerPath
  /** the relay's node id (its peer ID when no record names it) when relayed, else null */
  via: string | null
  coolingDown: boolean
}

export interface RouterInit {
  libp2p: Libp2p
  records: () => PeerEntry[]
  /** node id → peer ID from `peers[].peerId` */
  pinned: ReadonlyMap<string, string>
  cooldownMs?: number
  /** the live load a peer reported recently (the load service's table) */
  loadOf?: (peerId: string) => LiveLoad | undefined
  /** `least-busy` (default) or `closest`, the former order, kept as a yardstick */
  ranking?: Ranking
  /** a revoked member is never a candidate, whatever its record and paths say, until the record expires */
  isRevoked?: (peerId: string) => boolean
  /** [0, 1), for the power-of-two draw; Math.random unless a test fixes it */
  random?: () => number
  /** whether a direct connection goes to an address found on the local network (LAN discovery's `isLan`) */
  isLan?: (conn: Connection) => boolean
}

export interface RouteOptions {
  /** a session key (OpenAI `user`, `x-clawmatrix-affinity`): the node that served it last goes first while healthy and not busy */
  affinity?: string
}

/** Whether an entry is the node `target` names: by its peer ID, or by its node id */
function namesNode (target: string): (entry: PeerEntry) => boolean {
  return isPeerId(target) ? entry => entry.record.peerId === target : entry => entry.record.nodeId === target
}

/**
 * A relayed path's relay as status and answers name it: its node id from any record (expired ones
 * too), else its peer ID. The peer ID → node id table is built on the first relayed path.
 */
function relayNames (records: PeerEntry[]): (reach: PeerPath) => string | null {
  let nodeIdOf: Map<string, string> | undefined
  return reach => {
    if (reach.path !== 'relayed' || reach.relayPeerId == null) return null
    nodeIdOf ??= new Map(records.map(e => [e.record.peerId, e.record.nodeId]))
    return nodeIdOf.get(reach.relayPeerId) ?? reach.relayPeerId
  }
}

const CIRCUIT_RELAY = /\/p2p\/([^/]+)\/p2p-circuit(?:\/|$)/

/** the relays a record's circuit addresses go through */
function relaysIn (addrs: string[]): string[] {
  const relays: string[] = []
  for (const addr of addrs) {
    const relay = CIRCUIT_RELAY.exec(addr)?.[1]
    if (relay != null) relays.push(relay)
  }
  return relays
}

/** whether this node has an open direct connection to a peer, the set built at the first question */
function directlyConnected (libp2p: Libp2p): (peerId: string) => boolean {
  let connected: Set<string> | undefined
  return peerId => {
    connected ??= new Set(libp2p.getConnections().filter(c => c.status === 'open' && c.direct).map(c => c.remotePeer.toString()))
    return connected.has(peerId)
  }
}

/**
 * Target → ranked candidate peers, from the live records and the open connections. A peer with no
 * connection is still a candidate when its record names a relay this node is connected to: the
 * plane's stream dials it through that relay (connect on demand).
 */
export class Router {
  private readonly failedAt = new Map<string, number>()
  private readonly cooldownMs: number
  /** requests this node sent and that have not ended, per plane and peer */
  readonly sentHere = new SentHere()
  private readonly affinity = new AffinityTable()
  readonly ranking: Ranking
  private readonly random: () => number

  constructor (private readonly init: RouterInit) {
    this.cooldownMs = init.cooldownMs ?? FAILURE_COOLDOWN_MS
    this.ranking = init.ranking ?? 'least-busy'
    this.random = init.random ?? Math.random
  }

  /** count a request sent to `peerId` until the returned function is called (its answer ended or failed) */
  begin (plane: Plane, peerId: PeerId): () => void {
    return this.sentHere.begin(plane, peerId.toString())
  }

  /** remember that `peerId` served the session `key` of `modelId` */
  remember (modelId: string, key: string, peerId: PeerId): void {
    this.affinity.set(affinityKey(modelId, key), peerId.toString())
  }

  /**
   * every live record (and expired ones when asked) with its standing and reachability; `where`
   * picks records before their connections are looked at, which is the costly part
   */
  view (options: { includeExpired?: boolean, where?: (entry: PeerEntry) => boolean } = {}): PeerView[] {
    const records = this.init.records()
    const standing = standings(records.filter(e => !e.expired), this.init.pinned)
    const now = Date.now()
    const relayName = relayNames(records)
    const isConnected = directlyConnected(this.init.libp2p)
    return records.filter(e => (options.includeExpired === true || !e.expired) && (options.where?.(e) ?? true)).map(entry => {
      const reach = peerPath(this.init.libp2p, entry.peer, {
        ...(this.init.isLan != null ? { isLan: this.init.isLan } : {}),
        ...(entry.expired ? {} : { onDemand: { relays: relaysIn(entry.record.addrs), isConnected } })
      })
      return {
        entry,
        standing: standing.get(entry.record.peerId) ?? 'ok',
        reach,
        via: relayName(reach),
        coolingDown: now - (this.failedAt.get(entry.record.peerId) ?? -Infinity) < this.cooldownMs
      }
    })
  }

  markFailed (peerId: PeerId): void {
    this.failedAt.set(peerId.toString(), Date.now())
    if (this.failedAt.size > 1024) this.failedAt.delete(this.failedAt.keys().next().value as string)
  }

  /** agent id | tags:<t> (agent tags, then node tags) | node id | peer ID → candidates with `agent` set */
  agents (target: string): RouteCandidate[] {
    const views = this.view().filter(v => v.standing === 'ok')
    const matches: Array<{ view: PeerView, agent: string }> = []
    if (target.startsWith(TAG_PREFIX)) {
      const tag = target.slice(TAG_PREFIX.length)
      for (const view of views) {
        const agent = view.entry.record.agents.find(a => a.tags.includes(tag))
        if (agent != null) matches.push({ view, agent: agent.id })
      }
      if (matches.length === 0) {
        for (const view of views) {
          const first = view.entry.record.agents[0]
          if (view.entry.record.tags.includes(tag) && first != null) matches.push({ view, agent: first.id })
        }
      }
    } else {
      for (const view of views) {
        if (view.entry.record.agents.some(a => a.id === target)) matches.push({ view, agent: target })
      }
      if (matches.length === 0) {
        for (const view of this.byNode(views, target)) {
          const first = view.entry.record.agents[0]
          if (first != null) matches.push({ view, agent: first.id })
        }
      }
    }
    if (matches.length === 0) {
      throw new NoRouteError('unknown_target', `no agent, tag or node matches "${target}"`, this.agentOffers(views))
    }
    return this.usable(matches, `agent target "${target}"`, 'handoff')
  }

  /** node id | peer ID | tags:<t> (node tags) → candidates */
  nodes (target: string): RouteCandidate[] {
    const views = this.view().filter(v => v.standing === 'ok')
    const matched = target.startsWith(TAG_PREFIX)
      ? views.filter(v => v.entry.record.tags.includes(target.slice(TAG_PREFIX.length)))
      : this.byNode(views, target)
    if (matched.length === 0) {
      const offers = [...views.map(v => v.entry.record.nodeId), ...new Set(views.flatMap(v => v.entry.record.tags.map(t => TAG_PREFIX + t)))]
      throw new NoRouteError('unknown_target', `no node matches "${target}"`, offers)
    }
    return this.usable(matched.map(view => ({ view })), `node "${target}"`, 'tool')
  }

  /** whether this node may call `model` (no `callers` list, or one naming this node) */
  callable (model: ModelCapability): boolean {
    return model.callers == null || model.callers.includes(this.init.libp2p.peerId.toString())
  }

  /**
   * nodes announcing `modelId` as available to this node (only `nodeId` when given): a model
   * whose `callers` leave this node out is never a candidate
   */
  models (modelId: string, nodeId?: string, options: RouteOptions = {}): RouteCandidate[] {
    const isNode = nodeId != null ? namesNode(nodeId) : undefined
    const announces = (entry: PeerEntry): boolean => (isNode == null || isNode(entry)) && entry.record.models.some(m => m.id === modelId && m.available)
    const matched = this.view({ where: announces }).filter(v => v.standing === 'ok')
    const allowed = matched.filter(v => v.entry.record.models.some(m => m.id === modelId && m.available && this.callable(m)))
    const name = nodeId == null ? modelId : `${nodeId}/${modelId}`
    if (allowed.length === 0 && matched.length > 0) {
      const nodes = [...new Set(matched.map(v => v.entry.record.nodeId))]
      throw new NotSharedError(`model "${name}" on ${nodes.join(', ')} is not shared with this node (${this.init.libp2p.peerId.toString()}): its peers leave it out`)
    }
    if (allowed.length === 0) {
      const views = this.view().filter(v => v.standing === 'ok')
      const offers = [...new Set(views.flatMap(v => v.entry.record.models.filter(m => m.available && this.callable(m)).map(m => m.id)))]
      throw new NoRouteError('unknown_target', `no node offers model "${name}"`, offers)
    }
    const ranked = this.usable(allowed.map(view => ({ view })), `model "${name}"`, 'model')
    return options.affinity != null ? this.withAffinity(ranked, affinityKey(modelId, options.affinity)) : ranked
  }

  private byNode (views: PeerView[], target: string): PeerView[] {
    const isNode = namesNode(target)
    return views.filter(v => isNode(v.entry))
  }

  private agentOffers (views: PeerView[]): string[] {
    const agents = views.flatMap(v => v.entry.record.agents.map(a => a.id))
    const tags = views.flatMap(v => [...v.entry.record.tags, ...v.entry.record.agents.flatMap(a => a.tags)]).map(t => TAG_PREFIX + t)
    return [...new Set([...agents, ...tags, ...views.map(v => v.entry.record.nodeId)])]
  }

  /** the node that served the session last first, when it is a candidate and not at its limit */
  private withAffinity (ranked: RouteCandidate[], key: string): RouteCandidate[] {
    const peerId = this.affinity.get(key)
    return peerId != null ? sessionFirst(ranked, peerId, candidate => this.busy(candidate, 'model')) : ranked
  }

  private busy (candidate: RouteCandidate, plane: Plane): number {
    const peerId = candidate.peerId.toString()
    return busyness(candidate, plane, this.init.loadOf?.(peerId), this.sentHere.count(plane, peerId))
  }

  private order (candidates: RouteCandidate[], plane: Plane): RouteCandidate[] {
    if (this.ranking === 'closest') return candidates.sort(closestFirst)
    return leastBusyFirst(candidates.map(candidate => ({ candidate, busy: this.busy(candidate, plane) })), this.random)
  }

  private usable (matches: Array<{ view: PeerView, agent?: string }>, what: string, plane: Plane): RouteCandidate[] {
    const candidates: RouteCandidate[] = []
    for (const { view, agent } of matches) {
      if (view.reach.path === 'unreachable' || view.coolingDown || this.init.isRevoked?.(view.entry.record.peerId) === true) continue
      candidates.push({
        peerId: view.entry.peer,
        nodeId: view.entry.record.nodeId,
        record: view.entry.record,
        path: view.reach.path,
        via: view.via,
        latencyMs: view.reach.latencyMs,
        ...(agent != null ? { agent } : {})
      })
    }
    if (candidates.length === 0) {
      const nodes = [...new Set(matches.map(m => m.view.entry.record.nodeId))]
      throw new NoRouteError('unreachable', `${what} is offered by ${nodes.join(', ')}, but none is reachable now`)
    }
    return this.order(candidates, plane)
  }
}

/** one session of one model; a key past the limit is cut, so the table's memory stays bounded */
function affinityKey (modelId: string, key: string): string {
  return `${modelId}\n${key.slice(0, MAX_AFFINITY_KEY_CHARS)}`
}
