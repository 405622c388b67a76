import { startFakeAnthropic } from '../../helpers/fake-anthropic.js'
import { startFakeResponses } from '../../helpers/fake-openai-responses.js'
import { answerFor } from './fake-model.js'
import type { AnthropicReply, AnthropicRequest, FakeAnthropic } from '../../helpers/fake-anthropic.js'
import type { FakeResponses, ResponsesReply, ResponsesRequest } from '../../helpers/fake-openai-responses.js'

const MARKER = /MARK-[A-Za-z0-9-]+/g
/** the key alpha's gateway has for the built-in anthropic provider, set in its environment */
export const ANTHROPIC_KEY = 'sk-ant-e2e-alpha-key-0123456789'
export const RESPONSES_KEY = 'sk-e2e-responses-key-0123456789'
/** a prompt with this word makes the fake Claude call a tool first: `read` of a file in the agent's workspace */
export const TOOL_WORD = 'use-a-tool'
export const TOOL_CALL_ID = 'toolu_e2e_01'

export function nativeMarkers (body: Record<string, any>): string[] {
  return JSON.stringify(body.messages ?? body.input ?? []).match(MARKER) ?? []
}

/** the markers of what the user wrote (Anthropic messages), tool results left out */
function userMarkers (body: Record<string, any>): string[] {
  const texts = (body.messages ?? []).filter((m: any) => m.role === 'user').flatMap((m: any) =>
    typeof m.content === 'string' ? [m.content] : (m.content ?? []).filter((b: any) => b?.type === 'text').map((b: any) => String(b.text)))
  return texts.join('\n').match(MARKER) ?? []
}

/** the tool_result blocks of an Anthropic request, by tool_use id */
export function toolResults (request: AnthropicRequest): Array<{ id: string, text: string }> {
  const results: Array<{ id: string, text: string }> = []
  for (const message of request.body.messages ?? []) {
    if (!Array.isArray(message.content)) continue
    for (const block of message.content) {
      if (block?.type !== 'tool_result') continue
      const text = typeof block.content === 'string' ? block.content : JSON.stringify(block.content)
      results.push({ id: String(block.tool_use_id), text })
    }
  }
  return results
}

/** The tool an OpenClaw agent turn offers that reads a file, with its arguments for `path` */
function readTool (request: AnthropicRequest, path: string): { name: string, pieces: string[] } | undefined {
  const names = (request.body.tools ?? []).map((tool: any) => String(tool.name))
  const name = names.find((n: string) => n === 'read') ?? names.find((n: string) => /read/i.test(n))
  if (name == null) return undefined
  const json = JSON.stringify({ path })
  // the arguments arrive in several pieces, as Claude streams them
  return { name, pieces: [json.slice(0, 5), json.slice(5, 12), json.slice(12)] }
}

/**
 * Claude behind alpha's built-in `anthropic` provider: a prompt with TOOL_WORD gets a `read`
 * tool call for `toolFile` first, and once the tool's result comes back, an answer quoting it;
 * any other prompt a short answer naming its marker.
 */
export async function startFakeClaude (toolFile: string): Promise<FakeAnthropic> {
  const fake = await startFakeAnthropic()
  fake.reply = (request): AnthropicReply => {
    const marker = userMarkers(request.body).at(-1)
    const text = marker != null ? answerFor(marker) : 'fake-claude here'
    // the first tool result answers the call, whatever id the agent's side gave it back under
    const result = toolResults(request).at(0)
    if (result != null) {
      return { kind: 'message', blocks: [{ type: 'text', pieces: [text, ' and the tool said: ', result.text.slice(0, 200)] }], stopReason: 'end_turn', usage: { input: 40, output: 12 } }
    }
    const tool = JSON.stringify(request.body.messages ?? []).includes(TOOL_WORD) ? readTool(request, toolFile) : undefined
    if (tool != null) {
      return { kind: 'message', blocks: [{ type: 'text', pieces: ['Let me look.'] }, { type: 'tool_use', id: TOOL_CALL_ID, name: tool.name, pieces: tool.pieces }], stopReason: 'tool_use', usage: { input: 30, output: 9 } }
    }
    return { kind: 'message', blocks: [{ type: 'text', pieces: text.split(/(?<= )/) }], stopReason: 'end_turn', usage: { input: 20, output: 5 } }
  }
  return fake
}

/** An OpenAI Responses model behind alpha's `models.providers` entry: a short answer naming the marker */
export async function startFakeResponsesModel (): Promise<FakeResponses> {
  const fake = await startFakeResponses()
  fake.reply = (request: ResponsesRequest): ResponsesReply => {
    const marker = nativeMarkers(request.body).at(-1)
    const text = marker != null ? answerFor(marker) : 'fake-responses here'
    return { kind: 'response', items: [{ type: 'message', pieces: text.split(/(?<= )/) }], usage: { input: 12, output: 4 } }
  }
  return fake
}
