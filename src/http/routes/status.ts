import { sendJson } from '../respond.js'
import type { Route } from '../route.js'
import type { NodeStatus, PeerStatus } from '../../node/status.js'

export interface StatusSource {
  status(): NodeStatus
  peers(): PeerStatus[]
}

/** GET /clawmatrix/status (what `clawmatrix status --json` prints) and GET /clawmatrix/peers */
export function statusRoutes (node: StatusSource): Route[] {
  return [
    { method: 'GET', path: '/clawmatrix/status', auth: 'api', handle: async ({ res }) => { sendJson(res, 200, node.status()) } },
    { method: 'GET', path: '/clawmatrix/peers', auth: 'api', handle: async ({ res }) => { sendJson(res, 200, node.peers()) } }
  ]
}
