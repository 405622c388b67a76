import { DEFAULT_MAX_TOKENS } from './constants.js'
import type { AssistantMessageEvent, Context, Model, SimpleStreamOptions } from '@openclaw/ai'

/** What the upstream's HTTP answer to one call was */
export interface NativeAnswer {
  status?: number
  headers?: Headers
  /** the body of an error answer (status >= 400), bounded, where the runtime lets it be read */
  errorBody?: string
}

/** The options of one native call, as the translation sets them */
export type NativeCallOptions = SimpleStreamOptions & Record<string, unknown> & { signal: AbortSignal }

/** One native call under way: its events, and what is known of its HTTP answer */
export interface NativeCall {
  events: AsyncIterable<AssistantMessageEvent>
  answer: NativeAnswer
}

/**
 * The model layer a translated model is served through: this node's own copy of `@openclaw/ai`
 * (standalone) or the OpenClaw gateway's (plugin). Either way the same library, so the same
 * `Context`, options and events.
 */
export interface NativeModel {
  /** the upstream API, e.g. `anthropic-messages` */
  readonly api: string
  /** the provider id the library knows the upstream by */
  readonly provider: string
  /** the upstream's name for the model, which answers carry */
  readonly model: string
  /** whether `image_url` parts may be fetched from their URL */
  readonly allowImageUrls: boolean
  start (context: Context, options: NativeCallOptions): Promise<NativeCall>
}

/** Record the HTTP answer through the library's `onResponse` hook */
export function answerObserver (): { answer: NativeAnswer, onResponse: (response: { status: number, headers: Record<string, string> }) => void } {
  const answer: NativeAnswer = {}
  return {
    answer,
    onResponse: response => {
      answer.status = response.status
      answer.headers = new Headers(response.headers)
    }
  }
}

/**
 * Where native calls run: a copy of `@openclaw/ai` (this node's own, or the OpenClaw gateway's,
 * which also carries the gateway's providers, auth and transport policy).
 */
export interface ModelLayer {
  start (model: Model, context: Context, options: NativeCallOptions & { apiKey?: string }): NativeCall
}

/**
 * The Model's output cap for one call: the model's own where it is known, else enough for what the
 * request asks (some APIs require a number)
 */
export function outputTokenCap (modelMaxTokens: number | undefined, requested: number | undefined): number {
  return modelMaxTokens ?? Math.max(requested ?? 0, DEFAULT_MAX_TOKENS)
}
