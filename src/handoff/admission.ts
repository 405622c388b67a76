import { MAX_ID_LENGTH } from './constants.js'
import { HandoffError } from './errors.js'
import type { AgentRunner } from '../host/ports.js'

/** What a serving node checks before it runs or delivers anything */
export interface AdmissionLimits {
  nodeId: string
  runner?: AgentRunner
  /** agent ids this node offers; undefined = whatever the runner can run */
  agents?: ReadonlySet<string>
  maxTaskBytes: number
  maxContextBytes: number
}

export function checkId (field: string, value: string | undefined, required: boolean): HandoffError | undefined {
  if (value == null || value === '') return required ? new HandoffError('bad_request', `${field} is missing`) : undefined
  if (value.length > MAX_ID_LENGTH) return new HandoffError('bad_request', `${field} is longer than ${MAX_ID_LENGTH} characters`)
  return undefined
}

export function checkSize (what: string, text: string, limit: number, limitName: string, code: 'task_too_large' | 'context_too_large'): HandoffError | undefined {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes <= limit) return undefined
  return new HandoffError(code, `${what} of ${bytes} bytes is over the limit of ${limit} bytes (${limitName})`)
}

/** Whether this node can run `agent` at all: unknown_agent or no_runner otherwise */
export function checkAgent (limits: AdmissionLimits, agent: string): HandoffError | undefined {
  if (limits.agents != null && !limits.agents.has(agent)) {
    const offered = limits.agents.size === 0 ? 'none' : [...limits.agents].join(', ')
    return new HandoffError('unknown_agent', `node "${limits.nodeId}" does not offer agent "${agent}" (it offers: ${offered})`)
  }
  if (limits.runner == null || !limits.runner.canRun(agent)) {
    return new HandoffError('no_runner', `agent "${agent}" on node "${limits.nodeId}" has nothing to run it (no command configured)`)
  }
  return undefined
}
