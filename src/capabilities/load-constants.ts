/** gossipsub topic of live load reports (protocols/load.proto), apart from the signed records */
export const LOAD_TOPIC = '/clawmatrix/load/1.0.0'

/** a node sends at most one report per this; it also looks at its own load this often */
export const LOAD_MIN_INTERVAL_MS = 250
/** a node that is not idle repeats its report this often, so receivers' entries do not expire */
export const LOAD_REFRESH_MS = 2000
/** a received report counts this long after it arrived (local clock); afterwards the sender counts as unknown */
export const LOAD_TTL_MS = 5000
/** a change of in-flight requests of at least this share of the limit (and at least one) is worth a report */
export const LOAD_STEP = 0.1
/** a change of the error rate of at least this is worth a report */
export const ERROR_RATE_STEP = 0.05

/** largest report accepted, in bytes */
export const MAX_LOAD_REPORT_BYTES = 16 * 1024
/** decode limits on a report's repeated fields */
export const LOAD_REPORT_LIMITS = { planes: 8, models: 256 }
/** senders whose load a node keeps; the one heard from longest ago makes room */
export const MAX_LOAD_ENTRIES = 1024
