import { secretScrubber } from './secret-scrub.js'
import { allowedPeerIds, unpinnedEntries } from '../mesh/allowed-peers.js'
import type { ModelServiceInit, ServedModel } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { ModelConfig, PeerConfig } from '../config/schema.js'
import type { ModelBackend } from '../host/ports.js'

/** The model service settings a node's config implies, with the host's backend for each model */
export function modelInitFromConfig (config: ClawMatrixConfig, backendFor: (entry: ModelConfig) => ModelBackend): ModelServiceInit {
  return {
    nodeId: config.nodeId,
    models: servedModels(config.models, backendFor, config.peers),
    timeoutMs: config.modelTimeout,
    concurrency: config.modelConcurrency,
    maxRequestBytes: config.maxRequestBytes
  }
}

/**
 * Pair each `models[]` entry with the backend the host gives it, and with the callers its
 * `peers` lets in (node ids resolved through the pins of `peers[]`)
 */
export function servedModels (entries: ModelConfig[], backendFor: (entry: ModelConfig) => ModelBackend, peers: readonly PeerConfig[] = []): ServedModel[] {
  return entries.map(entry => {
    const callers = allowedPeerIds(entry.peers, peers)
    return { entry, backend: backendFor(entry), ...(callers != null ? { callers } : {}) }
  })
}

/** One warning per `models[].peers` entry that lets nobody in, for the start-up log */
export function modelPeersWarnings (entries: ModelConfig[], peers: readonly PeerConfig[]): string[] {
  return entries.flatMap(entry => unpinnedEntries(entry.peers, peers).map(peer =>
    `models "${entry.id}" peers: "${peer}" is neither a peer ID nor a node id pinned by peers[].peerId, so it lets nobody in`))
}

/** One warning per model this node lists but cannot serve, for the start-up log */
export function unavailableModelWarnings (models: ServedModel[]): string[] {
  return models
    .filter(m => !m.backend.available)
    .map(m => `model "${m.entry.id}" is announced as unavailable: ${secretScrubber(m.entry)(m.backend.unavailableReason ?? 'no backend')}`)
}
