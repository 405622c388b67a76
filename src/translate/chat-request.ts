import { TranslationError } from './errors.js'
import type { ImageSource } from './images.js'
import type { AssistantMessage, Context, ImageContent, Message, SimpleStreamOptions, TextContent, Tool, ToolCall, ToolResultMessage } from '@openclaw/ai'

/** The parts of an OpenAI chat-completions request the translation reads */
type OpenAIRequest = Record<string, any>

/** What one request becomes: the library's context and options, and how to answer */
export interface TranslatedRequest {
  context: Context
  options: SimpleStreamOptions & Record<string, unknown>
  /** `tool_choice` and `top_p`, which the library's simple options do not carry: set on the native payload */
  payload: { toolChoice?: OpenAIToolChoice, topP?: number }
  stream: boolean
  includeUsage: boolean
}

export type OpenAIToolChoice = 'auto' | 'none' | 'required' | { name: string }

/** Who the replayed assistant turns came from: this same upstream model */
export interface ReplayIdentity {
  api: string
  provider: string
  model: string
}

const REASONING_LEVELS = new Set(['minimal', 'low', 'medium', 'high', 'xhigh', 'max'])

function textOf (content: unknown, param: string): string {
  if (content == null) return ''
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) throw new TranslationError(`${param} must be a string or an array of content parts`, param)
  return content.map((part, i) => {
    if (part?.type === 'text' && typeof part.text === 'string') return part.text
    if (part?.type === 'refusal' && typeof part.refusal === 'string') return part.refusal
    throw new TranslationError(`${param}[${i}] must be a text part here`, `${param}[${i}]`)
  }).join('')
}

async function userContent (content: unknown, param: string, images: ImageSource): Promise<string | Array<TextContent | ImageContent>> {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) throw new TranslationError(`${param} must be a string or an array of content parts`, param)
  const parts: Array<TextContent | ImageContent> = []
  for (const [i, part] of content.entries()) {
    if (part?.type === 'text' && typeof part.text === 'string') parts.push({ type: 'text', text: part.text })
    else if (part?.type === 'image_url') parts.push(await images.load(part.image_url?.url, `${param}[${i}].image_url.url`))
    else throw new TranslationError(`${param}[${i}]: content part type ${JSON.stringify(part?.type)} has no equivalent upstream`, `${param}[${i}].type`)
  }
  return parts
}

function toolCallsOf (calls: unknown, param: string): ToolCall[] {
  if (calls == null) return []
  if (!Array.isArray(calls)) throw new TranslationError(`${param} must be an array`, param)
  return calls.map((call, i) => {
    const fn = call?.function
    if (typeof call?.id !== 'string' || typeof fn?.name !== 'string') throw new TranslationError(`${param}[${i}] needs an id and a function name`, `${param}[${i}]`)
    let args: unknown = {}
    if (typeof fn.arguments === 'string' && fn.arguments.trim() !== '') {
      try {
        args = JSON.parse(fn.arguments)
      } catch {
        throw new TranslationError(`${param}[${i}].function.arguments is not valid JSON`, `${param}[${i}].function.arguments`)
      }
    }
    if (args == null || typeof args !== 'object' || Array.isArray(args)) throw new TranslationError(`${param}[${i}].function.arguments must be a JSON object`, `${param}[${i}].function.arguments`)
    return { type: 'toolCall', id: call.id, name: fn.name, arguments: args as Record<string, unknown> }
  })
}

function assistantTurn (message: any, param: string, identity: ReplayIdentity): AssistantMessage {
  const text = textOf(message.content, `${param}.content`)
  const calls = toolCallsOf(message.tool_calls, `${param}.tool_calls`)
  return {
    role: 'assistant',
    content: [...(text !== '' ? [{ type: 'text' as const, text }] : []), ...calls],
    api: identity.api,
    provider: identity.provider,
    model: identity.model,
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } },
    stopReason: calls.length > 0 ? 'toolUse' : 'stop',
    timestamp: 0
  }
}

function toolsOf (tools: unknown): Tool[] | undefined {
  if (tools == null) return undefined
  if (!Array.isArray(tools)) throw new TranslationError('tools must be an array', 'tools')
  return tools.map((tool, i) => {
    if (tool?.type !== 'function' || typeof tool.function?.name !== 'string') {
      throw new TranslationError(`tools[${i}]: only function tools have an equivalent upstream`, `tools[${i}].type`)
    }
    return {
      name: tool.function.name,
      description: typeof tool.function.description === 'string' ? tool.function.description : '',
      parameters: tool.function.parameters ?? { type: 'object', properties: {} }
    }
  })
}

