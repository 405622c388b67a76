import type { ToolServiceInit } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { ToolExecutor } from '../host/ports.js'

/** The tool service settings a node's config implies, with the host's executor */
export function toolInitFromConfig (config: ClawMatrixConfig, executor: ToolExecutor): ToolServiceInit {
  return {
    nodeId: config.nodeId,
    dataDir: config.dataDir,
    toolProxy: config.toolProxy,
    peers: config.peers,
    executor
  }
}
