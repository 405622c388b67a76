/** the protocol a joiner redeems an invite token on; open to a peer on probation */
export const REDEEM_PROTOCOL = '/clawmatrix/membership-redeem/1.0.0'
/** what an invite string starts with; base64url (no padding) of an `Invite` follows */
export const INVITE_PREFIX = 'cm-invite:'
export const INVITE_VERSION = 1
/** random bytes of an invite token */
export const INVITE_TOKEN_BYTES = 32
/** the file in an admin's dataDir that keeps the invites it issued (token hashes, never tokens) */
export const INVITES_FILE = 'membership/invites'

/** most addresses in one invite (the issuer's first) */
export const MAX_INVITE_ADDRS = 8
/** most root admins in one invite */
export const MAX_INVITE_ADMINS = 16
/** longest invite string accepted, in characters */
export const MAX_INVITE_CHARS = 8192
/** most unexpired invites an admin keeps; issuing one more is refused */
export const MAX_INVITES = 256
/** most uses of one invite */
export const MAX_INVITE_USES = 100
/** longest an invite may stay valid */
export const MAX_INVITE_LIFETIME_MS = 30 * 86_400_000
/** default lifetime and uses of an invite */
export const DEFAULT_INVITE_LIFETIME_MS = 86_400_000
export const DEFAULT_INVITE_USES = 1

/** largest redeem frame either way, in bytes */
export const MAX_REDEEM_BYTES = 64 * 1024
/** redeem streams one peer may hold open at once */
export const MAX_REDEEM_STREAMS = 1
/** the whole redeem (open, request, answer, close) runs within this */
export const REDEEM_TIMEOUT_MS = 10_000
/** redeem attempts per remote peer in one window */
export const REDEEM_PEER_ATTEMPTS = 5
/** redeem attempts per remote IP in one window (machines behind one NAT, or a relay, share an IP) */
export const REDEEM_IP_ATTEMPTS = 20
export const REDEEM_WINDOW_MS = 60_000
/** most peers and IPs the redeem rate limit remembers; the oldest go first */
export const MAX_REDEEM_SOURCES = 1024
/** how long a joiner waits for a connection to the issuer */
export const JOIN_DIAL_TIMEOUT_MS = 10_000

/**
 * circuits a relay opens for a peer it does not admit (a joiner, to an admin only): per source
 * peer and per source IP in one REDEEM_WINDOW_MS, and at most this many at once
 */
export const REDEEM_RELAY_PEER_CIRCUITS = 5
export const REDEEM_RELAY_IP_CIRCUITS = 20
export const MAX_REDEEM_RELAY_CIRCUITS = 16
/** the limit of such a circuit: it lasts no longer than probation, and carries a redeem and identify */
export const REDEEM_CIRCUIT_DURATION_MS = 10_000
export const REDEEM_CIRCUIT_DATA_BYTES = 4 * MAX_REDEEM_BYTES
/**
 * a revoked peer may complete one connection to an admin this often, and keep it at most this
 * long (it closes once its redeem is answered): the redeem is answered `revoked` rather than the
 * connection closed without a word
 */
export const REVOKED_NOTICE_EVERY_MS = 60_000
export const REVOKED_NOTICE_MS = 1000
/** most revoked peers whose last notice is remembered; the oldest go first */
export const MAX_REVOKED_NOTICES = 1024
