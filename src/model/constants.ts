import { CONFIG_DEFAULTS } from '../config/defaults.js'

const PROTOCOL_PREFIX = 'clawmatrix'
export const PROTOCOL_NAME = 'model'
export const PROTOCOL_VERSION = '1.0.0'
export const MODEL_PROTOCOL = `/${PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`
/** the API consumers speak to every model in the mesh, whatever its upstream speaks */
export const CONSUMER_API = 'openai-completions'

/** request and response bodies travel in pieces of at most this many bytes */
export const FRAME_DATA_BYTES = 1024 * 1024
/** largest frame accepted: one piece of body plus the frame's own fields */
export const MAX_FRAME_BYTES = FRAME_DATA_BYTES + 16 * 1024
/** a reader stops the sender (stream pause) while this many bytes wait unread */
export const READ_HIGH_WATER_BYTES = 2 * 1024 * 1024
/**
 * what a paused stream must be able to hold: yamux lets the sender have its whole stream window
 * (up to 16 MiB by default) in flight, a window update sent just before the pause can add as
 * much again, and the stream's own default limit (4 MiB) would reset it
 */
export const PAUSED_READ_BUFFER_BYTES = 2 * 16 * 1024 * 1024 + READ_HIGH_WATER_BYTES

/**
 * streams per connection, a ceiling far above what admission lets one caller use: the service
 * itself answers streams beyond a caller's budget with `busy`, so that load never shows up as a
 * stream reset (which a caller could not tell from a failing node)
 */
export const MAX_INBOUND_STREAMS = 1024
export const MAX_OUTBOUND_STREAMS = 1024
/**
 * streams one caller may hold open on a serving node beyond its share of `modelConcurrency` and
 * its idle streams (requests just sent, answers just ended); more are answered `busy` at once
 */
export const SPARE_STREAMS_PER_PEER = 16
/** bytes one caller may have waiting unread on a serving node, over all its model streams */
export const MAX_UNREAD_BYTES_PER_PEER = 64 * 1024 * 1024
/** a busy answer tells the client to wait this long before trying again (`retry-after`) */
export const BUSY_RETRY_AFTER_S = 1

export const DEFAULT_MODEL_TIMEOUT_MS = CONFIG_DEFAULTS.modelTimeout
export const DEFAULT_CONCURRENCY = CONFIG_DEFAULTS.modelConcurrency
export const DEFAULT_MAX_REQUEST_BYTES = CONFIG_DEFAULTS.maxRequestBytes
/** the whole request (all body frames) must arrive within this */
export const REQUEST_RECEIVE_TIMEOUT_MS = 30_000
/** the caller waits this much longer than the serving side's idle timeout, so the server's own error arrives first */
export const CALLER_IDLE_GRACE_MS = 5_000
/** a caller keeps this many idle streams per serving node, and this many in all, for later requests */
export const MAX_IDLE_STREAMS_PER_PEER = 8
export const MAX_IDLE_STREAMS = 64
/** a caller closes a stream idle this long; the serving side waits longer before it closes one */
export const CALLER_STREAM_IDLE_MS = 30_000
export const SERVER_STREAM_IDLE_MS = 60_000
/** how long a finished stream may wait for the other side to close before it is reset */
export const STREAM_LINGER_MS = 5_000

/**
 * how long a head frame waits for the answer's first bytes so both leave as one message: upstreams
 * send their headers a moment before the body, and the caller passes nothing on before the body
 */
export const HEAD_HOLD_MS = 20

/** candidates tried for one request before giving up */
export const MAX_ATTEMPTS = 3
/** largest upstream error body a caller holds while it tries the next node */
export const MAX_HELD_ERROR_BYTES = 1024 * 1024

/** upstream response headers passed on to the caller */
export const FORWARDED_HEADERS = ['content-type', 'x-request-id', 'openai-processing-ms', 'retry-after'] as const
/** bytes kept from the end of an answer to find its usage */
export const USAGE_TAIL_BYTES = 64 * 1024
/** largest non-streamed answer held in memory whole */
export const MAX_BUFFERED_ANSWER_BYTES = 32 * 1024 * 1024
/** largest single SSE event accepted */
export const MAX_SSE_EVENT_CHARS = 8 * 1024 * 1024

/**
 * callers whose usage a serving node keeps per model; beyond this the least recently seen
 * caller's counts are dropped (and counted as evicted)
 */
export const MAX_USAGE_CALLERS_PER_MODEL = 64
/**
 * a configured key or header value at least this long is cut out of every message the serving
 * node makes (errors, reasons); shorter values are too likely to be ordinary words
 */
export const MIN_SCRUBBED_SECRET_CHARS = 8
