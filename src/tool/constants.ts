import { CONFIG_DEFAULTS } from '../config/defaults.js'

const PROTOCOL_PREFIX = 'clawmatrix'
export const PROTOCOL_NAME = 'tool'
export const PROTOCOL_VERSION = '1.0.0'
export const TOOL_PROTOCOL = `/${PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`

/** The request frame (tool name and JSON arguments, a file to write included) */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024
/** Any frame from the serving node */
export const MAX_RESPONSE_FRAME_BYTES = 128 * 1024
/** Output and content travel in pieces of at most this many bytes */
export const CHUNK_BYTES = 64 * 1024
/** A result's details JSON; larger details are replaced by a note */
export const MAX_DETAILS_BYTES = 64 * 1024
/** An error frame's message */
export const MAX_ERROR_MESSAGE_CHARS = 4096
/** Tool names are short identifiers */
export const MAX_TOOL_NAME_CHARS = 128

/** Deadline of a call that is not exec when the caller names none */
export const DEFAULT_TOOL_TIMEOUT_MS = 120_000
/** The serving node lets the tool itself report a timeout first (exec kills its group) */
export const SERVE_GRACE_MS = 3000
/** The caller waits this much past its deadline for the serving node's own timeout answer */
export const RESPONSE_GRACE_MS = 5000
/** The request must arrive this soon after the stream opens */
export const REQUEST_READ_TIMEOUT_MS = 10_000
/** Closing a stream after the last frame */
export const CLOSE_TIMEOUT_MS = 5000

/** Calls one node serves at once, from all callers together; one caller holds at most 3/4 of them */
export const MAX_CONCURRENT_CALLS = 16
/**
 * Request bytes one caller may have waiting unread on a node, over all its tool streams (four
 * requests of the largest size); a stream that would go past it is refused `busy`
 */
export const MAX_UNREAD_BYTES_PER_PEER = 4 * MAX_REQUEST_BYTES
/** What a stream may hold in libp2p's own buffer while its reader has paused it */
export const PAUSED_READ_BUFFER_BYTES = 4 * 1024 * 1024
export const MAX_INBOUND_STREAMS = 32
export const MAX_OUTBOUND_STREAMS = 32
/** What a caller collects of one response (output and content) unless told otherwise */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

/** Tools whose `path` argument is confined to toolProxy.roots */
export const FILE_TOOLS: readonly string[] = ['read', 'write', 'edit', 'ls']

export const AUDIT_LOG_FILE = 'audit.log'
/** The audit log is rotated past this size */
export const AUDIT_LOG_MAX_BYTES = 10 * 1024 * 1024
/** Rotated audit logs kept (audit.log.1 .. audit.log.N) */
export const AUDIT_LOG_KEEP = 5
/** Argument strings longer than this are logged as size and sha256 */
export const AUDIT_MAX_STRING_CHARS = 4096

/** exec's own default timeout in seconds (the seed's) */
export const DEFAULT_EXEC_TIMEOUT_S = CONFIG_DEFAULTS.toolProxy.maxExecTimeout
