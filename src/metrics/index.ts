/**
 * @packageDocumentation
 * A node's Prometheus metrics: one prom-client registry per node holding libp2p's own metrics
 * (through `@libp2p/prometheus-metrics`) and the mesh's (model requests, handoffs, tool calls,
 * failovers, capability records, peers), served at `GET /metrics`.
 */

import { NodeMetrics } from './node-metrics.js'
import type { LabelSources } from './labels.js'
import type { PeerStatus } from '../node/status.js'
import type { Registry } from 'prom-client'

/** One model request to one node, seen from the caller */
export interface ModelAttempt {
  /** the answer began with this HTTP status */
  answered(status: number): void
  /** the answer's body was read to its end (or broke off) */
  ended(): void
  /** the attempt failed before an answer began, with this error code (and the error's message) */
  failed(code: string, message?: string): void
}

/** What a plane's caller counts */
export interface MeshMetrics {
  /** `path`: `local`, `direct` or `relayed` */
  modelAttempt(modelId: string, nodeId: string, peerId: string | undefined, path: string): ModelAttempt
  failover(plane: 'model' | 'handoff'): void
  /** `started`: `performance.now()` when the handoff began; `message` says why when it failed */
  handoffEnded(nodeId: string | undefined, peerId: string | undefined, outcome: string, started: number, message?: string): void
  toolCallEnded(nodeId: string | undefined, peerId: string | undefined, outcome: string, started: number, message?: string): void
  recordAccepted(nodeId: string, peerId: string): void
}

/** The values read when the registry is scraped */
export interface MetricsSources {
  rejectedRecords(): Record<string, number>
  tokenTotals(): Array<{ model: string, prompt: number, completion: number }>
  peers(): PeerStatus[]
}

export interface NodeMetricsRegistry extends MeshMetrics {
  readonly registry: Registry
  readonly contentType: string
  setSources(sources: MetricsSources): void
  /** the Prometheus text exposition of every metric */
  text(): Promise<string>
}

export function nodeMetrics (labels: LabelSources): NodeMetricsRegistry {
  return new NodeMetrics(labels)
}

export { metricsLabelsFromConfig } from './from-config.js'
export { fanOutMetrics } from './fan-out.js'
export { OTHER_LABEL, LOCAL_PATH } from './constants.js'
export type { LabelSources } from './labels.js'
