import type { ClawMatrixConfig } from '../config/resolve.js'
import type { LabelSources } from './labels.js'

/** The label sets a config names: its own models and `proxyModels`, its pinned node ids, its members */
export function metricsLabelsFromConfig (config: ClawMatrixConfig): LabelSources {
  return {
    nodeId: config.nodeId,
    models: [...config.models.map(m => m.id), ...config.proxyModels.map(p => p.id)],
    pinnedNodeIds: config.peers.flatMap(p => p.nodeId != null ? [p.nodeId] : []),
    ...(config.members != null ? { members: config.members } : {})
  }
}
