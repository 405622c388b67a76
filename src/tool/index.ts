import { ToolService } from './tool-service.js'
import type { AuditLogInit } from './audit-log.js'
import type { OutputChannel } from './wire.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { ToolExecutor } from '../host/ports.js'
import type { ComponentLogger, PeerId } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export interface ToolServiceInit {
  /** nodeId, dataDir, peers and toolProxy (the policy) are read from here */
  config: ClawMatrixConfig
  /** runs the tools this node offers */
  executor: ToolExecutor
  /** the node id a peer announced (from the router's records), for the audit log and messages */
  nodeIdOf?: (peerId: PeerId) => string | undefined
  audit?: AuditLogInit
}

export interface ToolServiceComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface ToolCallRequest {
  tool: string
  args: Record<string, unknown>
  /** how long to wait; default exec's `timeout` argument (else 1800 s), 120 s for other tools */
  timeoutMs?: number
}

export interface ToolCallOptions {
  signal?: AbortSignal
  /** streamed output (exec's stdout and stderr); without it, output is put in front of the content */
  onOutput?: (chunk: Uint8Array, channel: OutputChannel) => void
  /** the most output and content bytes collected from one answer */
  maxResponseBytes?: number
}

/** `tool` in libp2p.services: serves /clawmatrix/tool/1.0.0 under the node's policy and calls other nodes */
export function toolService (init: ToolServiceInit): (components: ToolServiceComponents) => ToolService {
  return (components) => new ToolService(components, init)
}

export { ToolService } from './tool-service.js'
export { ToolStreamError } from './errors.js'
export { ToolError } from '../host/tool-error.js'
export type { ToolErrorCode } from '../host/tool-error.js'
export type { OutputChannel } from './wire.js'
export type { AuditEntry } from './audit-entry.js'
export type { AuditLogInit } from './audit-log.js'
export { invokeToolThroughMesh } from './caller.js'
export type { MeshToolOptions, MeshToolResult } from './caller.js'
export { isOpenToAllMembers, toolProxyWarnings } from './policy.js'
export { TOOL_PROTOCOL, AUDIT_LOG_FILE } from './constants.js'
