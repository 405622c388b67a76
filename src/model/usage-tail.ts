import { USAGE_TAIL_BYTES } from './constants.js'
import type { AnswerTokens } from './caller-usage.js'

const SSE_LINES_CHECKED = 8
const MAX_UINT32 = 0xffffffff

function tokens (value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.min(Math.floor(value), MAX_UINT32) : 0
}

function usageOf (payload: string): AnswerTokens | undefined {
  let parsed: any
  try {
    parsed = JSON.parse(payload)
  } catch {
    return undefined
  }
  const usage = parsed?.usage
  if (usage == null || typeof usage !== 'object') return undefined
  return {
    prompt: tokens(usage.prompt_tokens),
    completion: tokens(usage.completion_tokens),
    total: tokens(usage.total_tokens),
    cached: tokens(usage.prompt_tokens_details?.cached_tokens)
  }
}

/**
 * Keeps the last bytes of an answer to read its token usage at the end: the `usage` of a JSON
 * body, or of the last SSE event carrying one (sent when `stream_options.include_usage` is set).
 */
export class UsageTail {
  private chunks: Uint8Array[] = []
  private kept = 0
  private total = 0

  constructor (private readonly limit = USAGE_TAIL_BYTES) {}

  observe (chunk: Uint8Array): void {
    this.total += chunk.byteLength
    this.chunks.push(chunk)
    this.kept += chunk.byteLength
    if (this.kept > 2 * this.limit) {
      const joined = Buffer.concat(this.chunks)
      this.chunks = [joined.subarray(joined.byteLength - this.limit)]
      this.kept = this.limit
    }
  }

  usage (contentType: string): AnswerTokens | undefined {
    const text = Buffer.concat(this.chunks).toString('utf8')
    if (contentType.includes('text/event-stream')) {
      const lines = text.split('\n').filter(l => l.startsWith('data:')).slice(-SSE_LINES_CHECKED).reverse()
      for (const line of lines) {
        const usage = usageOf(line.slice('data:'.length).trim())
        if (usage != null) return usage
      }
      return undefined
    }
    return this.total === this.kept ? usageOf(text) : undefined
  }
}
