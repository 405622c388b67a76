import { mkdir } from 'node:fs/promises'
import { CodingToolExecutor } from './coding-tool-executor.js'
import { openClawModelBackend } from './provider-model-backend.js'
import { openClawAgentIds, SubagentRunner } from './subagent-runner.js'
import { createCodingTools } from '../sdk.js'
import type { ProviderAccess } from './provider-model-backend.js'
import type { ClawMatrixConfig } from '../../config/resolve.js'
import type { HostPorts, ToolExecutor } from '../../host/ports.js'
import type { PluginLogger, PluginRuntime } from '../openclaw-api.js'

/** The core's three host ports, all implemented with this gateway's own facilities */
export type OpenClawHost = Required<HostPorts>

export interface OpenClawHostInit {
  runtime: PluginRuntime
  config: ClawMatrixConfig
  workspaceDir?: string
  logger: PluginLogger
}

/** OpenClaw's tools are only built when the node accepts remote tool calls at all */
async function toolExecutor (init: OpenClawHostInit): Promise<ToolExecutor> {
  if (!init.config.toolProxy.enabled) return new CodingToolExecutor([])
  const openclawConfig = init.runtime.config.current()
  try {
    // OpenClaw creates the workspace with the first agent run; exec refuses a missing default cwd
    if (init.workspaceDir != null) await mkdir(init.workspaceDir, { recursive: true })
    const agentId = [...openClawAgentIds(openclawConfig)][0]
    const tools = await createCodingTools({ config: openclawConfig, ...(init.workspaceDir != null ? { workspaceDir: init.workspaceDir } : {}), ...(agentId != null ? { agentId } : {}) })
    return new CodingToolExecutor(tools)
  } catch (err: any) {
    init.logger.warn(`clawmatrix: remote tool calls will find no tools: ${String(err?.message ?? err)}`)
    return new CodingToolExecutor([])
  }
}

export async function openClawHost (init: OpenClawHostInit): Promise<OpenClawHost> {
  const { runtime } = init
  const resolveApiKey = runtime.modelAuth?.resolveApiKeyForProvider
  const getRuntimeAuth = runtime.modelAuth?.getRuntimeAuthForModel
  const access: ProviderAccess = {
    config: () => runtime.config.current(),
    ...(resolveApiKey != null
      ? { resolveApiKey: async (provider: string) => (await resolveApiKey({ provider, cfg: runtime.config.current() })).apiKey }
      : {}),
    ...(getRuntimeAuth != null
      ? { runtimeAuth: async model => await getRuntimeAuth({ model, cfg: runtime.config.current() }) }
      : {})
  }
  return {
    modelBackend: entry => openClawModelBackend(entry, access),
    agentRunner: new SubagentRunner(runtime, () => runtime.config.current(), init.logger),
    toolExecutor: await toolExecutor(init)
  }
}
