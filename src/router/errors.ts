import { ClawMatrixError } from '../errors/clawmatrix-error.js'

/**
 * No peer can take the request: `unknown_target` when nothing in the mesh matches, `unreachable`
 * when something matches but no path to it is usable now. `offers` lists what is on offer.
 */
export class NoRouteError extends ClawMatrixError<'unknown_target' | 'unreachable'> {
  static override readonly name = 'NoRouteError'
  override readonly name = 'NoRouteError'

  constructor (code: 'unknown_target' | 'unreachable', message: string, readonly offers: string[] = []) {
    super(code, offers.length > 0 && code === 'unknown_target' ? `${message}; on offer: ${offers.join(', ')}` : message)
  }
}

/** Nodes announce the model, but none lets this node call it (`models[].peers` on those nodes) */
export class NotSharedError extends ClawMatrixError<'not_shared'> {
  static override readonly name = 'NotSharedError'
  override readonly name = 'NotSharedError'

  constructor (message: string) {
    super('not_shared', message)
  }
}
