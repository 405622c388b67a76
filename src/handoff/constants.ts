import { CONFIG_DEFAULTS } from '../config/defaults.js'

const PROTOCOL_PREFIX = 'clawmatrix'
const PROTOCOL_NAME = 'handoff'
const PROTOCOL_VERSION = '1.0.0'
export const HANDOFF_PROTOCOL = `/${PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`

/** streams of this protocol per connection and direction; concurrency is limited per node instead */
export const MAX_INBOUND_STREAMS = 64
export const MAX_OUTBOUND_STREAMS = 64

/** room in a request frame beside the task and context (ids, agent name, session id) */
export const REQUEST_OVERHEAD_BYTES = 16 * 1024
/** largest text in one OutputDelta frame; longer deltas are split */
export const MAX_DELTA_BYTES = 64 * 1024
/** largest result text in a RunResult frame, whatever maxHandoffOutputBytes says */
export const MAX_RESULT_BYTES = 4 * 1024 * 1024
/** largest ResponseFrame a caller accepts */
export const MAX_RESPONSE_FRAME_BYTES = MAX_RESULT_BYTES + 64 * 1024
/**
 * request bytes one caller may have waiting unread on a serving node, over all its handoff
 * streams, in requests of the node's largest size; a stream that would go past it is refused `busy`
 */
export const UNREAD_REQUESTS_PER_PEER = 4
/** what a handoff stream may hold in libp2p's own buffer while its first-frame reader has paused it */
export const PAUSED_READ_BUFFER_BYTES = 4 * 1024 * 1024
/** largest frame a serving node accepts after the first one (only CancelRequest is allowed) */
export const MAX_CONTROL_FRAME_BYTES = 4 * 1024
/** longest handoffId, agent id or session id */
export const MAX_ID_LENGTH = 256

/** handoff ids a serving node remembers, to refuse running one twice */
export const MAX_REMEMBERED_HANDOFF_IDS = 4096

/** serving node: deadline for the first frame of a new stream */
export const REQUEST_READ_TIMEOUT_MS = 10_000
/** serving node: deadline for writing the final frame and closing after a run ends */
export const FINISH_TIMEOUT_MS = 5_000
/** both sides: deadline for a one-way send to be acknowledged */
export const SEND_TIMEOUT_MS = 30_000
/** caller: how long the serving node gets to close a stream (after a result or a cancel) before it is reset */
export const CLOSE_WAIT_MS = 5_000
/** caller: further nodes tried after a transport failure or an idle timeout */
export const MAX_RETRIES = 2
/**
 * caller: how long a handoff waits before starting over on another node when the node it
 * leaves did not confirm that the run ended (stream reset, connection lost). A node that lost
 * the caller ends the run on its own: SIGTERM, SIGKILL 2 s later (the runner's kill grace); a
 * node that died took its run with it.
 */
export const LOST_RUN_WAIT_MS = 3_000
/** serving node: how long a stopped runner may take to end before its run is abandoned */
export const RUNNER_STOP_GRACE_MS = 10_000

/** defaults when the service is used without a ClawMatrix config (the config has the same) */
export const DEFAULT_IDLE_TIMEOUT_MS = CONFIG_DEFAULTS.handoffTimeout
export const DEFAULT_CONCURRENCY = CONFIG_DEFAULTS.handoffConcurrency
export const DEFAULT_MAX_TASK_BYTES = CONFIG_DEFAULTS.maxTaskBytes
export const DEFAULT_MAX_CONTEXT_BYTES = CONFIG_DEFAULTS.maxContextBytes
export const DEFAULT_MAX_OUTPUT_BYTES = CONFIG_DEFAULTS.maxHandoffOutputBytes
