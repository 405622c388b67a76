import { BUSY_RETRY_AFTER_S } from './constants.js'
import { ClawMatrixError } from '../errors/clawmatrix-error.js'
import { openAIErrorBody, openAIErrorType } from '../errors/openai-error.js'
import type { ResponseError } from '../../protocols/model.js'
import type { OpenAIErrorBody } from '../errors/openai-error.js'
import type { Where } from '../router/where.js'

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

/**
 * Error codes the calling side raises itself, with their HTTP status. A serving node's refusal
 * keeps the code and status of its error frame (`ModelRemoteError`), an upstream's HTTP error
 * its own status (`UpstreamHttpError`, code `upstream_error` when the upstream names none).
 */
export const CALLER_ERROR_STATUS = {
  invalid_request: 400,
  not_allowed: 403,
  model_not_found: 404,
  request_too_large: 413,
  busy: 429,
  node_unreachable: 502,
  answer_interrupted: 502,
  answer_too_large: 502,
  invalid_answer: 502,
  no_reachable_node: 503,
  timeout: 504
} as const

export type CallerErrorCode = keyof typeof CALLER_ERROR_STATUS

/** Refusal codes after which another node serving the same model may succeed */
const RETRYABLE_CODES = new Set<string>(['model_not_found', 'model_unavailable', 'busy', 'upstream_unreachable', 'upstream_timeout'])

/**
 * Every failure of the model plane: an HTTP status and an OpenAI error code a client can act on.
 * `retryable`: worth trying another serving node (only ever before the answer has begun).
 */
export class ModelPlaneError extends ClawMatrixError {
  static override readonly name: string = 'ModelPlaneError'
  override readonly name: string = 'ModelPlaneError'

  /** set by the mesh's caller once a node was tried: the last node tried, and how many were */
  where?: Where

  constructor (readonly status: number, code: string, message: string, readonly type = openAIErrorType(status)) {
    super(code, message)
  }

  /** seconds a client should wait before asking again (`retry-after`), for refusals under load */
  get retryAfterSeconds (): number | undefined {
    return this.code === 'busy' ? BUSY_RETRY_AFTER_S : undefined
  }

  body (): OpenAIErrorBody {
    return openAIErrorBody(this.status, this.code, this.message, { type: this.type })
  }

  frame (): ResponseError {
    return { status: this.status, type: this.type, code: this.code, message: this.message }
  }
}

/** A refusal or failure on the serving side, sent to the caller as a ResponseError frame */
export function serverError (code: ServerErrorCode, message: string): ModelPlaneError {
  return new ModelPlaneError(SERVER_ERROR_STATUS[code], code, message)
}

/** The serving node answered with an error frame */
export class ModelRemoteError extends ModelPlaneError {
  static override readonly name = 'ModelRemoteError'
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
  static override readonly name = 'ModelTransportError'
  override readonly name = 'ModelTransportError'

  constructor (message: string, readonly nodeId: string, options?: ErrorOptions) {
    super(CALLER_ERROR_STATUS.node_unreachable, 'node_unreachable', message)
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
  static override readonly name = 'StreamRefusedError'
  override readonly name = 'StreamRefusedError'

  constructor (message: string, readonly nodeId: string) {
    super(CALLER_ERROR_STATUS.busy, 'busy', message)
  }

  override get retryable (): boolean {
    return true
  }
}

/** Nobody in the mesh announces the model */
export class ModelNotFoundError extends ModelPlaneError {
  static override readonly name = 'ModelNotFoundError'
  override readonly name = 'ModelNotFoundError'

  constructor (message: string) {
    super(CALLER_ERROR_STATUS.model_not_found, 'model_not_found', message)
  }
}

/** The nodes serving the model do not share it with this node (`models[].peers`) */
export class ModelNotAllowedError extends ModelPlaneError {
  static override readonly name = 'ModelNotAllowedError'
  override readonly name = 'ModelNotAllowedError'

  constructor (message: string) {
    super(CALLER_ERROR_STATUS.not_allowed, 'not_allowed', message)
  }
}

/** Nodes announce the model but none could take the request */
export class NoReachableNodeError extends ModelPlaneError {
  static override readonly name = 'NoReachableNodeError'
  override readonly name = 'NoReachableNodeError'

  constructor (message: string) {
    super(CALLER_ERROR_STATUS.no_reachable_node, 'no_reachable_node', message)
  }
}

export class InvalidChatRequestError extends ModelPlaneError {
  static override readonly name = 'InvalidChatRequestError'
  override readonly name = 'InvalidChatRequestError'

  constructor (message: string) {
    super(CALLER_ERROR_STATUS.invalid_request, 'invalid_request', message)
  }
}

export class RequestTooLargeError extends ModelPlaneError {
  static override readonly name = 'RequestTooLargeError'
  override readonly name = 'RequestTooLargeError'

  constructor (bytes: number, limit: number) {
    super(CALLER_ERROR_STATUS.request_too_large, 'request_too_large', `request body of ${bytes} bytes is over the limit of ${limit} bytes`)
  }
}

/** The answer had begun and then broke off; it is incomplete */
export class AnswerInterruptedError extends ModelPlaneError {
  static override readonly name = 'AnswerInterruptedError'
  override readonly name = 'AnswerInterruptedError'

  constructor (message: string) {
    super(CALLER_ERROR_STATUS.answer_interrupted, 'answer_interrupted', message)
  }
}

/** Nothing arrived for longer than the idle timeout */
export class ModelTimeoutError extends ModelPlaneError {
  static override readonly name = 'ModelTimeoutError'
  override readonly name = 'ModelTimeoutError'

  constructor (message: string) {
    super(CALLER_ERROR_STATUS.timeout, 'timeout', message)
  }
}

/** The upstream answered with an HTTP error; its status, and its OpenAI error when it sent one */
export class UpstreamHttpError extends ModelPlaneError {
  static override readonly name = 'UpstreamHttpError'
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
