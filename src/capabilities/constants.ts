export const PROTOCOL_PREFIX = 'clawmatrix'
/** gossipsub topic the signed records travel on */
export const CAPABILITIES_TOPIC = '/clawmatrix/capabilities/1.0.0'
/** request/response exchange of every live record, run on each new connection */
export const SYNC_PROTOCOL = '/clawmatrix/capabilities-sync/1.0.0'
/** signed-envelope domain and payload type of a capability record */
export const RECORD_DOMAIN = 'clawmatrix-capabilities'
export const RECORD_CODEC = new TextEncoder().encode('/cm/caps')

export const ANNOUNCE_INTERVAL_MS = 5000
export const RECORD_TTL_MS = 15_000
export const SYNC_TIMEOUT_MS = 5000

/** largest signed record accepted, in bytes */
export const MAX_RECORD_BYTES = 64 * 1024
/** largest state-exchange batch, in bytes */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024
/** most records (peers) a node keeps */
export const MAX_RECORDS = 1024
export const MAX_SYNC_STREAMS = 4

/** decode limits on repeated fields of one record */
export const RECORD_LIMITS = {
  agents: 256,
  models: 256,
  tags: 64,
  addrs: 32,
  agents$: { tags: 64 },
  models$: { input: 8 }
}
