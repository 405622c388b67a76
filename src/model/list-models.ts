import { CONSUMER_API } from './constants.js'
import { modelServiceOf } from './model-service.js'
import type { ModelCapability } from '../capabilities/types.js'
import type { MeshContext } from '../mesh/context.js'

/** A node that can answer for a model right now */
export interface ServingNode {
  nodeId: string
  peerId: string
  path: 'local' | 'direct' | 'relayed'
  /** the API that node speaks to its upstream for the model, when it says */
  upstreamApi?: string
}

/** A node that lists the model but cannot answer for it, and why */
export interface UnavailableNode {
  nodeId: string
  peerId: string
  path: 'local' | 'direct' | 'relayed'
  upstreamApi?: string
  reason: string
}

/** One entry of `GET /v1/models`: the OpenAI fields plus the nodes serving it */
export interface ModelListEntry {
  id: string
  object: 'model'
  created: number
  owned_by: string
  /** the API clients use for it: always OpenAI chat completions */
  api: string
  /** some node in `nodes` can answer now */
  available: boolean
  nodes: ServingNode[]
  /** nodes listing the model that cannot answer for it now, each with its reason */
  unavailable?: UnavailableNode[]
}

export interface ModelList {
  object: 'list'
  data: ModelListEntry[]
}

interface ModelNodes {
  nodes: ServingNode[]
  unavailable: UnavailableNode[]
}

/** reason shown for a model whose `callers` leave this node out */
const NOT_SHARED = 'not shared with this node (the serving node\'s models[].peers leave it out)'

/**
 * Which nodes serve, or list without serving, which model: this node first, then every
 * reachable peer in good standing
 */
function modelNodes (ctx: MeshContext): Map<string, ModelNodes> {
  const byModel = new Map<string, ModelNodes>()
  const add = (model: ModelCapability, node: ServingNode, reason?: string): void => {
    const entry = byModel.get(model.id) ?? { nodes: [], unavailable: [] }
    const withApi = { ...node, ...(model.upstreamApi != null ? { upstreamApi: model.upstreamApi } : {}) }
    if (reason == null) entry.nodes.push(withApi)
    else entry.unavailable.push({ ...withApi, reason })
    byModel.set(model.id, entry)
  }
  const self = ctx.libp2p.peerId.toString()
  for (const model of modelServiceOf(ctx).capabilities()) {
    add(model, { nodeId: ctx.nodeId, peerId: self, path: 'local' }, model.available ? undefined : (model.unavailableReason ?? 'unavailable'))
  }
  for (const view of ctx.router.view()) {
    if (view.standing !== 'ok' || view.reach.path === 'unreachable' || view.coolingDown) continue
    const record = view.entry.record
    if (record.peerId === self) continue
    for (const model of record.models) {
      const reason = !model.available ? (model.unavailableReason ?? 'unavailable') : !ctx.router.callable(model) ? NOT_SHARED : undefined
      add(model, { nodeId: record.nodeId, peerId: record.peerId, path: view.reach.path }, reason)
    }
  }
  return byModel
}

function entry (id: string, ownedBy: string, created: number, nodes: ServingNode[], unavailable: UnavailableNode[]): ModelListEntry {
  return {
    id,
    object: 'model',
    created,
    owned_by: ownedBy,
    api: CONSUMER_API,
    available: nodes.length > 0,
    nodes,
    ...(unavailable.length > 0 ? { unavailable } : {})
  }
}

/**
 * The models in the mesh, as `<modelId>` and as `<nodeId>/<modelId>`; a model no node can
 * answer for now (unavailable, or not shared with this node) is listed with `available: false`
 * and each node's reason
 */
export function listMeshModels (ctx: MeshContext): ModelList {
  const created = Math.floor(Date.now() / 1000)
  const data: ModelListEntry[] = []
  for (const [modelId, { nodes, unavailable }] of [...modelNodes(ctx)].sort(([a], [b]) => a.localeCompare(b))) {
    data.push(entry(modelId, 'clawmatrix', created, nodes, unavailable))
    for (const node of nodes) data.push(entry(`${node.nodeId}/${modelId}`, node.nodeId, created, [node], []))
    for (const node of unavailable) data.push(entry(`${node.nodeId}/${modelId}`, node.nodeId, created, [], [node]))
  }
  return { object: 'list', data }
}
