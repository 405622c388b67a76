/**
 * The tool plane: `/clawmatrix/tool/1.0.0` runs one tool call per stream on another node, under
 * that node's toolProxy policy, and streams its output back. Every call served is one line of
 * the serving node's audit log.
 *
 * @example
 *
 * ```ts
 * const node = await createLibp2p({
 *   ...,
 *   services: { tool: toolService(toolInitFromConfig(config, standaloneToolExecutor())) }
 * })
 * const result = await node.services.tool.call(peerId, { tool: 'exec', args: { command: 'uname -a' } })
 * ```
 */

import { DefaultToolService } from './tool-service.js'
import type { AuditLog, AuditLogInit } from './audit.js'
import type { OutputChannel } from './response.js'
import type { PeerConfig, ToolProxyConfig } from '../config/schema.js'
import type { ToolExecutor, ToolResult } from '../host/ports.js'
import type { ComponentLogger, PeerId } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export interface ToolServiceInit {
  /** this node's id, in messages to callers */
  nodeId: string
  /** holds the audit log; the file tools may never touch anything in it */
  dataDir: string
  /** the policy (enabled, allow, deny, peers), the roots of the file tools, the output budget and the exec cap */
  toolProxy: ToolProxyConfig
  /** the config's `peers[]`: a node id in toolProxy.peers counts where one of them pins it to a peer ID */
  peers?: PeerConfig[]
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

/** `tool` in libp2p.services */
export interface ToolService {
  /** the audit log of the calls this node served: `file`, and `flush()` to wait for pending lines */
  readonly audit: Pick<AuditLog, 'file' | 'flush'>
  /**
   * Call `request.tool` on `peer` and wait for its result. Throws ToolError with the serving
   * node's code, ToolStreamError when the exchange itself failed, or the signal's reason.
   */
  call(peer: PeerId, request: ToolCallRequest, options?: ToolCallOptions): Promise<ToolResult>
  /** tool calls running on this node now */
  runningCalls(): number
}

/** `tool` in libp2p.services: serves /clawmatrix/tool/1.0.0 under the node's policy and calls other nodes */
export function toolService (init: ToolServiceInit): (components: ToolServiceComponents) => ToolService {
  return (components) => new DefaultToolService(components, init)
}

export { toolInitFromConfig } from './from-config.js'
export { ToolError, ToolStreamError, httpStatusOf } from './errors.js'
export type { ToolErrorCode } from './errors.js'
export type { OutputChannel } from './response.js'
export type { AuditEntry, AuditLogInit } from './audit.js'
export { invokeToolThroughMesh } from './caller.js'
export type { MeshToolOptions, MeshToolResult } from './caller.js'
export { isOpenToAllMembers, toolProxyWarnings } from './policy.js'
export { TOOL_PROTOCOL, AUDIT_LOG_FILE } from './constants.js'
