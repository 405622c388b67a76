import type { ClawMatrixConfig } from '../config/resolve.js'
import type { Router } from '../router/router.js'
import type { MeshMetrics } from '../metrics/index.js'
import type { Libp2p } from '@libp2p/interface'

/** Deadline for any dial made on behalf of a request */
export const REQUEST_DIAL_TIMEOUT_MS = 5000

/**
 * What a plane's caller side needs from the running node: the config, the libp2p node (with
 * the plane's service in `libp2p.services`), and the router.
 */
export interface MeshContext {
  readonly config: ClawMatrixConfig
  readonly nodeId: string
  readonly libp2p: Libp2p<any>
  readonly router: Router
  /** counts of what the callers send, when the node keeps metrics */
  readonly metrics?: MeshMetrics
}
