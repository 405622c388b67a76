/** ms a doctor's libp2p dial to one peer may take (pnet, Noise, Yamux included) */
export const DOCTOR_DIAL_TIMEOUT_MS = 8000
/** ms a ping over a fresh connection may take before a members refusal is assumed */
export const DOCTOR_PING_TIMEOUT_MS = 3000
/** ms the running node's API may take to answer */
export const DOCTOR_API_TIMEOUT_MS = 3000
/** the identity file's mode bits: readable by its owner only */
export const IDENTITY_FILE_MODE = 0o600
/**
 * ms a peer's newest record may differ from this clock before a skew is reported: records are
 * re-issued every few seconds (ANNOUNCE_INTERVAL_MS), so a larger gap is the clocks, not the age
 */
export const CLOCK_SKEW_TOLERANCE_MS = 30_000
/** a node's certificate expiring sooner than this is reported */
export const CERTIFICATE_RENEW_MS = 7 * 86_400_000
