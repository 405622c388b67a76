import type { RouteCandidate } from './router.js'

/** How this node reached the node that served a request; `local` when it served the request itself */
export type ServedPath = 'local' | 'direct' | 'relayed'

/**
 * Where a request went: the node that answered (or, for a failure, the last one tried), how it
 * was reached, and how many nodes were tried. Model answers carry it as `x-clawmatrix-*` headers,
 * handoff and tool results as fields; `path` and `via` are the values status shows for that peer.
 */
export interface Where {
  nodeId: string
  peerId: string
  path: ServedPath
  /** the relay when relayed, as status `reachableVia` names it (node id, else peer ID); null otherwise */
  via: string | null
  /** nodes tried, the answering one included */
  attempts: number
}

/** A routed candidate's part of `Where` */
export function whereOf (candidate: RouteCandidate, attempts: number): Where {
  return { nodeId: candidate.nodeId, peerId: candidate.peerId.toString(), path: candidate.path, via: candidate.via, attempts }
}
