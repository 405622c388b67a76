/**
 * OpenClaw SDK functions loaded at run time, inside the gateway or the openclaw CLI, where the
 * installer links the host's own `openclaw` package in. Nothing here is imported at build time,
 * and every function is feature-detected: the SDK surfaces used are marked experimental.
 */
import type { AgentTool, OpenClawConfig } from './openclaw-api.js'
import type { AssistantMessageEventStream, Context, Model, SimpleStreamOptions } from '@openclaw/ai'

type StreamSimple = (model: Model, context: Context, options?: SimpleStreamOptions) => AssistantMessageEventStream

export class SdkFeatureMissingError extends Error {
  override readonly name = 'SdkFeatureMissingError'

  constructor (subpath: string, exportName: string, reason?: string) {
    super(`this OpenClaw has no ${exportName} in openclaw/plugin-sdk/${subpath}${reason != null ? ` (${reason})` : ''}`)
  }
}

async function sdkExport<T> (subpath: string, exportName: string): Promise<T> {
  const specifier = `openclaw/plugin-sdk/${subpath}`
  let module: Record<string, unknown>
  try {
    module = await import(specifier)
  } catch (err: any) {
    throw new SdkFeatureMissingError(subpath, exportName, String(err?.message ?? err))
  }
  const value = module[exportName]
  if (typeof value !== 'function') throw new SdkFeatureMissingError(subpath, exportName)
  return value as T
}

export interface CodingToolsOptions {
  config: OpenClawConfig
  workspaceDir?: string
  agentId?: string
}

/** OpenClaw's own agent tools (`exec`, `read`, `write`, `edit`, `web_search`, ...) */
export async function createCodingTools (options: CodingToolsOptions): Promise<AgentTool[]> {
  const create = await sdkExport<(options: CodingToolsOptions) => AgentTool[]>('agent-harness', 'createOpenClawCodingTools')
  return create(options)
}

/** Abort the agent run that is active in `sessionKey`; false when none is */
export async function abortSessionRun (sessionKey: string): Promise<boolean> {
  const activeSessionId = await sdkExport<(sessionKey: string) => string | undefined>('agent-harness', 'resolveActiveEmbeddedRunSessionId')
  const abortRun = await sdkExport<(sessionId: string) => boolean>('agent-harness', 'abortAgentHarnessRun')
  const sessionId = activeSessionId(sessionKey)
  return sessionId != null && abortRun(sessionId)
}

export interface GatewayCallOptions { json?: boolean, timeout?: string }

/** Call a method of the running gateway from the CLI process */
export async function callGateway (method: string, params: Record<string, unknown>, options: GatewayCallOptions): Promise<unknown> {
  const call = await sdkExport<(method: string, opts: GatewayCallOptions, params?: unknown) => Promise<unknown>>('gateway-runtime', 'callGatewayFromCli')
  return await call(method, options, params)
}

/** The gateway's state directory as OpenClaw resolves it (`OPENCLAW_STATE_DIR`, else ~/.openclaw) */
export async function openClawStateDir (): Promise<string> {
  const resolve = await sdkExport<(env?: NodeJS.ProcessEnv) => string>('state-paths', 'resolveStateDir')
  return resolve(process.env)
}

/** Whether an error from callGateway means the gateway could not be reached at all */
export async function isGatewayUnreachable (err: unknown): Promise<boolean> {
  if (err instanceof SdkFeatureMissingError) return false
  try {
    const isTransportError = await sdkExport<(err: unknown) => boolean>('gateway-runtime', 'isGatewayTransportError')
    return isTransportError(err)
  } catch {
    return true
  }
}

/** The gateway's own streaming entry into its model layer (`@openclaw/ai`, with its providers and transport policy) */
export async function hostStreamSimple (): Promise<StreamSimple> {
  return await sdkExport<StreamSimple>('llm', 'streamSimple')
}

/** What the gateway's published model catalog says of a model (only the fields used here) */
export interface CatalogEntry {
  id: string
  provider: string
  api?: string
  baseUrl?: string
  reasoning?: boolean
  input?: string[]
  contextWindow?: number
  maxTokens?: number
  cost?: { input: number, output: number, cacheRead: number, cacheWrite: number }
}

type CatalogSnapshotReader = (params: { config: OpenClawConfig, readOnly: true }) => { entries: CatalogEntry[] } | undefined

/**
 * The gateway's newest published model catalog, read without preparing anything (a prepared
 * model would stay held by this plugin and keep the gateway from reloading it); undefined until
 * the gateway has published one.
 */
export async function modelCatalogReader (): Promise<(config: OpenClawConfig) => CatalogEntry[]> {
  const read = await sdkExport<CatalogSnapshotReader>('agent-runtime', 'getPreparedModelCatalogSnapshot')
  return config => read({ config, readOnly: true })?.entries ?? []
}

export interface ConfigFileMutation {
  /** `auto`: the gateway's reload planner decides (a change under a service's reload prefixes restarts that service) */
  afterWrite: { mode: 'auto' }
  mutate: (draft: OpenClawConfig) => void | Promise<void>
}

/**
 * OpenClaw's own config writer, usable in the CLI process: `mutate` edits the file's current
 * content, which is validated and written back (a throw from `mutate` writes nothing).
 */
export async function mutateConfigFile (mutation: ConfigFileMutation): Promise<{ path: string }> {
  const mutate = await sdkExport<(params: ConfigFileMutation) => Promise<{ path: string }>>('config-mutation', 'mutateConfigFile')
  return await mutate(mutation)
}
