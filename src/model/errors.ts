import { BUSY_RETRY_AFTER_S } from './constants.js'
import type { ResponseError } from '../../protocols/model.js'

/** An OpenAI-shaped error body */
export interface OpenAiErrorBody {
  error: { message: string, type: string, code: string }
}

export function openAiErrorType (status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 429) return 'rate_limit_error'
  if (status >= 500) return 'server_error'
  return 'invalid_request_error'
}

/** Every failure of the model plane: an HTTP status and an OpenAI error code a client can act on */
export class ModelPlaneError extends Error {
  override readonly name: string = 'ModelPlaneError'

  constructor (readonly status: number, readonly code: string, message: string, readonly type = openAiErrorType(status)) {
    super(message)
  }

  /** worth trying another serving node (only ever before the answer has begun) */
  get retryable (): boolean {
    return false
  }

  /** seconds a client should wait before asking again (`retry-after`), for refusals under load */
  get retryAfterSeconds (): number | undefined {
    return this.code === 'busy' ? BUSY_RETRY_AFTER_S : undefined
  }

  body (): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, code: this.code } }
  }

  frame (): ResponseError {
    return { status: this.status, type: this.type, code: this.code, message: this.message }
  }
}

/** Refusal codes after which another node serving the same model may succeed */
const RETRYABLE_CODES = new Set(['model_not_found', 'model_unavailable', 'busy', 'upstream_unreachable', 'upstream_timeout'])

/** The serving node answered with an error frame */
export class ModelRemoteError extends ModelPlaneError {
  override readonly name = 'ModelRemoteError'

  constructor (frame: ResponseError, readonly nodeId: string) {
    super(frame.status >= 400 && frame.status <= 599 ? frame.status : 502, frame.code !== '' ? frame.code : 'remote_error',
      frame.message, frame.type !== '' ? frame.type : undefined)
  }

  override get retryable (): boolean {
    return RETRYABLE_CODES.has(this.code)
  }
}

/** The stream to the serving node could not be opened, or broke before the answer began */
export class ModelTransportError extends ModelPlaneError {
  override readonly name = 'ModelTransportError'

  constructor (message: string, readonly nodeId: string, options?: ErrorOptions) {
    super(502, 'node_unreachable', message)
    if (options?.cause != null) this.cause = options.cause
  }

  override get retryable (): boolean {
    return true
  }
}

/**
 * The request was refused for load before the serving node's own admission saw it: the node
 * reset the new stream while its connection stayed up (a stream limit), or this node is at its
 * own stream limit towards it. Another node may take the request; this one has not failed.
 */
export class StreamRefusedError extends ModelPlaneError {
  override readonly name = 'StreamRefusedError'

  constructor (message: string, readonly nodeId: string) {
    super(429, 'busy', message)
  }

  override get retryable (): boolean {
    return true
  }
}

/** Nobody in the mesh announces the model */
export class ModelNotFoundError extends ModelPlaneError {
  override readonly name = 'ModelNotFoundError'

  constructor (message: string) {
    super(404, 'model_not_found', message)
  }
}

/** The nodes serving the model do not share it with this node (`models[].peers`) */
export class ModelNotAllowedError extends ModelPlaneError {
  override readonly name = 'ModelNotAllowedError'

  constructor (message: string) {
    super(403, 'not_allowed', message)
  }
}

/** Nodes announce the model but none could take the request */
export class NoReachableNodeError extends ModelPlaneError {
  override readonly name = 'NoReachableNodeError'

  constructor (message: string) {
    super(503, 'no_reachable_node', message)
  }
}

export class InvalidChatRequestError extends ModelPlaneError {
  override readonly name = 'InvalidChatRequestError'

  constructor (message: string) {
    super(400, 'invalid_request', message)
  }
}

export class RequestTooLargeError extends ModelPlaneError {
  override readonly name = 'RequestTooLargeError'

  constructor (bytes: number, limit: number) {
    super(413, 'request_too_large', `request body of ${bytes} bytes is over the limit of ${limit} bytes`)
  }
}

/** The answer had begun and then broke off; it is incomplete */
export class AnswerInterruptedError extends ModelPlaneError {
  override readonly name = 'AnswerInterruptedError'

  constructor (message: string) {
    super(502, 'answer_interrupted', message)
  }
}

/** Nothing arrived for longer than the idle timeout */
export class ModelTimeoutError extends ModelPlaneError {
  override readonly name = 'ModelTimeoutError'

  constructor (message: string) {
    super(504, 'timeout', message)
  }
}

/** Error codes a serving node sends in ResponseError frames, with their HTTP status */
export const SERVER_ERROR_STATUS = {
  model_not_found: 404,
  model_unavailable: 503,
  not_allowed: 403,
  busy: 429,
  request_too_large: 413,
  invalid_request: 400,
  request_timeout: 408,
  upstream_unreachable: 502,
  upstream_timeout: 504,
  upstream_failed: 502,
  cancelled: 499,
  internal_error: 500
} as const

export type ServerErrorCode = keyof typeof SERVER_ERROR_STATUS

/** A refusal or failure on the serving side, sent to the caller as a ResponseError frame */
export function serverError (code: ServerErrorCode, message: string): ModelPlaneError {
  return new ModelPlaneError(SERVER_ERROR_STATUS[code], code, message)
}

/** The upstream answered with an HTTP error; its status, and its OpenAI error when it sent one */
export class UpstreamHttpError extends ModelPlaneError {
  override readonly name = 'UpstreamHttpError'

  constructor (status: number, body: string) {
    const error = parseOpenAiError(body)
    super(status, error?.code ?? 'upstream_error', error?.message ?? `upstream answered ${status}: ${body.slice(0, 500)}`, error?.type)
  }
}

/** `{ error: { message, type?, code? } }` from a body, if that is what it holds */
export function parseOpenAiError (body: string): { message: string, type?: string, code?: string } | undefined {
  let parsed: any
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  const error = parsed?.error
  if (error == null || typeof error.message !== 'string') return undefined
  return {
    message: error.message,
    ...(typeof error.type === 'string' ? { type: error.type } : {}),
    ...(typeof error.code === 'string' ? { code: error.code } : {})
  }
}
