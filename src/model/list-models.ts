import { modelServiceOf } from './model-service.js'
import type { MeshContext } from '../mesh/context.js'

/** A node that can answer for a model right now */
export interface ServingNode {
  nodeId: string
  peerId: string
  path: 'local' | 'direct' | 'relayed'
}

/** One entry of `GET /v1/models`: the OpenAI fields plus the nodes serving it */
export interface ModelListEntry {
  id: string
  object: 'model'
  created: number
  owned_by: string
  nodes: ServingNode[]
}

export interface ModelList {
  object: 'list'
  data: ModelListEntry[]
}

/** Which nodes serve which model: this node first, then every reachable peer in good standing */
function servingNodes (ctx: MeshContext): Map<string, ServingNode[]> {
  const byModel = new Map<string, ServingNode[]>()
  const add = (modelId: string, node: ServingNode): void => {
    const nodes = byModel.get(modelId) ?? []
    nodes.push(node)
    byModel.set(modelId, nodes)
  }
  for (const model of modelServiceOf(ctx).capabilities()) {
    if (model.available) add(model.id, { nodeId: ctx.nodeId, peerId: ctx.libp2p.peerId.toString(), path: 'local' })
  }
  for (const view of ctx.router.view()) {
    if (view.standing !== 'ok' || view.reach.path === 'unreachable' || view.coolingDown) continue
    if (view.entry.record.peerId === ctx.libp2p.peerId.toString()) continue
    for (const model of view.entry.record.models) {
      if (model.available) add(model.id, { nodeId: view.entry.record.nodeId, peerId: view.entry.record.peerId, path: view.reach.path })
    }
  }
  return byModel
}

/** The models reachable in the mesh, as `<modelId>` and as `<nodeId>/<modelId>` */
export function listMeshModels (ctx: MeshContext): ModelList {
  const created = Math.floor(Date.now() / 1000)
  const data: ModelListEntry[] = []
  for (const [modelId, nodes] of [...servingNodes(ctx)].sort(([a], [b]) => a.localeCompare(b))) {
    data.push({ id: modelId, object: 'model', created, owned_by: 'clawmatrix', nodes })
    for (const node of nodes) {
      data.push({ id: `${node.nodeId}/${modelId}`, object: 'model', created, owned_by: node.nodeId, nodes: [node] })
    }
  }
  return { object: 'list', data }
}
