import { PEERS_METHOD, STATUS_METHOD } from './constants.js'
import type { MeshLifecycle } from './mesh-lifecycle.js'
import type { OpenClawPluginApi } from './openclaw-api.js'
import type { NodeStatus, PeerStatus } from '../node/status.js'

/** What the gateway methods answer while no node runs */
export interface NotRunning {
  running: false
  phase: 'stopped' | 'starting' | 'disabled' | 'failed'
  reason: string
}

/** `clawmatrix.status`: the same document as the standalone GET /clawmatrix/status, or why there is none */
export function statusPayload (mesh: MeshLifecycle): NodeStatus | NotRunning {
  const state = mesh.state
  if (state.phase !== 'running') return { running: false, phase: state.phase, reason: state.reason }
  return state.node.status()
}

/** `clawmatrix.peers`: the same list as GET /clawmatrix/peers, or why there is none */
export function peersPayload (mesh: MeshLifecycle): PeerStatus[] | NotRunning {
  const state = mesh.state
  if (state.phase !== 'running') return { running: false, phase: state.phase, reason: state.reason }
  return state.node.peers()
}

export function isNotRunning (payload: unknown): payload is NotRunning {
  return payload != null && typeof payload === 'object' && (payload as { running?: unknown }).running === false
}

export function registerGatewayMethods (api: OpenClawPluginApi, mesh: MeshLifecycle): void {
  api.registerGatewayMethod(STATUS_METHOD, ({ respond }) => { respond(true, statusPayload(mesh)) }, { scope: 'operator.read' })
  api.registerGatewayMethod(PEERS_METHOD, ({ respond }) => { respond(true, peersPayload(mesh)) }, { scope: 'operator.read' })
}
