import { CapabilitiesService } from './capabilities-service.js'
import type { CapabilitiesComponents, CapabilitiesInit } from './capabilities-service.js'

export { CapabilitiesService } from './capabilities-service.js'
export type { CapabilitiesInit, CapabilitiesComponents, LocalCapabilities } from './capabilities-service.js'
export type { CapabilityRecord, AgentCapability, ModelCapability } from './types.js'
export { CAPABILITIES_TOPIC, SYNC_PROTOCOL, RECORD_DOMAIN, RECORD_TTL_MS, ANNOUNCE_INTERVAL_MS } from './constants.js'
export { InvalidRecordError, openRecord, sealRecord } from './record.js'

/** the file in a node's dataDir that keeps the highest record seq it signed */
export const SEQ_FILE = 'record-seq'

/** The capability service: signed records over gossipsub plus an on-connect state exchange */
export function capabilities (init: CapabilitiesInit): (components: CapabilitiesComponents) => CapabilitiesService {
  return (components) => new CapabilitiesService(components, init)
}
