import { randomUUID } from 'node:crypto'
import { AGENT_WAIT_SLICE_MS } from '../constants.js'
import { abortSessionRun } from '../sdk.js'
import { followAgentText } from './agent-text.js'
import type { AgentRunEvent, AgentRunner, AgentRunRequest, AgentRunResult, AgentSendAck, AgentSendRequest } from '../../host/ports.js'
import type { AgentWaitResult, OpenClawConfig, PluginLogger, PluginRuntime } from '../openclaw-api.js'

/** OpenClaw's implicit agent when `agents.list` is empty */
const DEFAULT_AGENT_ID = 'main'
/** The session one-way messages for an agent go to, unless the caller names one */
const INBOX_SESSION = 'inbox'

/** The agent ids this gateway runs */
export function openClawAgentIds (config: OpenClawConfig): Set<string> {
  const ids = (config.agents?.list ?? []).map(agent => agent.id).filter((id): id is string => typeof id === 'string' && id !== '')
  return new Set(ids.length > 0 ? ids : [DEFAULT_AGENT_ID])
}

/** `agent:<agent>:subagent:clawmatrix-<session>`, the session name kept to safe characters */
export function sessionKeyFor (agent: string, sessionId: string): string {
  const safe = sessionId.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64)
  return `agent:${agent}:subagent:clawmatrix-${safe}`
}

function taskMessage (task: string, context?: string): string {
  return context != null && context !== '' ? `${task}\n\n---\nContext:\n${context}` : task
}

/** `timeout` also answers a wait that merely gave up; only one with an end time is the run's own */
function isFinished (wait: AgentWaitResult): boolean {
  if (wait.status === 'ok' || wait.status === 'error') return true
  return wait.status === 'timeout' && (wait.endedAt != null || wait.timeoutPhase != null)
}

function resultOf (wait: AgentWaitResult): AgentRunResult {
  if (wait.status === 'ok') {
    return { success: true, result: wait.terminalReply?.disposition === 'visible' ? wait.terminalReply.text : '' }
  }
  if (wait.status === 'timeout') return { success: false, error: 'the agent run timed out in OpenClaw' }
  return { success: false, error: wait.error ?? 'the agent run failed' }
}

function abortedPromise (signal: AbortSignal): { promise: Promise<'aborted'>, dispose: () => void } {
  let onAbort = (): void => {}
  const promise = new Promise<'aborted'>(resolve => {
    onAbort = () => { resolve('aborted') }
    if (signal.aborted) resolve('aborted')
    else signal.addEventListener('abort', onAbort, { once: true })
  })
  return { promise, dispose: () => { signal.removeEventListener('abort', onAbort) } }
}

/**
 * Handoffs as OpenClaw agent turns on this gateway (`api.runtime.subagent`): one session per
 * handoff (or per caller session id), text streamed as the agent produces it, the run aborted
 * when the caller cancels or goes away. `send` starts a turn in the agent's inbox session and
 * does not wait for it.
 */
export class SubagentRunner implements AgentRunner {
  constructor (private readonly runtime: PluginRuntime, private readonly config: () => OpenClawConfig, private readonly logger: PluginLogger) {}

  canRun (agent: string): boolean {
    return openClawAgentIds(this.config()).has(agent)
  }

  async * run (request: AgentRunRequest): AsyncGenerator<AgentRunEvent> {
    const sessionKey = sessionKeyFor(request.agent, request.sessionId ?? randomUUID())
    const text = followAgentText(this.runtime, sessionKey, err => { this.logger.warn(`reading agent session ${sessionKey} failed: ${String(err)}`) })
    const aborted = abortedPromise(request.signal)
    let started = false
    let finished = false
    try {
      let runId: string
      try {
        ({ runId } = await this.runtime.subagent.run({ sessionKey, message: taskMessage(request.task, request.context), deliver: false, idempotencyKey: randomUUID() }))
        started = true
      } catch (err: any) {
        yield { type: 'result', result: { success: false, error: `OpenClaw did not start agent "${request.agent}": ${String(err?.message ?? err)}` } }
        return
      }
      let wait = this.waitSlice(runId)
      while (true) {
        const outcome = await Promise.race([wait, text.changed().then(() => 'text' as const), aborted.promise])
        const delta = text.take()
        if (delta !== '') yield { type: 'delta', text: delta }
        if (outcome === 'aborted') throw request.signal.reason
        if (outcome === 'text') continue
        if (isFinished(outcome)) {
          finished = true
          const tail = text.take()
          if (tail !== '') yield { type: 'delta', text: tail }
          yield { type: 'result', result: resultOf(outcome) }
          return
        }
        wait = this.waitSlice(runId)
      }
    } finally {
      aborted.dispose()
      text.close()
      if (started && !finished) {
        await abortSessionRun(sessionKey).catch((err: unknown) => {
          this.logger.warn(`could not abort the agent run in ${sessionKey}: ${String(err)}`)
        })
      }
    }
  }

  /** one bounded observation of the run; a rejection nobody awaits any more is not left unhandled */
  private waitSlice (runId: string): Promise<AgentWaitResult> {
    const wait = this.runtime.subagent.waitForRun({ runId, timeoutMs: AGENT_WAIT_SLICE_MS })
    wait.catch(() => {})
    return wait
  }

  async send (request: AgentSendRequest): Promise<AgentSendAck> {
    const sessionKey = sessionKeyFor(request.agent, request.sessionId ?? INBOX_SESSION)
    try {
      const { runId } = await this.runtime.subagent.run({ sessionKey, message: request.message, deliver: false, idempotencyKey: randomUUID() })
      return { accepted: true, deliveryId: runId }
    } catch (err: any) {
      return { accepted: false, error: `OpenClaw did not start agent "${request.agent}": ${String(err?.message ?? err)}` }
    }
  }
}
