/** The plugin's id: `plugins.entries.clawmatrix` in openclaw.json, and the manifest id */
export const PLUGIN_ID = 'clawmatrix'
export const PLUGIN_NAME = 'ClawMatrix'
export const PLUGIN_DESCRIPTION = 'Join OpenClaw gateways into one private peer-to-peer mesh: share models, hand off tasks to remote agents, call tools on other nodes'

/** Where the plugin's config lives, for error messages */
export const CONFIG_PATH = `plugins.entries.${PLUGIN_ID}.config`

/** The service OpenClaw starts with the gateway */
export const SERVICE_ID = 'clawmatrix-node'
/**
 * How long a peer's capability record lives without renewal on a gateway node (announced every
 * 5 s). A gateway stalls its event loop for seconds on its own work (session writes of 10 s and
 * more were seen on a busy host), and an expired record closes the connection to that peer: the
 * seed's liveness rule (three missed 15 s heartbeats) is kept instead of the standalone 15 s.
 */
export const GATEWAY_RECORD_TTL_MS = 45_000
/** For the same stalls, a connection on a gateway node is closed only after 30 s without a ping answer (10 s standalone) */
export const GATEWAY_SILENT_AFTER_MS = 30_000
/** The longest a node may take to stop before the service moves on (a restart then reports the ports it finds taken) */
export const NODE_STOP_TIMEOUT_MS = 20_000

/** The agent tools, with the seed's names */
export const TOOL_NAMES = [
  'cluster_peers',
  'cluster_handoff',
  'cluster_send',
  'cluster_exec',
  'cluster_read',
  'cluster_write',
  'cluster_tool'
] as const

export const STATUS_METHOD = 'clawmatrix.status'
export const PEERS_METHOD = 'clawmatrix.peers'
export const INVITE_METHOD = 'clawmatrix.invite'
export const REVOKE_METHOD = 'clawmatrix.revoke'
export const ROTATE_SECRET_METHOD = 'clawmatrix.rotateSecret'
export const MEMBERS_METHOD = 'clawmatrix.members'

/** The root CLI command: `openclaw clawmatrix status|peers|doctor|init|invite|join|revoke|rotate-secret|members` */
export const CLI_COMMAND = 'clawmatrix'
export const CLI_DESCRIPTION = 'ClawMatrix mesh: status, peers, membership (create a mesh, invite, join, revoke, rotate the secret)'
export const GATEWAY_UNREACHABLE_MESSAGE = 'Could not reach gateway. Is it running?'
/** How long the CLI waits for the gateway to answer (a busy gateway can take more than 10 s) */
export const CLI_GATEWAY_TIMEOUT_MS = 30_000

/** Provider id for consumed remote models that are not pinned to a node (`clawmatrix/<modelId>`) */
export const UNPINNED_PROVIDER_ID = 'clawmatrix'
/** File in dataDir that lists the `models.providers` entries this plugin created */
export const OWNED_PROVIDERS_FILE = 'openclaw-providers.json'
/** The model api written for providers that point at the local proxy */
export const PROXY_PROVIDER_API = 'openai-completions'
/** The seed's defaults for model entries written into OpenClaw's config */
export const DEFAULT_CONTEXT_WINDOW = 128_000
export const DEFAULT_MAX_TOKENS = 4096

/** Agent runs: how often the session is read for new assistant text while the run goes on */
export const AGENT_POLL_INTERVAL_MS = 300
/** How many session messages one poll reads */
export const AGENT_POLL_MESSAGE_LIMIT = 50
/** The longest a single waitForRun observation blocks before the next poll */
export const AGENT_WAIT_SLICE_MS = 1000
/** The most not-yet-delivered agent text held for a slow caller (the oldest is cut beyond it) */
export const MAX_PENDING_AGENT_TEXT = 1024 * 1024
/** A shared model the gateway could not resolve is tried again on a request after this long */
export const HOST_MODEL_RETRY_MS = 30_000
