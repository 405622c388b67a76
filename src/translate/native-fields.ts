import type { OpenAIToolChoice, TranslatedRequest } from './chat-request.js'

type Payload = Record<string, any>

type SetNativeFields = (payload: Payload, choice: OpenAIToolChoice | undefined, topP: number | undefined) => void

const responsesFields: SetNativeFields = (payload, choice, topP) => {
  if (choice != null && payload.tools != null) payload.tool_choice = typeof choice === 'object' ? { type: 'function', name: choice.name } : choice
  if (topP != null) payload.top_p = topP
}

/**
 * `tool_choice` and `top_p` in each API's own request, for the two fields the library's
 * provider-neutral options do not carry. Set on the payload the library built, just before it
 * is sent (its documented `onPayload` hook).
 * An API missing here (Bedrock, Vertex, ...) gets neither field.
 */
const NATIVE_FIELDS: Record<string, SetNativeFields> = {
  'anthropic-messages': (payload, choice, topP) => {
    if (choice != null && payload.tools != null) {
      payload.tool_choice = typeof choice === 'object' ? { type: 'tool', name: choice.name } : { type: choice === 'required' ? 'any' : choice }
    }
    if (topP != null) payload.top_p = topP
  },
  'openai-responses': responsesFields,
  'azure-openai-responses': responsesFields,
  'openai-codex-responses': responsesFields,
  'openai-completions': (payload, choice, topP) => {
    if (choice != null && payload.tools != null) payload.tool_choice = typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice
    if (topP != null) payload.top_p = topP
  },
  'google-generative-ai': (payload, choice, topP) => {
    payload.config ??= {}
    if (choice != null && payload.config.tools != null) {
      payload.config.toolConfig = {
        functionCallingConfig: typeof choice === 'object'
          ? { mode: 'ANY', allowedFunctionNames: [choice.name] }
          : { mode: choice === 'required' ? 'ANY' : choice.toUpperCase() }
      }
    }
    if (topP != null) payload.config.topP = topP
  },
  'mistral-conversations': (payload, choice, topP) => {
    if (choice != null && payload.tools != null) payload.toolChoice = typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice
    if (topP != null) payload.topP = topP
  }
}

export function nativeFieldsHook (api: string, fields: TranslatedRequest['payload']): ((payload: unknown) => unknown) | undefined {
  const set = NATIVE_FIELDS[api]
  if (set == null || (fields.toolChoice == null && fields.topP == null)) return undefined
  return (payload) => {
    if (payload != null && typeof payload === 'object') set(payload as Payload, fields.toolChoice, fields.topP)
    return payload
  }
}
