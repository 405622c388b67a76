import { PLUGIN_DESCRIPTION, PLUGIN_ID, PLUGIN_NAME } from './constants.js'
import { registerCliCommands } from './cli-commands.js'
import { registerGatewayMethods } from './gateway-methods.js'
import { meshLifecycle } from './mesh-lifecycle.js'
import { clawMatrixService } from './node-service.js'
import { clusterTools } from './tools/index.js'
import type { OpenClawPluginApi } from './openclaw-api.js'

/**
 * The OpenClaw plugin entry. `register` only registers (it is called several times per process,
 * in every registration mode, and must stay synchronous): sockets are opened by the service, which
 * OpenClaw starts in the gateway process only.
 */
const plugin = {
  id: PLUGIN_ID,
  name: PLUGIN_NAME,
  description: PLUGIN_DESCRIPTION,
  register (api: OpenClawPluginApi): void {
    registerCliCommands(api)
    if (api.registrationMode === 'cli-metadata') return
    for (const tool of clusterTools(meshLifecycle)) api.registerTool(tool)
    registerGatewayMethods(api, meshLifecycle)
    api.registerService(clawMatrixService(api, meshLifecycle))
  }
}

export default plugin
export type { OpenClawPluginApi } from './openclaw-api.js'
