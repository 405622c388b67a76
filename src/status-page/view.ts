import { POLL_INTERVAL_MS } from './constants.js'
import type { ActivityView } from './recent-activity.js'
import type { AgentCapability, ModelCapability } from '../capabilities/types.js'
import type { NodeStatus, PeerStatus } from '../node/status.js'

/** What GET /clawmatrix/view answers and the page is rendered from */
export interface StatusView {
  /** ms since the epoch when the view was taken */
  at: number
  pollMs: number
  node: {
    nodeId: string
    peerId: string
    version: string
    models: ModelCapability[]
    agents: AgentCapability[]
    tags: string[]
    toolProxy: boolean
    /** handoffs this node is serving now */
    handoffsRunning: number
  }
  peers: PeerStatus[]
  activity: ActivityView
}

/** Where the page's values come from: the running node */
export interface StatusPageSource {
  readonly nodeId: string
  status(): NodeStatus
  activity(): ActivityView
}

export function statusView (source: StatusPageSource, now = Date.now()): StatusView {
  const status = source.status()
  return {
    at: now,
    pollMs: POLL_INTERVAL_MS,
    node: {
      nodeId: status.nodeId,
      peerId: status.peerId,
      version: status.version,
      models: status.models,
      agents: status.agents,
      tags: status.tags,
      toolProxy: status.toolProxy.enabled,
      handoffsRunning: status.handoffs.length
    },
    peers: status.peers,
    activity: source.activity()
  }
}
