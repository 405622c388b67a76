/** the certificate exchange, run on every new connection and again when a certificate is issued */
export const MEMBERSHIP_PROTOCOL = '/clawmatrix/membership/1.0.0'
/** signed-envelope domain and payload type of a membership certificate */
export const CERTIFICATE_DOMAIN = 'clawmatrix-membership-certificate'
export const CERTIFICATE_CODEC = new TextEncoder().encode('/cm/cert')
/** the file in a node's dataDir that keeps the certificates about it and those it issued */
export const CERTIFICATES_FILE = 'membership/certificates'

/** the role that lets a member certify others */
export const ADMIN_ROLE = 'admin'
/** longest chain from a certificate to a root admin, the certificate itself included */
export const MAX_CHAIN_DEPTH = 4
/** how far past its expiry a certificate is still taken, for clocks that differ a little */
export const CLOCK_SKEW_MS = 60_000

/** largest signed certificate accepted, in bytes */
export const MAX_CERTIFICATE_BYTES = 2048
/** most roles on one certificate, and the longest role name */
export const MAX_ROLES = 8
export const MAX_ROLE_CHARS = 32
/** most certificates a node keeps (the ones about itself and the ones it issued always fit first) */
export const MAX_CERTIFICATES = 4096
/** most certificates, and subjects asked for, in one exchange batch */
export const MAX_BATCH_CERTIFICATES = 64
export const MAX_BATCH_WANTED = 16
/** exchange streams one peer may hold open at once, each way */
export const MAX_EXCHANGE_STREAMS = 2
/** the whole exchange (open, both batches, both closes) runs within this */
export const EXCHANGE_TIMEOUT_MS = 5000

/** how long a connected peer without a valid certificate may stay before its connections are closed */
export const PROBATION_MS = 10_000
/** how long a peer whose probation ran out is refused */
export const REFUSED_MS = 60_000
/** most refused peers remembered; the oldest refusal goes first */
export const MAX_REFUSED = 1024
/**
 * how long a relay reservation, a circuit or a gated stream of a peer whose certificate exchange
 * is still running waits for it before the peer is taken as not certified
 */
export const ADMISSION_WAIT_MS = 3000
/** how long a peer that could not supply a signer's certificate is not asked again for it */
export const LOOKUP_MISS_MS = 30_000
/** most remembered lookup misses */
export const MAX_LOOKUP_MISSES = 1024
/** lookups of a signer's certificate running at once, over all peers */
export const MAX_LOOKUPS = 8

/** signed-envelope domain and payload type of a revocation */
export const REVOCATION_DOMAIN = 'clawmatrix-membership-revocation'
export const REVOCATION_CODEC = new TextEncoder().encode('/cm/revoke')
/** the file in a node's dataDir that keeps every revocation the node holds */
export const REVOCATIONS_FILE = 'membership/revocations'
/** the gossipsub topic a new revocation is published on */
export const REVOCATIONS_TOPIC = '/clawmatrix/revocations/1.0.0'
/** largest signed revocation accepted, in bytes */
export const MAX_REVOCATION_BYTES = 1024
/** longest revocation reason, in characters */
export const MAX_REASON_CHARS = 200
/** most revocations a node keeps; a new one beyond is dropped (and logged) */
export const MAX_REVOCATIONS = 10_000
/** most revocations in one exchange batch (the newest go first) */
export const MAX_BATCH_REVOCATIONS = 512
/** largest exchange batch, in bytes (the protobuf message, without its length prefix) */
export const MAX_BATCH_BYTES = MAX_BATCH_CERTIFICATES * (MAX_CERTIFICATE_BYTES + 4) + MAX_BATCH_WANTED * 64 + MAX_BATCH_REVOCATIONS * (MAX_REVOCATION_BYTES + 4) + 1024 + 4 /* a rotation */

/** signed-envelope domain and payload type of a secret rotation */
export const ROTATION_DOMAIN = 'clawmatrix-secret-rotation'
export const ROTATION_CODEC = new TextEncoder().encode('/cm/rotate')
/** the file in a node's dataDir that keeps the secret rotations it took, oldest first */
export const ROTATIONS_FILE = 'membership/secret-rotations'
/** largest signed rotation accepted, in bytes */
export const MAX_ROTATION_BYTES = 1024
/** rotations a node keeps (the chain from an older configured secret to the current key) */
export const MAX_KEPT_ROTATIONS = 16
/** a rotation's switch time is at most this far ahead (of the issuer's clock; receivers add CLOCK_SKEW_MS) */
export const MAX_ROTATION_LEAD_MS = 7 * 24 * 60 * 60 * 1000
/** the switch time `rotate-secret` picks when none is given */
export const DEFAULT_ROTATION_LEAD_MS = 60_000
/** at the switch, how long a connection may take to close gracefully before it is aborted */
export const ROTATION_CLOSE_MS = 500
/** addresses probed with a pending rotation's key after failed dials (each at most once) */
export const MAX_ROTATION_PROBES = 64

/** a node id as certificates, invites and redeems carry it: 1 to 128 letters, digits and . _ : @ - */
export const NODE_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/
