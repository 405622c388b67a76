import { AGENT_POLL_INTERVAL_MS, AGENT_POLL_MESSAGE_LIMIT, MAX_PENDING_AGENT_TEXT } from '../constants.js'
import type { PluginRuntime } from '../openclaw-api.js'

/**
 * The text an agent turn produces, as it is produced. OpenClaw has no streaming API for a
 * sub-agent run: the live source listens to the gateway's agent events (token deltas of the
 * session's assistant stream); hosts without them fall back to reading the session's messages
 * every few hundred ms (one delta per finished assistant message).
 */
export interface AgentText {
  /** settles when new text may be waiting */
  changed: () => Promise<void>
  /** the text produced since the last call */
  take: () => string
  close: () => void
}

/** Pending text for a slow reader, bounded: beyond the limit the oldest text is dropped */
class PendingText {
  private text = ''
  private wake: (() => void) | undefined
  private signal: Promise<void> | undefined

  append (text: string): void {
    this.text += text
    if (this.text.length > MAX_PENDING_AGENT_TEXT) this.text = this.text.slice(-MAX_PENDING_AGENT_TEXT)
    this.wake?.()
    this.wake = undefined
    this.signal = undefined
  }

  changed (): Promise<void> {
    if (this.text !== '') return Promise.resolve()
    this.signal ??= new Promise<void>(resolve => { this.wake = resolve })
    return this.signal
  }

  take (): string {
    const text = this.text
    this.text = ''
    return text
  }
}

/** Live token deltas from `api.runtime.events.onAgentEvent`, for one session */
function eventText (onAgentEvent: NonNullable<NonNullable<PluginRuntime['events']>['onAgentEvent']>, sessionKey: string): AgentText {
  const pending = new PendingText()
  let item: unknown
  const unsubscribe = onAgentEvent(event => {
    if (event.sessionKey !== sessionKey || event.stream !== 'assistant') return
    const delta = event.data.delta
    if (typeof delta !== 'string' || delta === '') return
    // a new assistant message (after a tool call) starts a new paragraph
    if (item !== undefined && event.data.itemId !== item) pending.append('\n\n')
    item = event.data.itemId
    pending.append(delta)
  })
  return { changed: () => pending.changed(), take: () => pending.take(), close: unsubscribe }
}

function messageKey (message: Record<string, unknown>, index: number): string {
  const meta = message.__openclaw as Record<string, unknown> | undefined
  return String(meta?.id ?? meta?.seq ?? message.timestamp ?? index)
}

/** The text of an assistant message (`content` as a string or as typed parts) */
export function assistantText (message: unknown): string | undefined {
  if (message == null || typeof message !== 'object') return undefined
  const { role, content } = message as Record<string, unknown>
  if (role !== 'assistant') return undefined
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return undefined
  const parts = content
    .filter((part): part is { type: 'text', text: string } => part?.type === 'text' && typeof part.text === 'string')
    .map(part => part.text)
  return parts.length > 0 ? parts.join('') : undefined
}

/** Finished assistant messages, read from the session every AGENT_POLL_INTERVAL_MS */
function polledText (subagent: PluginRuntime['subagent'], sessionKey: string, onError: (err: unknown) => void): AgentText {
  const pending = new PendingText()
  const seen = new Set<string>()
  let baseline = true
  let separator = ''
  const poll = async (): Promise<void> => {
    const { messages } = await subagent.getSessionMessages({ sessionKey, limit: AGENT_POLL_MESSAGE_LIMIT })
    messages.forEach((message, index) => {
      const key = messageKey(message as Record<string, unknown>, index)
      if (seen.has(key)) return
      seen.add(key)
      const text = assistantText(message)
      if (baseline || text == null || text === '') return
      pending.append(separator + text)
      separator = '\n\n'
    })
    baseline = false
  }
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const loop = (): void => {
    poll().catch(onError).finally(() => {
      if (!stopped) timer = setTimeout(loop, AGENT_POLL_INTERVAL_MS)
    })
  }
  loop()
  return {
    changed: () => pending.changed(),
    take: () => pending.take(),
    close: () => {
      stopped = true
      clearTimeout(timer)
    }
  }
}

/** Start following the text of `sessionKey`; call before the run starts so nothing is missed */
export function followAgentText (runtime: PluginRuntime, sessionKey: string, onError: (err: unknown) => void): AgentText {
  const onAgentEvent = runtime.events?.onAgentEvent
  if (typeof onAgentEvent === 'function') return eventText(onAgentEvent, sessionKey)
  return polledText(runtime.subagent, sessionKey, onError)
}
