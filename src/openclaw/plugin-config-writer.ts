import { PLUGIN_ID } from './constants.js'
import { mutateConfigFile } from './sdk.js'
import type { OpenClawConfig } from './openclaw-api.js'

type Entries = Record<string, { config?: unknown, [key: string]: unknown }>

/**
 * Replace `plugins.entries.clawmatrix.config` with what `update` makes of the one in the file now
 * (undefined when there is none), through OpenClaw's config writer: every other key of the file
 * and of the plugin's entry stays as it is. Returns the path of the file written.
 */
export async function updatePluginConfig (update: (current: Record<string, unknown> | undefined) => Record<string, unknown>): Promise<string> {
  const { path } = await mutateConfigFile({
    afterWrite: { mode: 'auto' },
    mutate: (draft: OpenClawConfig) => {
      const plugins = (draft.plugins ??= {}) as { entries?: Entries }
      const entries = (plugins.entries ??= {})
      const entry = (entries[PLUGIN_ID] ??= {})
      const current = entry.config != null && typeof entry.config === 'object' && !Array.isArray(entry.config) ? entry.config as Record<string, unknown> : undefined
      entry.config = update(current)
    }
  })
  return path
}
