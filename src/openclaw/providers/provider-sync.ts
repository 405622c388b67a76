import { OwnedProviders } from './owned-providers.js'
import type { PluginLogger, ProviderConfig, RuntimeConfig } from '../openclaw-api.js'

export interface ProviderSyncResult {
  /** providers created or updated */
  written: string[]
  /** providers this plugin had created and no longer needs */
  removed: string[]
  /** wanted ids taken by a provider the plugin did not create (left alone) */
  clashes: string[]
}

/** whether `have` holds every field of `want` with the same value (OpenClaw may add defaults) */
function covers (have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && have.length === want.length && want.every((item, i) => covers(have[i], item))
  if (want != null && typeof want === 'object') {
    if (have == null || typeof have !== 'object') return false
    return Object.entries(want).every(([key, value]) => covers((have as Record<string, unknown>)[key], value))
  }
  return have === want
}

/**
 * Make `models.providers` hold exactly the wanted proxy providers this plugin owns, through
 * OpenClaw's own config writer (`api.runtime.config.mutateConfigFile`, hot-reloaded by the
 * gateway). A provider the plugin did not create is never overwritten: the clash is logged and
 * that id skipped. Nothing is written when the config already matches.
 */
export async function syncProxyProviders (options: {
  runtimeConfig: RuntimeConfig
  dataDir: string
  wanted: Record<string, ProviderConfig>
  logger: PluginLogger
}): Promise<ProviderSyncResult> {
  const { runtimeConfig, wanted, logger } = options
  const owned = await OwnedProviders.load(options.dataDir)
  const ownedBefore = new Set(owned.list())
  const current = runtimeConfig.current().models?.providers ?? {}

  const clashes = Object.keys(wanted).filter(id => current[id] != null && !owned.has(id))
  const toWrite = Object.keys(wanted).filter(id => !clashes.includes(id) && !covers(current[id], wanted[id]))
  const toRemove = owned.list().filter(id => wanted[id] == null && current[id] != null)
  for (const id of clashes) {
    logger.warn(`clawmatrix: models.providers.${id} exists and was not created by clawmatrix: left as it is, so ${id}/<model> does not reach the mesh (rename that provider or pin the model to another node id)`)
  }

  const stillOwned = owned.list().filter(id => wanted[id] != null || current[id] != null)
  if (toWrite.length === 0 && toRemove.length === 0) {
    await owned.save(stillOwned.filter(id => !toRemove.includes(id)))
    return { written: [], removed: [], clashes }
  }

  // claim the ids first: a crash after the config write must not leave our own entry looking foreign
  await owned.save(new Set([...stillOwned, ...toWrite]))
  let written: string[] = []
  let removed: string[] = []
  await runtimeConfig.mutateConfigFile({
    afterWrite: { mode: 'auto' },
    mutate: draft => {
      written = []
      removed = []
      draft.models ??= {}
      const providers = draft.models.providers ??= {}
      for (const id of toWrite) {
        if (providers[id] != null && !ownedBefore.has(id)) continue
        providers[id] = wanted[id]
        written.push(id)
      }
      for (const id of toRemove) {
        delete providers[id]
        removed.push(id)
      }
    }
  })
  await owned.save(new Set([...stillOwned, ...written].filter(id => !removed.includes(id))))
  return { written, removed, clashes }
}
