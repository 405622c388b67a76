import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import { expandCommand } from './agent-command.js'
import { runChild } from './child-run.js'
import { startDelivery } from './delivery.js'
import type { AgentConfig } from '../config/schema.js'
import type { AgentRunEvent, AgentRunner, AgentRunRequest, AgentSendAck, AgentSendRequest } from '../host/ports.js'
import type { ProcessScope } from './process-scope/index.js'

const log = logger('clawmatrix:agent-runner')

/** Folder under dataDir holding the output tails of delivered messages, one subfolder per agent */
export const DELIVERIES_DIR = 'agent-messages'
/** Delivered messages whose commands may run at the same time */
export const MAX_RUNNING_DELIVERIES = 16
export const DEFAULT_DELIVERY_TIMEOUT_MS = 600_000
/** how long stop() waits for killed deliveries to write their output */
const STOP_WAIT_MS = 2000

export interface ProcessAgentRunnerInit {
  agents: ReadonlyArray<Pick<AgentConfig, 'id' | 'command'>>
  dataDir: string
  /** ms a delivered message's command may run before it is killed */
  deliveryTimeoutMs?: number
  maxRunningDeliveries?: number
}

/**
 * The standalone AgentRunner: each agent with a `command` is a program run once per task,
 * `{task}`, `{context}`, `{agent}` and `{session}` replaced in its argv (no shell), the task
 * on stdin when no argument holds `{task}`.
 */
export class ProcessAgentRunner implements AgentRunner {
  private readonly commands = new Map<string, readonly string[]>()
  private readonly deliveries = new Map<ProcessScope, Promise<void>>()
  private readonly deliveryTimeoutMs: number
  private readonly maxRunningDeliveries: number

  constructor (private readonly init: ProcessAgentRunnerInit) {
    for (const agent of init.agents) {
      if (agent.command != null) this.commands.set(agent.id, agent.command)
    }
    this.deliveryTimeoutMs = init.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS
    this.maxRunningDeliveries = init.maxRunningDeliveries ?? MAX_RUNNING_DELIVERIES
  }

  canRun (agent: string): boolean {
    return this.commands.has(agent)
  }

  async * run (request: AgentRunRequest): AsyncGenerator<AgentRunEvent> {
    const command = this.commands.get(request.agent)
    if (command == null) {
      yield { type: 'result', result: { success: false, error: `agent "${request.agent}" has no command` } }
      return
    }
    const { argv, taskOnStdin } = expandCommand(command, {
      task: request.task,
      context: request.context ?? '',
      agent: request.agent,
      session: request.sessionId ?? ''
    })
    log('running %s for agent %s', argv[0], request.agent)
    yield * runChild(argv, taskOnStdin ? request.task : undefined, request.signal)
  }

  /** Start the agent's command with the message as {task}; acknowledged once it runs */
  async send (request: AgentSendRequest): Promise<AgentSendAck> {
    const command = this.commands.get(request.agent)
    if (command == null) return { accepted: false, error: `agent "${request.agent}" has no command` }
    if (this.deliveries.size >= this.maxRunningDeliveries) {
      return { accepted: false, error: `${this.deliveries.size} earlier messages are still being handled, the limit on this node` }
    }
    const { argv, taskOnStdin } = expandCommand(command, { task: request.message, context: '', agent: request.agent, session: request.sessionId ?? '' })
    try {
      const delivery = await startDelivery({
        argv,
        ...(taskOnStdin ? { stdin: request.message } : {}),
        logDir: join(this.init.dataDir, DELIVERIES_DIR, request.agent),
        timeoutMs: this.deliveryTimeoutMs
      })
      const ended = delivery.ended
        .catch(err => { log.error('keeping the output of message %s failed - %e', delivery.id, err) })
        .finally(() => { this.deliveries.delete(delivery.scope) })
      this.deliveries.set(delivery.scope, ended)
      log('delivered a message to agent %s as %s', request.agent, delivery.id)
      return { accepted: true, deliveryId: delivery.id }
    } catch (err: any) {
      return { accepted: false, error: `could not start "${argv[0]}": ${String(err?.message ?? err)}` }
    }
  }

  /** Kill the commands of delivered messages still running, and wait (bounded) until their output is kept */
  async stop (): Promise<void> {
    for (const scope of this.deliveries.keys()) void scope.end()
    await Promise.race([
      Promise.allSettled(this.deliveries.values()),
      new Promise(resolve => setTimeout(resolve, STOP_WAIT_MS).unref())
    ])
  }
}
