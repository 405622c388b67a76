import type { ServedModel } from './model-server.js'
import type { ModelConfig } from '../config/schema.js'
import type { ModelBackend } from '../host/ports.js'

/** Pair each `models[]` entry with the backend the host gives it */
export function servedModels (entries: ModelConfig[], backendFor: (entry: ModelConfig) => ModelBackend): ServedModel[] {
  return entries.map(entry => ({ entry, backend: backendFor(entry) }))
}

/** One warning per model this node lists but cannot serve, for the start-up log */
export function unavailableModelWarnings (models: ServedModel[]): string[] {
  return models
    .filter(m => !m.backend.available)
    .map(m => `model "${m.entry.id}" is announced as unavailable: ${m.backend.unavailableReason ?? 'no backend'}`)
}
