import { logger } from '@libp2p/logger'
import { ToolStreamError } from './errors.js'
import type { ToolCallOptions, ToolService } from './index.js'
import type { ToolResult } from '../host/ports.js'
import type { MeshContext } from '../mesh/context.js'

export interface MeshToolOptions extends ToolCallOptions {
  /** how long to wait; default exec's `timeout` argument (else 1800 s), 120 s for other tools */
  timeoutMs?: number
}

export interface MeshToolResult extends ToolResult {
  /** the node that ran the call */
  nodeId: string
  peerId: string
  /** how that node was reached, as status `path` shows it */
  path: 'direct' | 'relayed'
  /** the relay when relayed, as status `reachableVia` names it; null when direct */
  via: string | null
  /** nodes tried: always 1, a call is never re-run elsewhere */
  attempts: number
}

const log = logger('clawmatrix:tool')

/**
 * Call a tool on another node. `node` is a node id, a peer ID or `tags:<tag>` (node tags); the
 * first ranked candidate that accepts tool calls is used, and a call is never re-run elsewhere:
 * a tool may have changed something before it failed. Throws NoRouteError when nothing matches,
 * ToolError with the serving node's code, ToolStreamError when the exchange failed.
 */
export async function invokeToolThroughMesh (ctx: MeshContext, node: string, tool: string, args: Record<string, unknown>, options: MeshToolOptions = {}): Promise<MeshToolResult> {
  const candidates = ctx.router.nodes(node)
  const target = candidates.find(c => c.record.toolProxy) ?? candidates[0]
  const service = ctx.libp2p.services.tool as ToolService | undefined
  if (service == null) throw new Error('this node runs no tool service (libp2p.services.tool)')
  const { timeoutMs, ...callOptions } = options
  log('tool %s on %s (%s%s)', tool, target.nodeId, target.path, target.via != null ? ` via ${target.via}` : '')
  const started = performance.now()
  const peerId = target.peerId.toString()
  const end = ctx.router.begin('tool', target.peerId)
  try {
    const result = await service.call(target.peerId, { tool, args, ...(timeoutMs != null ? { timeoutMs } : {}) }, callOptions)
    ctx.metrics?.toolCallEnded(target.nodeId, peerId, result.ok ? 'ok' : 'tool_error', started, result.ok ? undefined : `${tool} reported an error`)
    return { ...result, nodeId: target.nodeId, peerId, path: target.path, via: target.via, attempts: 1 }
  } catch (err: any) {
    ctx.metrics?.toolCallEnded(target.nodeId, peerId, options.signal?.aborted === true ? 'cancelled' : err?.code ?? 'internal', started, `${tool}: ${String(err?.message ?? err)}`)
    if (err instanceof ToolStreamError) ctx.router.markFailed(target.peerId)
    throw err
  } finally {
    end()
  }
}