function toolChoiceOf (choice: unknown): OpenAIToolChoice | undefined {
  if (choice == null) return undefined
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice
  const name = (choice as any)?.function?.name
  if ((choice as any)?.type === 'function' && typeof name === 'string') return { name }
  throw new TranslationError('tool_choice must be "auto", "none", "required" or { type: "function", function: { name } }', 'tool_choice')
}

function responseFormatOf (format: any): Record<string, unknown> | undefined {
  if (format == null || format.type === 'text') return undefined
  if (format.type === 'json_schema' && format.json_schema?.schema != null) return format.json_schema.schema
  if (format.type === 'json_object') return { type: 'object' }
  throw new TranslationError('response_format must be text, json_object or json_schema with a schema', 'response_format')
}

function finiteNumber (value: unknown, param: string): number | undefined {
  if (value == null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TranslationError(`${param} must be a number`, param)
  return value
}

/**
 * Turn an OpenAI chat-completions request into the library's context and options. System and
 * developer messages become the system prompt; tool results are matched to the call that asked
 * for them by id. Fields with no native equivalent that only tune the answer (`logprobs`,
 * `seed`, penalties, `logit_bias`, `parallel_tool_calls`) are left out; `n` above 1 cannot be
 * honoured and is refused.
 */
export async function translateRequest (request: OpenAIRequest, identity: ReplayIdentity, images: ImageSource): Promise<TranslatedRequest> {
  if (!Array.isArray(request.messages)) throw new TranslationError('messages must be an array', 'messages')
  if (request.n != null && request.n !== 1) throw new TranslationError('n: only one choice per request can be translated for this upstream', 'n')
  const system: string[] = []
  const messages: Message[] = []
  const toolNames = new Map<string, string>()
  for (const [i, message] of request.messages.entries()) {
    const param = `messages[${i}]`
    switch (message?.role) {
      case 'system':
      case 'developer':
        system.push(textOf(message.content, `${param}.content`))
        break
      case 'user':
        messages.push({ role: 'user', content: await userContent(message.content, `${param}.content`, images), timestamp: 0 })
        break
      case 'assistant': {
        const turn = assistantTurn(message, param, identity)
        for (const block of turn.content) if (block.type === 'toolCall') toolNames.set(block.id, block.name)
        messages.push(turn)
        break
      }
      case 'tool': {
        const id = message.tool_call_id
        if (typeof id !== 'string' || !toolNames.has(id)) throw new TranslationError(`${param}.tool_call_id does not name a tool call of an earlier assistant message`, `${param}.tool_call_id`)
        const result: ToolResultMessage = { role: 'toolResult', toolCallId: id, toolName: toolNames.get(id) ?? '', content: [{ type: 'text', text: textOf(message.content, `${param}.content`) }], isError: false, timestamp: 0 }
        messages.push(result)
        break
      }
      default:
        throw new TranslationError(`${param}.role ${JSON.stringify(message?.role)} has no equivalent upstream`, `${param}.role`)
    }
  }
  const tools = toolsOf(request.tools)
  const stop = typeof request.stop === 'string' ? [request.stop] : Array.isArray(request.stop) ? request.stop.filter((s: unknown) => typeof s === 'string') : undefined
  const maxTokens = finiteNumber(request.max_completion_tokens ?? request.max_tokens, request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens')
  const temperature = finiteNumber(request.temperature, 'temperature')
  const topP = finiteNumber(request.top_p, 'top_p')
  const responseFormat = responseFormatOf(request.response_format)
  const effort = request.reasoning_effort
  if (effort != null && effort !== 'none' && !REASONING_LEVELS.has(effort)) throw new TranslationError(`reasoning_effort ${JSON.stringify(effort)} is not a known level`, 'reasoning_effort')
  const toolChoice = toolChoiceOf(request.tool_choice)
  return {
    context: { ...(system.length > 0 ? { systemPrompt: system.join('\n\n') } : {}), messages, ...(tools != null ? { tools } : {}) },
    options: {
      ...(temperature != null ? { temperature } : {}),
      ...(maxTokens != null ? { maxTokens } : {}),
      ...(stop != null && stop.length > 0 ? { stop } : {}),
      ...(responseFormat != null ? { responseFormat } : {}),
      ...(effort != null ? { reasoning: effort === 'none' ? 'off' : effort } : {}),
      ...(typeof request.user === 'string' ? { metadata: { user_id: request.user } } : {})
    },
    payload: { ...(toolChoice != null ? { toolChoice } : {}), ...(topP != null ? { topP } : {}) },
    stream: request.stream === true,
    includeUsage: request.stream_options?.include_usage === true
  }
}
