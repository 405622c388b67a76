import type { ModelCapability } from '../capabilities/types.js'

/**
 * The three interfaces through which the core reaches its host. The standalone host implements
 * them with plain HTTP and child processes (src/standalone/), the OpenClaw plugin with the
 * gateway's own facilities (src/openclaw/). Nothing host-specific crosses these boundaries.
 */

export interface ModelResponse {
  /** HTTP status of the upstream answer */
  status: number
  /** the upstream's response headers that matter to a client (content-type at least) */
  headers: Record<string, string>
  /** the upstream's body bytes, unchanged, as they arrive */
  body: AsyncIterable<Uint8Array>
}

export interface ModelBackend {
  /** whether this backend can serve at all (announced as `available`) */
  readonly available: boolean
  /** why it cannot serve, when it cannot (announced and shown in status: never a key) */
  readonly unavailableReason?: string
  /** what the host knows of the model (a gateway's catalog), announced where `models[]` does not say */
  readonly metadata?: Pick<ModelCapability, 'reasoning' | 'input' | 'contextWindow' | 'maxTokens' | 'cost'>
  /**
   * the API it speaks to its upstream (`openai-completions`, `anthropic-messages`, ...), shown in
   * status; when left out, `models[].upstream.api` is shown if the entry has an upstream
   */
  readonly upstreamApi?: string
  /**
   * Send one OpenAI chat-completions request body (already JSON-encoded, the model name already
   * rewritten for the upstream) and answer with the upstream's bytes.
   */
  chat(body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse>
}

export interface AgentRunRequest {
  agent: string
  task: string
  context?: string
  sessionId?: string
  signal: AbortSignal
}

export interface AgentRunResult {
  success: boolean
  result?: string
  error?: string
}

/** What a run yields: text deltas, then exactly one final result */
export type AgentRunEvent =
  | { type: 'delta', text: string }
  | { type: 'result', result: AgentRunResult }

export interface AgentSendRequest {
  agent: string
  message: string
  sessionId?: string
}

export interface AgentSendAck {
  accepted: boolean
  /** an id the host gave the delivery (a pid, a run id) */
  deliveryId?: string
  error?: string
}

export interface AgentRunner {
  /** whether this runner can run `agent` (false → the node answers `no_runner`) */
  canRun(agent: string): boolean
  run(request: AgentRunRequest): AsyncIterable<AgentRunEvent>
  send(request: AgentSendRequest): Promise<AgentSendAck>
  /** end whatever the runner still has running (called when the node stops) */
  stop?(): Promise<void>
}

export interface ToolCaller {
  peerId: string
  nodeId?: string
}

export interface ToolInvocation {
  tool: string
  args: Record<string, unknown>
  caller: ToolCaller
  /** the deadline the policy allows, in ms */
  timeoutMs: number
  signal: AbortSignal
  /** streamed output (exec's stdout/stderr) as it is produced */
  onOutput?: (chunk: Uint8Array, channel: 'stdout' | 'stderr') => void
}

export interface ToolResult {
  ok: boolean
  /** text content for the caller; output already given to `onOutput` is not repeated here */
  content: string
  /** structured details (exit code, paths, sizes) */
  details: Record<string, unknown>
  truncated: boolean
}

export interface ToolExecutor {
  /** tool names this executor offers */
  tools(): string[]
  invoke(invocation: ToolInvocation): Promise<ToolResult>
}

/**
 * What a host gives the node: how to serve each `models[]` entry, how to run agents, how to run
 * tools. Anything left out is served by the standalone implementations.
 */
export interface HostPorts {
  modelBackend?: (entry: import('../config/schema.js').ModelConfig) => ModelBackend
  agentRunner?: AgentRunner
  toolExecutor?: ToolExecutor
}
