import Table from 'cli-table3'
import { terminalSafe as safe } from './terminal-text.js'
import type { ModelCapability } from '../capabilities/types.js'
import type { CallerUsage, ModelUsage } from '../model/usage.js'
import type { NodeStatus, PeerStatus } from '../node/status.js'

/** Every string here may come from a peer: each goes through `safe` (terminal-text.ts) */
function list (items: string[]): string {
  return items.length > 0 ? items.map(safe).join(', ') : '-'
}

function pathLabel (peer: PeerStatus): string {
  if (peer.standing !== 'ok') return safe(peer.standing)
  if (peer.path === 'relayed') return `relayed via ${safe(peer.reachableVia ?? '?')}`
  return safe(peer.path)
}

export function plainTable (head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } })
}

/** `upstream → consumer` API, or the one API when both are the same */
function apiLabel (model: ModelCapability): string {
  const consumer = model.api ?? 'openai-completions'
  if (model.upstreamApi == null || model.upstreamApi === consumer) return safe(consumer)
  return `${safe(model.upstreamApi)} → ${safe(consumer)}`
}

function callersLabel (model: ModelCapability): string {
  if (model.callers == null) return 'all members'
  return model.callers.length === 1 ? '1 peer' : `${model.callers.length} peers`
}

/** This node's own models: API, state, who may call; then why each unavailable one is (reasons can be long) */
function formatModels (models: ModelCapability[]): string {
  const table = plainTable(['model', 'API', 'state', 'callers'])
  for (const model of models) table.push([safe(model.id), apiLabel(model), model.available ? 'available' : 'unavailable', callersLabel(model)])
  const reasons = models.filter(m => !m.available).map(m => `  ${safe(m.id)}: ${safe(m.unavailableReason ?? 'no reason given')}`)
  return [table.toString(), ...(reasons.length > 0 ? ['Unavailable:', ...reasons] : [])].join('\n')
}

/** `12 ok, 1 upstream error`: the outcomes that happened */
function requestsLabel (usage: CallerUsage): string {
  const names: Array<[keyof CallerUsage['requests'], string]> = [
    ['ok', 'ok'], ['upstreamError', 'upstream error'], ['failed', 'failed'], ['cancelled', 'cancelled'], ['refused', 'refused'], ['denied', 'denied']
  ]
  const parts = names.filter(([key]) => usage.requests[key] > 0).map(([key, name]) => `${usage.requests[key]} ${name}`)
  if (usage.unmetered > 0) parts.push(`${usage.unmetered} without usage`)
  return parts.join(', ')
}

/** Requests and tokens per caller of each model served here */
export function formatModelUsage (usage: ModelUsage[]): string {
  const table = plainTable(['model', 'caller', 'requests', 'prompt', 'completion', 'total', 'cached'])
  for (const model of usage) {
    for (const caller of model.callers) {
      const { tokens } = caller
      table.push([
        safe(model.model),
        caller.nodeId != null ? `${safe(caller.nodeId)} (${safe(caller.peerId.slice(-8))})` : safe(caller.peerId),
        requestsLabel(caller),
        String(tokens.prompt),
        String(tokens.completion),
        String(tokens.total),
        String(tokens.cached)
      ])
    }
  }
  return table.toString()
}

/** why this node is not a member, as `status` says it (`clawmatrix doctor` says what to do) */
const OWN_PROBLEM: Record<NonNullable<NonNullable<NodeStatus['membership']>['problem']>, string> = {
  revoked: 'this node is revoked',
  issuerRevoked: 'its certificate was issued by a revoked admin',
  expired: 'its certificate expired',
  untrusted: 'its certificate is from no admin known here',
  uncertified: 'no certificate of its own'
}

/** this node's certificate, and the peers on probation or refused */
function membershipLabel (membership: NonNullable<NodeStatus['membership']>): string {
  const own = membership.certificate
  const parts = [own != null ? `certified as ${safe(own.nodeId)}${own.expiresAt != null ? ` until ${new Date(own.expiresAt).toISOString()}` : ''}` : OWN_PROBLEM[membership.problem ?? 'uncertified']]
  if (membership.canCertify) parts.push('admin')
  if (membership.probation.length > 0) parts.push(`${membership.probation.length} on probation`)
  if (membership.refused.length > 0) parts.push(`${membership.refused.length} refused`)
  if ((membership.revocationCount ?? 0) > 0) parts.push(`${membership.revocationCount} revoked`)
  return parts.join(', ')
}

/** the cluster key's fingerprint and generation, and a pending switch */
export function clusterKeyLabel (key: NonNullable<NodeStatus['clusterKey']>): string {
  const pending = key.pending != null ? `; switching to generation ${key.pending.generation} at ${new Date(key.pending.switchAt).toISOString()} (rotation by ${safe(key.pending.issuer)})` : ''
  return `${key.fingerprint} (generation ${key.generation})${pending}`
}

