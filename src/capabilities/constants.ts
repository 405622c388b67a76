/** gossipsub topic the signed records travel on */
export const CAPABILITIES_TOPIC = '/clawmatrix/capabilities/1.0.0'
/** the state exchange run on each new connection: digests of (signer, seq), then only the records missing */
export const SYNC_DIGEST_PROTOCOL = '/clawmatrix/capabilities-sync/2.0.0'
/** the earlier state exchange (every live record both ways), still answered for nodes before 2.0.0 */
export const SYNC_PROTOCOL = '/clawmatrix/capabilities-sync/1.0.0'
/** signed-envelope domain and payload type of a capability record */
export const RECORD_DOMAIN = 'clawmatrix-capabilities'
export const RECORD_CODEC = new TextEncoder().encode('/cm/caps')
/** the file in a node's dataDir that keeps the highest record seq it signed */
export const SEQ_FILE = 'record-seq'

export const ANNOUNCE_INTERVAL_MS = 5000
export const RECORD_TTL_MS = 15_000
/** the whole state exchange (open, both batches, both closes) runs within this */
export const SYNC_TIMEOUT_MS = 5000
/** after both batches, how long the remote gets to close its side before the stream is reset */
export const SYNC_CLOSE_TIMEOUT_MS = 2000

/** largest signed record accepted, in bytes */
export const MAX_RECORD_BYTES = 64 * 1024
/** largest state-exchange batch, in bytes (the protobuf message, without its length prefix) */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024
/** most records (peers) a node keeps */
export const MAX_RECORDS = 1024
/** most envelopes in one state-exchange batch */
export const MAX_BATCH_RECORDS = MAX_RECORDS + 1
/**
 * most records of unanchored signers (no live connection to this node, not configured, not in
 * `members`) first learned through one connection; more from that connection replace its oldest
 */
export const MAX_UNANCHORED_PER_SOURCE = MAX_RECORDS / 4
export const MAX_SYNC_STREAMS = 4

/**
 * how far a record's `seq` (microseconds since the epoch) may run ahead of this node's clock;
 * records further ahead are refused, so one wrong clock cannot hide a node for long
 */
export const MAX_SEQ_AHEAD_MS = 5 * 60 * 1000

/** most callers one model may be restricted to (`models[].peers`), announced with the model */
export const MAX_MODEL_CALLERS = 64
/** longest announced `unavailableReason`, in characters; a serving node cuts longer ones */
export const MAX_UNAVAILABLE_REASON_CHARS = 500
/** longest announced upstream API name, in characters */
export const MAX_UPSTREAM_API_CHARS = 64

/** decode limits on repeated fields of one record */
export const RECORD_LIMITS = {
  agents: 256,
  models: 256,
  tags: 64,
  addrs: 32,
  agents$: { tags: 64 },
  models$: { input: 8, callers: MAX_MODEL_CALLERS }
}
