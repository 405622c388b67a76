/**
 * The part of OpenClaw's plugin API this plugin uses, as structural types. They follow the SDK's
 * own declarations (openclaw/plugin-sdk, 2026.9.x) so the real `api` object fits them, while the
 * package builds and installs without the 600 MB host package.
 */

import type { Model } from '@openclaw/ai'
import type { Command } from 'commander'

export type RegistrationMode = 'full' | 'discovery' | 'tool-discovery' | 'setup-only' | 'setup-runtime' | 'cli-metadata'

export interface PluginLogger {
  debug?: (message: string) => void
  info: (message: string) => void
  warn: (message: string) => void
  error: (message: string) => void
}

/** A `models.providers.<id>` entry of openclaw.json */
export interface ProviderConfig {
  baseUrl?: string
  /** a literal key or a SecretRef `{ source, provider, id }` */
  apiKey?: unknown
  api?: string
  headers?: Record<string, unknown>
  models?: unknown[]
  [key: string]: unknown
}

/** The parts of openclaw.json this plugin reads or writes */
export interface OpenClawConfig {
  models?: { mode?: string, providers?: Record<string, ProviderConfig>, [key: string]: unknown }
  agents?: { list?: Array<{ id?: string, default?: boolean, [key: string]: unknown }>, [key: string]: unknown }
  [key: string]: unknown
}

export interface ServiceContext {
  config: OpenClawConfig
  stateDir: string
  workspaceDir?: string
  logger: PluginLogger
}

export interface PluginService {
  id: string
  /** restart only this service (stop, then start with the new config) when a path under these changes */
  reload?: { configPrefixes: readonly string[] }
  start: (ctx: ServiceContext) => void | Promise<void>
  stop?: (ctx: ServiceContext) => void | Promise<void>
}

export interface ToolTextContent { type: 'text', text: string }

export interface ToolResult<T = unknown> {
  content: ToolTextContent[]
  details: T
}

export interface AgentTool {
  name: string
  label: string
  description: string
  /** JSON Schema of the arguments */
  parameters: Record<string, unknown>
  /** keep the tool visible to the model directly, not only through tool search */
  catalogMode?: 'direct-only'
  execute: (toolCallId: string, params: unknown, signal?: AbortSignal, onUpdate?: (partial: ToolResult) => void) => Promise<ToolResult>
}

export interface GatewayError { code: string, message: string, details?: unknown }

export interface GatewayMethodRequest {
  params: Record<string, unknown>
  respond: (ok: boolean, payload?: unknown, error?: GatewayError) => void
}

export type GatewayMethodHandler = (request: GatewayMethodRequest) => void | Promise<void>

export interface CliContext {
  program: Command
  config: OpenClawConfig
  logger: PluginLogger
}

export interface CliCommandDescriptor { name: string, description: string, hasSubcommands: boolean }

export interface ConfigWriteAfterWrite { mode: 'auto' }

export interface RuntimeConfig {
  current: () => OpenClawConfig
  mutateConfigFile: (params: {
    afterWrite: ConfigWriteAfterWrite
    mutate: (draft: OpenClawConfig) => void | Promise<void>
  }) => Promise<unknown>
}

export interface AgentWaitResult {
  status: 'ok' | 'timeout' | 'error' | 'pending'
  error?: string
  /** set once the run itself has ended (a `timeout` without it is only the wait giving up) */
  endedAt?: number
  timeoutPhase?: string
  terminalReply?: { disposition: 'visible', text: string } | { disposition: 'silent' | 'empty' }
}

export interface SubagentRuntime {
  run: (params: { sessionKey: string, message: string, deliver?: boolean, idempotencyKey?: string }) => Promise<{ runId: string, sessionKey?: string }>
  waitForRun: (params: { runId: string, timeoutMs?: number }) => Promise<AgentWaitResult>
  getSessionMessages: (params: { sessionKey: string, limit?: number }) => Promise<{ messages: unknown[] }>
  deleteSession?: (params: { sessionKey: string, deleteTranscript?: boolean }) => Promise<void>
}

/** One event of a running agent turn; `stream: 'assistant'` carries `data.delta` text */
export interface AgentEvent {
  runId: string
  seq: number
  stream: string
  sessionKey?: string
  data: Record<string, unknown>
}

export interface EventsRuntime {
  onAgentEvent: (listener: (event: AgentEvent) => void) => () => void
}

export interface ModelAuthRuntime {
  resolveApiKeyForProvider: (params: { provider: string, cfg?: OpenClawConfig }) => Promise<{ apiKey?: string, source?: string }>
  /** request-ready auth for a prepared model, provider exchanges such as OAuth refresh included */
  getRuntimeAuthForModel?: (params: { model: Model, cfg?: OpenClawConfig }) => Promise<{ apiKey?: string, mode?: string }>
}

export interface PluginRuntime {
  version?: string
  config: RuntimeConfig
  subagent: SubagentRuntime
  events?: Partial<EventsRuntime>
  modelAuth?: ModelAuthRuntime
}

export interface OpenClawPluginApi {
  id: string
  registrationMode: RegistrationMode
  config: OpenClawConfig
  pluginConfig?: Record<string, unknown>
  runtime: PluginRuntime
  logger: PluginLogger
  registerService: (service: PluginService) => void
  registerTool: (tool: AgentTool, options?: { name?: string, optional?: boolean }) => void
  registerGatewayMethod: (method: string, handler: GatewayMethodHandler, options?: { scope?: 'operator.read' | 'operator.write' | 'operator.admin' }) => void
  registerCli: (registrar: (ctx: CliContext) => void | Promise<void>, options?: { commands?: string[], descriptors?: CliCommandDescriptor[] }) => void
}
