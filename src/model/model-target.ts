import type { ProxyModelConfig } from '../config/schema.js'

/** What a model name in a request points at */
export interface ModelTarget {
  /** the name as the client sent it */
  name: string
  /** the model id the serving node announces */
  modelId: string
  /** the serving node, when the name or a `proxyModels` entry pins one */
  nodeId?: string
  /** a matching `proxyModels` entry's description, for the identity note */
  description?: string
}

/**
 * `<modelId>` (any node announcing it, unless a `proxyModels` entry pins a node) or
 * `<nodeId>/<modelId>`. Neither ids nor node ids may contain `/`, so the first one splits.
 */
export function resolveModelName (name: string, proxyModels: ProxyModelConfig[]): ModelTarget {
  const slash = name.indexOf('/')
  if (slash > 0) {
    const nodeId = name.slice(0, slash)
    const modelId = name.slice(slash + 1)
    const entry = proxyModels.find(p => p.id === modelId && (p.nodeId == null || p.nodeId === nodeId))
    return { name, modelId, nodeId, ...(entry?.description != null ? { description: entry.description } : {}) }
  }
  const entry = proxyModels.find(p => p.id === name)
  return {
    name,
    modelId: name,
    ...(entry?.nodeId != null ? { nodeId: entry.nodeId } : {}),
    ...(entry?.description != null ? { description: entry.description } : {})
  }
}
