import { randomUUID } from 'node:crypto'
import { raceSignal } from 'race-signal'
import { ToolError } from '../../tool/errors.js'
import type { ToolExecutor, ToolInvocation, ToolResult } from '../../host/ports.js'
import type { AgentTool, ToolResult as OpenClawToolResult } from '../openclaw-api.js'

/** `details.status` values OpenClaw uses for a call that did not do its job */
const FAILED_STATUSES = new Set(['error', 'failed', 'blocked', 'denied', 'invalid', 'cancelled'])

function textOf (result: OpenClawToolResult | undefined): string {
  return (result?.content ?? [])
    .filter(part => part?.type === 'text' && typeof part.text === 'string')
    .map(part => part.text)
    .join('\n')
}

function detailsOf (result: OpenClawToolResult): Record<string, unknown> {
  const details = result.details
  if (details != null && typeof details === 'object' && !Array.isArray(details)) return details as Record<string, unknown>
  return details === undefined ? {} : { value: details }
}

function succeeded (tool: string, details: Record<string, unknown>): boolean {
  if (details.ok === true || details.success === true) return true
  if (tool === 'exec') return details.exitCode === 0
  return !(typeof details.status === 'string' && FAILED_STATUSES.has(details.status))
}

/**
 * The caller's arguments in OpenClaw's terms. The mesh's `exec` takes `timeout` in seconds (the
 * seed's name); OpenClaw's takes `timeoutSeconds` and would move a long command to the
 * background after `yieldMs`, so both are set to the deadline the policy granted.
 */
function openClawArgs (invocation: ToolInvocation): Record<string, unknown> {
  if (invocation.tool !== 'exec') return invocation.args
  const { timeout, ...rest } = invocation.args
  const requestedS = typeof timeout === 'number' && timeout > 0 ? timeout : Infinity
  const seconds = Math.max(1, Math.floor(Math.min(requestedS, invocation.timeoutMs / 1000)))
  return { ...rest, timeoutSeconds: seconds, yieldMs: seconds * 1000 }
}

/**
 * Streamed exec output: OpenClaw reports the output so far with each update; what is new goes to
 * `onOutput`, and the final content keeps only what was not streamed (the exit line).
 */
class OutputForwarder {
  private sent = ''

  constructor (private readonly onOutput: NonNullable<ToolInvocation['onOutput']>) {}

  readonly update = (partial: OpenClawToolResult): void => {
    const text = textOf(partial)
    if (!text.startsWith(this.sent) || text.length === this.sent.length) return
    this.onOutput(new TextEncoder().encode(text.slice(this.sent.length)), 'stdout')
    this.sent = text
  }

  /** the final text minus what was streamed (OpenClaw trims the output's trailing newline in it) */
  unsent (finalText: string): string {
    const streamed = this.sent.trimEnd()
    return finalText.startsWith(streamed) ? finalText.slice(streamed.length).trimStart() : finalText
  }
}

/**
 * Remote tool calls run OpenClaw's own agent tools on this gateway (`createOpenClawCodingTools`:
 * exec, read, write, edit, web_search, ...). The tool service has already checked the call
 * against toolProxy policy; this only runs it, under the granted deadline.
 */
export class CodingToolExecutor implements ToolExecutor {
  private readonly byName: Map<string, AgentTool>

  constructor (tools: AgentTool[]) {
    this.byName = new Map(tools.map(tool => [tool.name, tool]))
  }

  tools (): string[] {
    return [...this.byName.keys()]
  }

  async invoke (invocation: ToolInvocation): Promise<ToolResult> {
    const tool = this.byName.get(invocation.tool)
    if (tool == null) throw new ToolError('not_found', `OpenClaw on this node has no tool "${invocation.tool}"`)
    const forwarder = invocation.onOutput != null ? new OutputForwarder(invocation.onOutput) : undefined
    const deadline = AbortSignal.timeout(invocation.timeoutMs)
    const signal = AbortSignal.any([invocation.signal, deadline])
    let result: OpenClawToolResult
    try {
      // a tool that ignores its signal cannot hold the call past its deadline
      result = await raceSignal(tool.execute(`clawmatrix-${randomUUID()}`, openClawArgs(invocation), signal, forwarder?.update), signal)
    } catch (err: any) {
      if (invocation.signal.aborted) throw invocation.signal.reason
      if (deadline.aborted) throw new ToolError('timeout', `${invocation.tool} did not finish within ${invocation.timeoutMs / 1000} s`)
      if (err instanceof ToolError) throw err
      throw new ToolError('failed', `${invocation.tool} failed: ${String(err?.message ?? err)}`)
    }
    const details = detailsOf(result)
    const text = textOf(result)
    return { ok: succeeded(invocation.tool, details), content: forwarder?.unsent(text) ?? text, details, truncated: false }
  }
}
