import { HandoffService } from './handoff-service.js'
import type { HandoffComponents, HandoffServiceInit } from './handoff-service.js'

export { HandoffService } from './handoff-service.js'
export type { HandoffComponents, HandoffServiceInit } from './handoff-service.js'
export type { AgentMessage, HandoffTask, RemoteRunEvent, RemoteRunResult, RunOptions, RunningHandoff, SendReceipt } from './types.js'
export { handoffThroughMesh, sendThroughMesh } from './through-mesh.js'
export type { HandoffEvent, HandoffOptions, HandoffResult, SendOptions, SendResult } from './through-mesh.js'
export { HandoffError, HandoffTimeoutError, HandoffTransportError, HandoffDialError, HandoffProtocolError, isRetryable } from './errors.js'
export type { HandoffErrorCode } from './errors.js'
export { handoffInitFromConfig } from './config.js'
export { HANDOFF_PROTOCOL, MAX_RETRIES } from './constants.js'

/** The agent plane's libp2p service (key `handoff` in `libp2p.services`) */
export function handoffService (init: HandoffServiceInit): (components: HandoffComponents) => HandoffService {
  return (components) => new HandoffService(components, init)
}
