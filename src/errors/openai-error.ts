/**
 * The one OpenAI error mapper: every HTTP error body the node sends (proxy, handoff and tool
 * routes) has OpenAI's shape, its `type` read from the status as OpenAI's API sets it.
 */

/**
 * An OpenAI-shaped error body; `param` (the request field at fault, or null) only where a body
 * names one, in OpenAI's own order: message, type, param, code
 */
export interface OpenAIErrorBody {
  error: { message: string, type: string, param?: string | null, code: string | null }
}

/** OpenAI's error `type` for an HTTP status */
export function openAIErrorType (status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 429) return 'rate_limit_error'
  if (status >= 500) return 'server_error'
  return 'invalid_request_error'
}

/** The body; `type` defaults to the status's */
export function openAIErrorBody (status: number, code: string | null, message: string, options: { type?: string, param?: string | null } = {}): OpenAIErrorBody {
  return { error: { message, type: options.type ?? openAIErrorType(status), ...(options.param !== undefined ? { param: options.param } : {}), code } }
}
