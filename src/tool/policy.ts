import { ToolError } from './errors.js'
import { allowedPeerIds, unpinnedEntries } from '../mesh/allowed-peers.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { ToolCaller } from '../host/ports.js'

type PolicyConfig = Pick<ClawMatrixConfig, 'nodeId' | 'peers' | 'toolProxy'>

/** The peer IDs toolProxy.peers lets in, or null for every member */
export function allowedCallers (config: PolicyConfig): Set<string> | null {
  return allowedPeerIds(config.toolProxy.peers, config.peers)
}

/** toolProxy.peers entries that match nobody: neither a peer ID nor a pinned node id */
export function unpinnedPeerEntries (config: PolicyConfig): string[] {
  return unpinnedEntries(config.toolProxy.peers, config.peers)
}

function allowsEveryTool (config: PolicyConfig): boolean {
  const { allow } = config.toolProxy
  return allow.length === 0 || allow.includes('*')
}

/** Enabled, every tool allowed and every member may call: what `start` warns about */
export function isOpenToAllMembers (config: PolicyConfig): boolean {
  return config.toolProxy.enabled && allowsEveryTool(config) && config.toolProxy.peers.length === 0
}

/** What `start` should say about the tool policy */
export function toolProxyWarnings (config: PolicyConfig): string[] {
  const warnings: string[] = []
  if (isOpenToAllMembers(config)) {
    warnings.push('toolProxy is open to all members: every node holding the secret may run any tool here, shell commands included (restrict toolProxy.allow and toolProxy.peers)')
  }
  for (const entry of unpinnedPeerEntries(config)) {
    warnings.push(`toolProxy.peers: "${entry}" is neither a peer ID nor a node id pinned by peers[].peerId, so it lets nobody in`)
  }
  return warnings
}

export function toolPermitted (config: PolicyConfig, tool: string): boolean {
  const { allow, deny } = config.toolProxy
  if (deny.includes(tool) || deny.includes('*')) return false
  return allowsEveryTool(config) || allow.includes(tool)
}

/**
 * Why this caller may not call this tool here, or undefined when it may. Checked in order:
 * enabled, caller, deny (wins), allow, offered.
 */
export function policyRefusal (config: PolicyConfig, caller: ToolCaller, tool: string, offered: readonly string[]): ToolError | undefined {
  const node = config.nodeId
  const { toolProxy } = config
  if (!toolProxy.enabled) return new ToolError('disabled', `tool proxy disabled on ${node}`)
  const callers = allowedCallers(config)
  if (callers != null && !callers.has(caller.peerId)) {
    const claim = caller.nodeId != null ? ` (node id "${caller.nodeId}")` : ''
    return new ToolError('denied', `peer ${caller.peerId}${claim} is not in toolProxy.peers on ${node}`)
  }
  if (toolProxy.deny.includes(tool) || toolProxy.deny.includes('*')) {
    return new ToolError('denied', `tool "${tool}" is in toolProxy.deny on ${node}`)
  }
  if (!allowsEveryTool(config) && !toolProxy.allow.includes(tool)) {
    return new ToolError('denied', `tool "${tool}" is not in toolProxy.allow on ${node}`)
  }
  if (!offered.includes(tool)) {
    const available = offered.filter(t => toolPermitted(config, t))
    return new ToolError('not_found', `no tool "${tool}" on ${node}${available.length > 0 ? `; available: ${available.join(', ')}` : ''}`)
  }
  return undefined
}
