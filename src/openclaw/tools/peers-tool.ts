import { z } from 'zod'
import { defineTool, textResult } from './tool-kit.js'
import type { MeshLifecycle } from '../mesh-lifecycle.js'
import type { AgentTool } from '../openclaw-api.js'
import type { PeerStatus } from '../../node/status.js'

function list (items: string[]): string {
  return items.length > 0 ? items.join(', ') : '-'
}

function reach (peer: PeerStatus): string {
  if (peer.standing !== 'ok') return `not used (${peer.standing})`
  if (!peer.reachable) return `unreachable${peer.lastError != null ? ` (${peer.lastError})` : ''}`
  const via = peer.path === 'relayed' ? ` via ${peer.reachableVia ?? 'a relay'}` : ''
  const how = peer.connected ? 'connected' : 'reachable on demand,'
  return `${how} ${peer.path}${via}${peer.latencyMs != null ? `, ${peer.latencyMs} ms` : ''}`
}

/** One line per peer, in words a model can act on */
export function describePeers (selfNodeId: string, peers: PeerStatus[]): string {
  if (peers.length === 0) return `This node is ${selfNodeId}. No peers known yet.`
  const lines = peers.map(peer => [
    `- ${peer.nodeId} (${peer.peerId ?? 'peer ID unknown'}): ${reach(peer)}`,
    `  agents: ${list(peer.agents.map(a => a.tags.length > 0 ? `${a.id} [${a.tags.join(', ')}]` : a.id))}`,
    `  models: ${list(peer.models.filter(m => m.available).map(m => m.id))}`,
    `  tags: ${list(peer.tags)}; remote tools: ${peer.toolProxy ? 'accepted' : 'off'}`
  ].join('\n'))
  return `This node is ${selfNodeId}. Peers:\n${lines.join('\n')}`
}

export function peersTool (mesh: MeshLifecycle): AgentTool {
  return defineTool({
    name: 'cluster_peers',
    label: 'Cluster peers',
    description: 'List the nodes of the ClawMatrix mesh: whether each is connected (directly or through a relay), latency, and the agents, models, tags and remote tools each offers.',
    schema: z.object({}),
    run: async () => {
      const node = mesh.node()
      const peers = node.peers()
      return textResult(describePeers(node.nodeId, peers), { nodeId: node.nodeId, peerId: node.peerId, peers })
    }
  })
}
