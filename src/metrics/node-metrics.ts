import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { DURATION_BUCKETS_S, METRIC_PREFIX, TTFB_BUCKETS_S } from './constants.js'
import { BoundedLabels } from './labels.js'
import type { LabelSources } from './labels.js'
import type { MeshMetrics, MetricsSources, ModelAttempt } from './index.js'

const seconds = (since: number): number => (performance.now() - since) / 1000

/**
 * One node's metrics in its own prom-client registry, which libp2p's own metrics
 * (`@libp2p/prometheus-metrics`) share. Counts come from the callers of each plane; the gauges
 * and the counters the services already keep are read when the registry is scraped.
 */
export class NodeMetrics implements MeshMetrics {
  readonly registry = new Registry()
  readonly labels: BoundedLabels
  private readonly modelRequests: Counter<'model' | 'node' | 'path' | 'status'>
  private readonly modelTtfb: Histogram<'model' | 'path'>
  private readonly modelDuration: Histogram<'model' | 'path'>
  private readonly handoffs: Counter<'target' | 'outcome'>
  private readonly handoffDuration: Histogram<'target' | 'outcome'>
  private readonly toolCalls: Counter<'target' | 'outcome'>
  private readonly toolDuration: Histogram<'target' | 'outcome'>
  private readonly failovers: Counter<'plane'>
  private readonly recordsAccepted: Counter<'node'>
  private sources: MetricsSources | undefined

  constructor (labels: LabelSources) {
    this.labels = new BoundedLabels(labels)
    const registers = [this.registry]
    this.modelRequests = new Counter({
      name: `${METRIC_PREFIX}model_requests_total`,
      help: 'Model requests this node sent, by model, serving node, path (local, direct, relayed) and HTTP status or error code',
      labelNames: ['model', 'node', 'path', 'status'],
      registers
    })
    this.modelTtfb = new Histogram({
      name: `${METRIC_PREFIX}model_ttfb_seconds`,
      help: 'Seconds from sending a model request to the first byte of its answer',
      labelNames: ['model', 'path'],
      buckets: TTFB_BUCKETS_S,
      registers
    })
    this.modelDuration = new Histogram({
      name: `${METRIC_PREFIX}model_duration_seconds`,
      help: 'Seconds from sending a model request to the end of its answer',
      labelNames: ['model', 'path'],
      buckets: DURATION_BUCKETS_S,
      registers
    })
    this.handoffs = new Counter({
      name: `${METRIC_PREFIX}handoffs_total`,
      help: 'Handoffs this node started, by the node that ran them and outcome (ok, agent_failed or an error code)',
      labelNames: ['target', 'outcome'],
      registers
    })
    this.handoffDuration = new Histogram({
      name: `${METRIC_PREFIX}handoff_duration_seconds`,
      help: 'Seconds a handoff took, failovers included',
      labelNames: ['target', 'outcome'],
      buckets: DURATION_BUCKETS_S,
      registers
    })
    this.toolCalls = new Counter({
      name: `${METRIC_PREFIX}tool_calls_total`,
      help: 'Tool calls this node sent, by target node and outcome (ok, tool_error or an error code)',
      labelNames: ['target', 'outcome'],
      registers
    })
    this.toolDuration = new Histogram({
      name: `${METRIC_PREFIX}tool_call_duration_seconds`,
      help: 'Seconds a tool call took',
      labelNames: ['target', 'outcome'],
      buckets: DURATION_BUCKETS_S,
      registers
    })
    this.failovers = new Counter({
      name: `${METRIC_PREFIX}failovers_total`,
      help: 'Times a request moved on to another node after one failed, by plane (model, handoff)',
      labelNames: ['plane'],
      registers
    })
    this.recordsAccepted = new Counter({
      name: `${METRIC_PREFIX}records_accepted_total`,
      help: 'Capability records accepted, by announcing node',
      labelNames: ['node'],
      registers
    })
    const metrics = this
    // counters the services keep themselves, read at scrape time
    new Counter({
      name: `${METRIC_PREFIX}records_rejected_total`,
      help: 'Capability records rejected, by reason',
      labelNames: ['reason'],
      registers,
      collect () {
        this.reset()
        for (const [reason, count] of Object.entries(metrics.sources?.rejectedRecords() ?? {})) this.inc({ reason }, count)
      }
    })
    new Counter({
      name: `${METRIC_PREFIX}model_tokens_total`,
      help: 'Tokens the upstreams of this node\'s own models reported, by model and direction (in: prompt, out: completion)',
      labelNames: ['model', 'direction'],
      registers,
      collect () {
        this.reset()
        for (const { model, prompt, completion } of metrics.sources?.tokenTotals() ?? []) {
          const label = metrics.labels.model(model)
          this.inc({ model: label, direction: 'in' }, prompt)
          this.inc({ model: label, direction: 'out' }, completion)
        }
      }
    })
    new Gauge({
      name: `${METRIC_PREFIX}peers`,
      help: 'Peers known to this node, by state (direct, lan, relayed, unreachable)',
      labelNames: ['state'],
      registers,
      collect () {
        this.reset()
        for (const state of ['direct', 'lan', 'relayed', 'unreachable']) this.set({ state }, 0)
        for (const peer of metrics.sources?.peers() ?? []) this.inc({ state: peer.path })
      }
    })
  }

  /** where the scrape-time values come from, once the node is built */
  setSources (sources: MetricsSources): void {
    this.sources = sources
  }

  modelAttempt (modelId: string, nodeId: string, peerId: string | undefined, path: string): ModelAttempt {
    const started = performance.now()
    const model = this.labels.model(modelId)
    const node = this.labels.node(nodeId, peerId)
    return {
      answered: (status) => {
        this.modelRequests.inc({ model, node, path, status: String(status) })
        this.modelTtfb.observe({ model, path }, seconds(started))
      },
      ended: () => {
        this.modelDuration.observe({ model, path }, seconds(started))
      },
      failed: (code) => {
        this.modelRequests.inc({ model, node, path, status: code })
      }
    }
  }

  failover (plane: 'model' | 'handoff'): void {
    this.failovers.inc({ plane })
  }

  handoffEnded (nodeId: string | undefined, peerId: string | undefined, outcome: string, started: number): void {
    const target = nodeId != null ? this.labels.node(nodeId, peerId) : 'none'
    this.handoffs.inc({ target, outcome })
    this.handoffDuration.observe({ target, outcome }, seconds(started))
  }

  toolCallEnded (nodeId: string | undefined, peerId: string | undefined, outcome: string, started: number): void {
    const target = nodeId != null ? this.labels.node(nodeId, peerId) : 'none'
    this.toolCalls.inc({ target, outcome })
    this.toolDuration.observe({ target, outcome }, seconds(started))
  }

  recordAccepted (nodeId: string, peerId: string): void {
    this.recordsAccepted.inc({ node: this.labels.node(nodeId, peerId) })
  }

  async text (): Promise<string> {
    return await this.registry.metrics()
  }

  get contentType (): string {
    return this.registry.contentType
  }
}

