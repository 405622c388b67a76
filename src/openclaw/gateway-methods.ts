import { HttpError } from '../http/respond.js'
import { issueInvite, membershipDocument, revokeMember, rotateSecret } from '../node/membership-requests.js'
import { INVITE_METHOD, MEMBERS_METHOD, PEERS_METHOD, REVOKE_METHOD, ROTATE_SECRET_METHOD, STATUS_METHOD } from './constants.js'
import type { MeshLifecycle } from './mesh-lifecycle.js'
import type { GatewayError, GatewayMethodRequest, OpenClawPluginApi } from './openclaw-api.js'
import type { ClawMatrixNode } from '../node/clawmatrix.js'
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

/** A refused request as OpenClaw's gateway errors say it; ClawMatrix's own code in `details` */
export function gatewayErrorOf (err: unknown): GatewayError {
  if (err instanceof HttpError) {
    const code = err.status === 403 ? 'FORBIDDEN' : err.status >= 500 ? 'UNAVAILABLE' : 'INVALID_REQUEST'
    return { code, message: err.message, details: { code: err.code } }
  }
  return { code: 'UNAVAILABLE', message: String((err as Error)?.message ?? err) }
}

/** Answer with what `handle` gives on the running node, why no node runs, or why it refused */
function onNode (mesh: MeshLifecycle, handle: (node: ClawMatrixNode, params: Record<string, unknown>) => unknown) {
  return async ({ params, respond }: GatewayMethodRequest): Promise<void> => {
    const state = mesh.state
    if (state.phase !== 'running') {
      respond(true, { running: false, phase: state.phase, reason: state.reason } satisfies NotRunning)
      return
    }
    try {
      respond(true, await handle(state.node, params ?? {}))
    } catch (err) {
      respond(false, undefined, gatewayErrorOf(err))
    }
  }
}

/** `clawmatrix.revoke` names its subject `target` (the CLI's argument); the node's request says `subject` */
function revokeRequestOf (params: Record<string, unknown>): Record<string, unknown> {
  if (typeof params.target !== 'string') throw new HttpError(400, 'bad_request', 'target must be a node id or a peer ID')
  return { subject: params.target, ...(params.reason !== undefined ? { reason: params.reason } : {}) }
}

export function registerGatewayMethods (api: OpenClawPluginApi, mesh: MeshLifecycle): void {
  api.registerGatewayMethod(STATUS_METHOD, ({ respond }) => { respond(true, statusPayload(mesh)) }, { scope: 'operator.read' })
  api.registerGatewayMethod(PEERS_METHOD, ({ respond }) => { respond(true, peersPayload(mesh)) }, { scope: 'operator.read' })
  api.registerGatewayMethod(MEMBERS_METHOD, onNode(mesh, node => membershipDocument(node.membership)), { scope: 'operator.read' })
  // the answer holds the cluster secret
  api.registerGatewayMethod(INVITE_METHOD, onNode(mesh, async (node, params) => await issueInvite(node.libp2p.services.invites, params)), { scope: 'operator.admin' })
  api.registerGatewayMethod(REVOKE_METHOD, onNode(mesh, async (node, params) => await revokeMember(node.membership, revokeRequestOf(params))), { scope: 'operator.admin' })
  api.registerGatewayMethod(ROTATE_SECRET_METHOD, onNode(mesh, async (node, params) => await rotateSecret(node.membership, params)), { scope: 'operator.admin' })
}
