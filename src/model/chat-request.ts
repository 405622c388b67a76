import { InvalidChatRequestError } from './errors.js'

/** The fields of a chat-completions request the mesh reads; everything else passes through */
export interface ChatRequest extends Record<string, unknown> {
  model: string
  messages: unknown[]
  stream?: boolean
}

/** Check what the mesh relies on, with a 400 naming the field otherwise */
export function checkChatRequest (request: Record<string, unknown>): ChatRequest {
  if (typeof request.model !== 'string' || request.model === '') {
    throw new InvalidChatRequestError('model: required, the name of a model in the mesh (<modelId> or <nodeId>/<modelId>)')
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    throw new InvalidChatRequestError('messages: required, a non-empty array of chat messages')
  }
  if (request.messages.some(m => m == null || typeof m !== 'object' || Array.isArray(m))) {
    throw new InvalidChatRequestError('messages: every entry must be an object with a role')
  }
  if (request.stream != null && typeof request.stream !== 'boolean') {
    throw new InvalidChatRequestError('stream: must be true or false')
  }
  return request as ChatRequest
}
