import { DOCTOR_API_TIMEOUT_MS } from './constants.js'
import type { DoctorCheck } from './index.js'
import type { RunningNode } from './local-checks.js'
import type { NodeStatus, PeerStatus } from '../node/status.js'

function describeReach (peer: PeerStatus): string {
  return peer.connected ? 'connected' : 'reachable, dialed when a request needs it'
}

/** The running node's own view, through its API: each peer reachable, or why not */
export async function checkLiveView (node: RunningNode, checks: DoctorCheck[]): Promise<void> {
  let status: NodeStatus
  try {
    const res = await fetch(`${node.baseUrl}/clawmatrix/status`, { headers: { authorization: `Bearer ${node.token}` }, signal: AbortSignal.timeout(DOCTOR_API_TIMEOUT_MS) })
    status = await res.json() as NodeStatus
  } catch (err: any) {
    checks.push({ name: 'live', status: 'warn', message: `the running node's status did not load: ${String(err.message)}`, fix: 'run `clawmatrix status` to see why' })
    return
  }
  const connected = status.peers.filter(p => p.connected).length
  if (status.gossip != null && connected > 0) {
    checks.push(status.gossip.meshPeers > 0
      ? { name: 'live gossipsub', status: 'ok', message: `${status.gossip.meshPeers} peer(s) in this node's mesh for the capabilities topic (${status.gossip.topicPeers} subscribed)` }
      : {
          name: 'live gossipsub',
          status: 'warn',
          message: `no peer in this node's gossipsub mesh for the capabilities topic (${status.gossip.topicPeers} subscribed, ${connected} connected): records arrive only through the exchange on connect`,
          fix: 'wait a heartbeat (about a second) and run doctor again; if it stays, see the peers\' logs for gossipsub (DEBUG=libp2p:gossipsub*)'
        })
  }
  for (const peer of status.peers) {
    checks.push(peer.reachable
      ? { name: `live ${peer.nodeId}`, status: 'ok', message: `${describeReach(peer)} (${peer.path}${peer.reachableVia != null ? ` via ${peer.reachableVia}` : ''}${peer.latencyMs != null ? `, ${peer.latencyMs} ms` : ''})` }
      : { name: `live ${peer.nodeId}`, status: 'warn', message: `unreachable${peer.lastError != null ? `: ${peer.lastError}` : ''}`, fix: 'see the peer checks above' })
  }
}
