/**
 * No peer can take the request: `unknown_target` when nothing in the mesh matches, `unreachable`
 * when something matches but no path to it is usable now. `offers` lists what is on offer.
 */
export class NoRouteError extends Error {
  override readonly name = 'NoRouteError'
  constructor (readonly code: 'unknown_target' | 'unreachable', message: string, readonly offers: string[] = []) {
    super(offers.length > 0 && code === 'unknown_target' ? `${message}; on offer: ${offers.join(', ')}` : message)
  }
}

/** Nodes announce the model, but none lets this node call it (`models[].peers` on those nodes) */
export class NotSharedError extends Error {
  override readonly name = 'NotSharedError'
}
