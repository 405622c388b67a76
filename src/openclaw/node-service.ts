import { ConfigError } from '../config/errors.js'
import { createClawMatrix } from '../node/clawmatrix.js'
import { CONFIG_PATH, GATEWAY_RECORD_TTL_MS, GATEWAY_SILENT_AFTER_MS, PLUGIN_ID, SERVICE_ID } from './constants.js'
import { openClawHost } from './host/openclaw-host.js'
import { meshLifecycle } from './mesh-lifecycle.js'
import { meshRefusal, pluginConfigOf, resolvePluginConfig } from './plugin-config.js'
import { proxyProviders } from './providers/proxy-providers.js'
import { syncProxyProviders } from './providers/provider-sync.js'
import type { MeshLifecycle, StartOutcome } from './mesh-lifecycle.js'
import type { OpenClawConfig, OpenClawPluginApi, PluginLogger, PluginService, ServiceContext } from './openclaw-api.js'
import type { ClawMatrixNode } from '../node/clawmatrix.js'

/** `http://127.0.0.1:<port>/v1` even when the API listens on every interface */
function proxyBaseUrl (node: ClawMatrixNode): string {
  const host = node.api.host === '0.0.0.0' || node.api.host === '::' ? '127.0.0.1' : node.api.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${node.api.port}/v1`
}

async function registerRemoteModels (api: OpenClawPluginApi, node: ClawMatrixNode, logger: PluginLogger): Promise<void> {
  const wanted = proxyProviders(node.config.proxyModels, { baseUrl: proxyBaseUrl(node), apiKey: node.tokens.apiToken })
  const { written, removed } = await syncProxyProviders({ runtimeConfig: api.runtime.config, dataDir: node.config.dataDir, wanted, logger })
  if (written.length > 0) logger.info(`clawmatrix: models.providers written for remote models: ${written.join(', ')}`)
  if (removed.length > 0) logger.info(`clawmatrix: models.providers no longer needed, removed: ${removed.join(', ')}`)
}

async function startNode (api: OpenClawPluginApi, ctx: ServiceContext): Promise<StartOutcome> {
  const logger = ctx.logger ?? api.logger
  let config
  try {
    config = resolvePluginConfig(pluginConfigOf(ctx.config, api.pluginConfig), ctx.stateDir)
  } catch (err: any) {
    if (!(err instanceof ConfigError)) throw err
    logger.error(`clawmatrix: ${err.message}`)
    return { phase: 'failed', reason: err.message }
  }
  const refusal = meshRefusal(config)
  if (refusal != null) {
    logger.info(`clawmatrix: not joining any mesh: ${refusal}`)
    return { phase: 'disabled', reason: refusal }
  }

  const host = await openClawHost({ runtime: api.runtime, config, ...(ctx.workspaceDir != null ? { workspaceDir: ctx.workspaceDir } : {}), logger })
  const node = await createClawMatrix(config, {
    host,
    timing: { recordTtlMs: GATEWAY_RECORD_TTL_MS, silentAfterMs: GATEWAY_SILENT_AFTER_MS },
    onWarning: message => { logger.warn(`clawmatrix: ${message}`) }
  })
  logger.info(`clawmatrix: node ${node.nodeId} (${node.peerId}) running; model proxy ${proxyBaseUrl(node)}`)
  await registerRemoteModels(api, node, logger).catch((err: any) => {
    logger.warn(`clawmatrix: could not write the remote model providers: ${String(err?.message ?? err)}`)
  })
  return { phase: 'running', node }
}

/**
 * The background service: starts the node with the gateway and stops it (freeing every port)
 * before each restart. A change under the plugin's config restarts only this service, not the
 * whole plugin, so tools and gateway methods stay valid. Without a secret it stays out of any mesh.
 */
export function clawMatrixService (api: OpenClawPluginApi, mesh: MeshLifecycle = meshLifecycle): PluginService {
  return {
    id: SERVICE_ID,
    reload: { configPrefixes: [CONFIG_PATH] },
    start: ctx => {
      const logger = ctx.logger ?? api.logger
      // OpenClaw gives a start 5 s; key derivation, listeners and the provider write can take
      // longer on a busy host, so the node comes up in the background (status says "starting")
      mesh.start(async () => await startNode(api, ctx)).then(() => {
        const state = mesh.state
        if (state.phase === 'failed') logger.error(`clawmatrix: the node did not start: ${state.reason}`)
      }, (err: unknown) => { logger.error(`clawmatrix: the node did not start: ${String(err)}`) })
    },
    stop: async ctx => {
      if (mesh.state.phase === 'running' || mesh.state.phase === 'starting') (ctx.logger ?? api.logger).info('clawmatrix: stopping the node')
      await mesh.stop()
    }
  }
}
