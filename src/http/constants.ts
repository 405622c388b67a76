/**
 * Limits of the local HTTP API. Long streamed answers (minutes) and slow uploads of big bodies
 * must keep working; connections that never finish their headers, or trickle a body, must not
 * hold the API.
 */

/** A request's headers must be complete this long after the connection (or the previous answer) */
export const HEADERS_TIMEOUT_MS = 10_000
/** How often the server looks for connections past HEADERS_TIMEOUT_MS (Node's default is 30 s) */
export const CONNECTIONS_CHECK_INTERVAL_MS = 1_000
/** An idle keep-alive connection is closed after this long */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000
/** Headers per request; more is answered 431 */
export const MAX_HEADERS_COUNT = 100
/**
 * Open connections at most. At the limit a new connection closes the oldest one that has no
 * request in progress (headers still arriving, or idle keep-alive); when every connection is
 * answering a request, the new one is answered 503 and closed at once.
 */
export const MAX_CONNECTIONS = 256
/** A request body still arriving must bring at least MIN_BODY_BYTES_PER_WINDOW per window ... */
export const BODY_RATE_WINDOW_MS = 10_000
/** ... or the connection is closed (16 KiB per 10 s: a trickle, far below any real client) */
export const MIN_BODY_BYTES_PER_WINDOW = 16 * 1024
