import { OTHER_LABEL } from './constants.js'

/** Where label values come from: sets that an operator configured, never what remote peers announce */
export interface LabelSources {
  /** this node's own node id */
  nodeId: string
  /** model ids this node serves and its `proxyModels` names */
  models: Iterable<string>
  /** node ids pinned in `peers[]` */
  pinnedNodeIds: Iterable<string>
  /** `members` (peer IDs), when set */
  members?: Iterable<string>
}

/**
 * Bounded label values: a model, node or target is named only when this node's config names it
 * (its own models, its pinned peers, its members); everything else is `other`, so a mesh of any
 * size (or a peer announcing thousands of names) cannot grow the series count.
 */
export class BoundedLabels {
  private readonly nodeId: string
  private readonly models: Set<string>
  private readonly pinned: Set<string>
  private readonly members: Set<string>

  constructor (sources: LabelSources) {
    this.nodeId = sources.nodeId
    this.models = new Set(sources.models)
    this.pinned = new Set(sources.pinnedNodeIds)
    this.members = new Set(sources.members ?? [])
  }

  model (modelId: string): string {
    return this.models.has(modelId) ? modelId : OTHER_LABEL
  }

  /** a node's id when it is this node, a pinned node, or the node id a member peer announced */
  node (nodeId: string, peerId?: string): string {
    if (nodeId === this.nodeId || this.pinned.has(nodeId)) return nodeId
    if (peerId != null && this.members.has(peerId)) return nodeId
    return OTHER_LABEL
  }
}
