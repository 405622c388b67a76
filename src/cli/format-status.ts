import Table from 'cli-table3'
import { terminalSafe as safe } from './terminal-text.js'
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

/** What `clawmatrix status` prints: this node, then one row per peer */
export function formatStatus (status: NodeStatus): string {
  const lines = [
    `Node:    ${safe(status.nodeId)} (${safe(status.peerId)})`,
    `Tags:    ${list(status.tags)}`,
    `Listen:  ${status.listen ? list(status.listenAddrs.filter(a => !a.includes('p2p-circuit'))) : 'no (dials out)'}`,
    `Proxy:   http://${safe(status.proxyHost)}:${status.proxyPort}/v1`,
    `Agents:  ${list(status.agents.map(a => a.id))}`,
    `Models:  ${list(status.models.map(m => m.available ? m.id : `${m.id} (unavailable)`))}`,
    `Tools:   ${status.toolProxy.enabled ? (status.toolProxy.openToAllMembers ? 'open to all members' : 'enabled, restricted') : 'off'}`
  ]
  const rejected = status.rejectedRecords
  if (rejected.malformed + rejected.signature + rejected.nonMember + rejected.seqAhead + rejected.tableFull > 0) {
    lines.push(`Refused records: ${rejected.malformed} malformed, ${rejected.signature} bad signature, ${rejected.nonMember} non-member, ${rejected.seqAhead} seq too far ahead, ${rejected.tableFull} no place (peer table full)`)
  }
  lines.push('', status.peers.length === 0 ? 'Peers:   none yet' : `Peers (${status.peers.length}):`)
  if (status.peers.length > 0) lines.push(formatPeers(status.peers))
  return lines.join('\n') + '\n'
}

export function formatPeers (peers: PeerStatus[]): string {
  const table = new Table({
    head: ['node', 'path', 'latency', 'tags', 'agents', 'models', 'peer ID'],
    style: { head: [], border: [] }
  })
  for (const peer of peers) {
    table.push([
      safe(peer.nodeId),
      pathLabel(peer),
      peer.latencyMs != null ? `${peer.latencyMs} ms` : '-',
      list(peer.tags),
      list(peer.agents.map(a => a.id)),
      list(peer.models.map(m => m.id)),
      safe(peer.peerId ?? '?')
    ])
  }
  return table.toString()
}
