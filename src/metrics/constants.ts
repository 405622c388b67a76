/** The label value of every node, model or target outside this node's bounded sets */
export const OTHER_LABEL = 'other'

/** The label value of answers served by this node itself (its own models) */
export const LOCAL_PATH = 'local'

/** Seconds until the first byte of an answer: local upstreams answer in ms, relayed cold starts in seconds */
export const TTFB_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** Seconds a whole model answer, handoff or tool call takes: LLM streams and agent runs last minutes */
export const DURATION_BUCKETS_S = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900]

/** The prefix of every metric this project defines (libp2p's own keep `libp2p_`) */
export const METRIC_PREFIX = 'clawmatrix_'
