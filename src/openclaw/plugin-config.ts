import { join } from 'node:path'
import { resolveConfig } from '../config/resolve.js'
import { CONFIG_PATH, PLUGIN_ID } from './constants.js'
import type { OpenClawConfig } from './openclaw-api.js'
import type { ClawMatrixConfig } from '../config/resolve.js'

/** The plugin's entry in `config` (the one a service was started with is the latest), else `fallback` */
export function pluginConfigOf (config: OpenClawConfig, fallback: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const entries = (config.plugins as { entries?: Record<string, { config?: unknown }> } | undefined)?.entries
  const entry = entries?.[PLUGIN_ID]?.config
  return entry != null && typeof entry === 'object' ? entry as Record<string, unknown> : fallback
}

/**
 * The node's config from `plugins.entries.clawmatrix.config`: the same schema as the standalone
 * config file, with the data directory defaulting to `<stateDir>/clawmatrix` (beside the rest of
 * the gateway's state) instead of `~/.clawmatrix/<nodeId>`. Throws ConfigError naming the field.
 */
export function resolvePluginConfig (pluginConfig: Record<string, unknown> | undefined, stateDir: string): ClawMatrixConfig {
  const raw = pluginConfig ?? {}
  const dataDir = typeof raw.dataDir === 'string' && raw.dataDir !== '' ? raw.dataDir : join(stateDir, PLUGIN_ID)
  return resolveConfig({ ...raw, dataDir }, { source: CONFIG_PATH })
}

/** Why a config cannot join a mesh, or undefined when it can */
export function meshRefusal (config: ClawMatrixConfig): string | undefined {
  if (config.secret == null) {
    return `no secret set: add "secret" (at least 16 characters, the same on every node) to ${CONFIG_PATH} to join a mesh`
  }
  return undefined
}
