import { randomUUID } from 'node:crypto'
import type { AssistantMessage, AssistantMessageEvent, StopReason, Usage } from '@openclaw/ai'

/** OpenAI `finish_reason` for the library's stop reason; a refusal is a content filter */
export function finishReason (stopReason: StopReason, refused: boolean): string {
  if (refused) return 'content_filter'
  if (stopReason === 'length') return 'length'
  if (stopReason === 'toolUse') return 'tool_calls'
  return 'stop'
}

/** OpenAI usage: prompt tokens count cached ones too, as OpenAI's own do */
export function openAIUsage (usage: Usage): Record<string, unknown> {
  const prompt = usage.input + usage.cacheRead + usage.cacheWrite
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead }
  }
}

/**
 * The OpenAI side of one answer: one id for all its chunks, tool calls numbered in the order
 * they start (`index`), with the id the upstream gave them.
 */
export class ChatAnswer {
  readonly id = `chatcmpl-${randomUUID().replaceAll('-', '')}`
  readonly created = Math.floor(Date.now() / 1000)
  private readonly toolIndex = new Map<number, number>()
  private started = false

  constructor (private readonly model: string) {}

  private chunk (delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }
  }

  /** The chunks one library event becomes (none for events that add nothing the client sees) */
  chunks (event: AssistantMessageEvent): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = []
    if (!this.started) {
      this.started = true
      out.push(this.chunk({ role: 'assistant', content: '' }))
    }
    switch (event.type) {
      case 'text_delta':
        if (event.delta !== '') out.push(this.chunk({ content: event.delta }))
        break
      case 'thinking_delta':
        if (event.delta !== '') out.push(this.chunk({ reasoning_content: event.delta }))
        break
      case 'toolcall_start': {
        const call = event.partial.content[event.contentIndex]
        const index = this.toolIndex.size
        this.toolIndex.set(event.contentIndex, index)
        if (call?.type === 'toolCall') out.push(this.chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }))
        break
      }
      case 'toolcall_delta': {
        const index = this.toolIndex.get(event.contentIndex)
        if (index != null && event.delta !== '') out.push(this.chunk({ tool_calls: [{ index, function: { arguments: event.delta } }] }))
        break
      }
      case 'done':
        out.push(this.chunk({}, finishReason(event.reason, false)))
        break
      default:
        break
    }
    return out
  }

  /** The closing chunk for a refused answer */
  refusalChunk (): Record<string, unknown> {
    return this.chunk({}, 'content_filter')
  }

  /** The usage chunk of `stream_options.include_usage` */
  usageChunk (usage: Usage): Record<string, unknown> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: openAIUsage(usage) }
  }

  /** A whole (non-streamed) completion from the final message */
  completion (message: AssistantMessage, refused: boolean): Record<string, unknown> {
    let text = ''
    let reasoning = ''
    const toolCalls: Array<Record<string, unknown>> = []
    for (const block of message.content) {
      if (block.type === 'text') text += block.text
      else if (block.type === 'thinking') reasoning += block.thinking
      else toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.arguments) } })
    }
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [{
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && toolCalls.length > 0 ? null : text,
          ...(reasoning !== '' ? { reasoning_content: reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          refusal: null
        },
        logprobs: null,
        finish_reason: finishReason(message.stopReason, refused)
      }],
      usage: openAIUsage(message.usage)
    }
  }
}