/** a dial-out node's relay slots: `hub-1 (held), hub-2 (no free relay slot)` */
function relaysLabel (relays: NodeStatus['relays']): string {
  if (relays.length === 0) return 'no relay slot held yet'
  return relays.map(r => `${safe(r.hub)} (${r.state})`).join(', ')
}

/** a listening node's addresses; a dial-out node's direct-only TCP listener (LAN peers) when it has one */
function listenLabel (status: NodeStatus): string {
  const direct = status.listenAddrs.filter(a => !a.includes('p2p-circuit'))
  if (status.listen) return list(direct)
  return direct.length > 0 ? `no (dials out; direct connections only at ${list(direct)})` : 'no (dials out)'
}

/** a dial-out node's hole punching: the public address peers punch to, or why there is none */
function holePunchLabel (holePunch: NonNullable<NodeStatus['holePunch']>): string {
  if (holePunch.publicAddr != null) return `from TCP port ${holePunch.localPort}, peers punch to ${safe(holePunch.publicAddr)}`
  return `from TCP port ${holePunch.localPort}, no public address: ${safe(holePunch.reason ?? 'unknown')}`
}

/** What `clawmatrix status` prints: this node, then one row per peer */
export function formatStatus (status: NodeStatus): string {
  const lines = [
    `Node:    ${safe(status.nodeId)} (${safe(status.peerId)})`,
    `Tags:    ${list(status.tags)}`,
    `Listen:  ${listenLabel(status)}`,
    ...(!status.listen ? [`Relays:  ${relaysLabel(status.relays ?? [])}`] : []),
    ...(status.holePunch != null ? [`Punch:   ${holePunchLabel(status.holePunch)}`] : []),
    `Proxy:   http://${safe(status.proxyHost)}:${status.proxyPort}/v1`,
    `Agents:  ${list(status.agents.map(a => a.id))}`,
    `Models:  ${status.models.length > 0 ? '' : '-'}`,
    ...(status.models.length > 0 ? [formatModels(status.models)] : []),
    `Tools:   ${status.toolProxy.enabled ? (status.toolProxy.openToAllMembers ? 'open to all members' : 'enabled, restricted') : 'off'}`,
    ...(status.membership?.mode === 'certificates' ? [`Members: certificates (${membershipLabel(status.membership)})`] : []),
    ...(status.clusterKey != null ? [`Key:     ${clusterKeyLabel(status.clusterKey)}`] : [])
  ]
  const rejected = status.rejectedRecords
  const uncertified = (rejected.uncertified ?? 0) + (rejected.uncertifiedNodeId ?? 0) + (rejected.revoked ?? 0)
  if (rejected.malformed + rejected.signature + rejected.nonMember + rejected.seqAhead + rejected.tableFull + uncertified > 0) {
    lines.push(`Refused records: ${rejected.malformed} malformed, ${rejected.signature} bad signature, ${rejected.nonMember} non-member, ${rejected.seqAhead} seq too far ahead, ${rejected.tableFull} no place (peer table full)` +
      (uncertified > 0 ? `, ${rejected.uncertified ?? 0} uncertified, ${rejected.uncertifiedNodeId ?? 0} node id not the certified one, ${rejected.revoked ?? 0} revoked` : ''))
  }
  const usage = (status.modelUsage ?? []).filter(m => m.callers.length > 0)
  if (usage.length > 0) {
    const evicted = usage.reduce((n, m) => n + m.evicted, 0)
    lines.push('', `Model usage since start${evicted > 0 ? ` (${evicted} least recent callers dropped)` : ''}:`, formatModelUsage(usage))
  }
  lines.push('', status.peers.length === 0 ? 'Peers:   none yet' : `Peers (${status.peers.length}):`)
  if (status.peers.length > 0) lines.push(formatPeers(status.peers, status.peerId))
  return lines.join('\n') + '\n'
}

/** a peer's model as listed in the peers table: why it cannot be used from here, if so */
function peerModelLabel (model: ModelCapability, self?: string): string {
  if (!model.available) return `${model.id} (unavailable)`
  if (self != null && model.callers != null && !model.callers.includes(self)) return `${model.id} (not shared)`
  return model.id
}

export function formatPeers (peers: PeerStatus[], self?: string): string {
  const table = plainTable(['node', 'path', 'latency', 'tags', 'agents', 'models', 'peer ID'])
  for (const peer of peers) {
    table.push([
      safe(peer.nodeId),
      pathLabel(peer),
      peer.latencyMs != null ? `${peer.latencyMs} ms` : '-',
      list(peer.tags),
      list(peer.agents.map(a => a.id)),
      list(peer.models.map(m => peerModelLabel(m, self))),
      safe(peer.peerId ?? '?')
    ])
  }
  return table.toString()
}
