import type { HandoffServiceInit } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { AgentRunner } from '../host/ports.js'

/** The service settings a ClawMatrix config implies */
export function handoffInitFromConfig (config: ClawMatrixConfig, runner?: AgentRunner): HandoffServiceInit {
  return {
    nodeId: config.nodeId,
    ...(runner != null ? { runner } : {}),
    agents: config.agents.map(agent => agent.id),
    handoffTimeout: config.handoffTimeout,
    handoffConcurrency: config.handoffConcurrency,
    maxTaskBytes: config.maxTaskBytes,
    maxContextBytes: config.maxContextBytes,
    maxHandoffOutputBytes: config.maxHandoffOutputBytes
  }
}
