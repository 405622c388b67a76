/**
 * What callers use of the models a node serves: requests by outcome and the tokens the upstream
 * reported, read from the tail of each answer.
 */

import { MAX_USAGE_CALLERS_PER_MODEL, USAGE_TAIL_BYTES } from './constants.js'

/** How one request of a caller ended on the serving node */
export type RequestOutcome = 'ok' | 'upstreamError' | 'failed' | 'cancelled' | 'refused' | 'denied'

/** Token counts as the upstream reported them (OpenAI `usage`; `cached`: `prompt_tokens_details.cached_tokens`) */
export interface AnswerTokens {
  prompt: number
  completion: number
  total: number
  cached: number
}

/** What one caller used of one model on this node */
export interface CallerUsage {
  peerId: string
  /** the node id the caller announced when it was last seen, if known */
  nodeId: string | null
  /**
   * requests by how they ended: `ok` answered, `upstreamError` answered with an upstream HTTP
   * error, `failed` broke off or never reached the upstream, `cancelled` by the caller, `refused`
   * (busy, too large, unavailable, invalid), `denied` (not in `models[].peers`)
   */
  requests: Record<RequestOutcome, number>
  tokens: AnswerTokens
  /** answers that carried no usage (a stream asked without `stream_options.include_usage`) */
  unmetered: number
  /** ms since the epoch of this caller's last request */
  lastAt: number
}

export interface ModelUsage {
  model: string
  /** most recent first, at most MAX_USAGE_CALLERS_PER_MODEL */
  callers: CallerUsage[]
  /** callers dropped to keep the table bounded */
  evicted: number
}

export interface Caller {
  /** the caller's peer ID: the key its counts are kept under */
  peer: string
  nodeId?: string
}

function emptyUsage (caller: Caller): CallerUsage {
  return {
    peerId: caller.peer,
    nodeId: caller.nodeId ?? null,
    requests: { ok: 0, upstreamError: 0, failed: 0, cancelled: 0, refused: 0, denied: 0 },
    tokens: { prompt: 0, completion: 0, total: 0, cached: 0 },
    unmetered: 0,
    lastAt: 0
  }
}

/**
 * Requests and tokens per caller per model on a serving node. Only models the node serves get a
 * table, and each holds at most `maxCallers` callers: the least recently seen goes first. (Peer
 * IDs cost a key each, but a member holding many keys must still not grow the table.)
 */
export class CallerUsageTable {
  private readonly byModel = new Map<string, { callers: Map<string, CallerUsage>, evicted: number }>()
  /** every caller's tokens per model, evicted callers included */
  private readonly totals = new Map<string, AnswerTokens>()

  constructor (models: Iterable<string>, private readonly maxCallers = MAX_USAGE_CALLERS_PER_MODEL) {
    for (const model of models) this.byModel.set(model, { callers: new Map(), evicted: 0 })
  }

  /** count one request of `caller` to `model` (a model not in the table is ignored) */
  count (model: string, caller: Caller, outcome: RequestOutcome, tokens?: AnswerTokens, now = Date.now()): void {
    const table = this.byModel.get(model)
    if (table == null) return
    const usage = table.callers.get(caller.peer) ?? emptyUsage(caller)
    table.callers.delete(caller.peer)
    table.callers.set(caller.peer, usage)
    if (table.callers.size > this.maxCallers) {
      table.callers.delete(table.callers.keys().next().value as string)
      table.evicted++
    }
    if (caller.nodeId != null) usage.nodeId = caller.nodeId
    usage.requests[outcome]++
    usage.lastAt = now
    if (outcome === 'ok' || outcome === 'upstreamError') {
      if (tokens == null) {
        if (outcome === 'ok') usage.unmetered++
        return
      }
      usage.tokens.prompt += tokens.prompt
      const total = this.totals.get(model) ?? { prompt: 0, completion: 0, total: 0, cached: 0 }
      this.totals.set(model, addTokens(total, tokens))
      usage.tokens.completion += tokens.completion
      usage.tokens.total += tokens.total
      usage.tokens.cached += tokens.cached
    }
  }

  /** tokens per model since the node started, every caller's (evicted ones too) */
  tokenTotals (): Array<{ model: string } & AnswerTokens> {
    return [...this.totals].map(([model, tokens]) => ({ model, ...tokens }))
  }

  /** every model's callers, most recent first; copies */
  snapshot (): ModelUsage[] {
    return [...this.byModel].map(([model, table]) => ({
      model,
      callers: [...table.callers.values()].reverse().map(u => ({ ...u, requests: { ...u.requests }, tokens: { ...u.tokens } })),
      evicted: table.evicted
    }))
  }
}

function addTokens (a: AnswerTokens, b: AnswerTokens): AnswerTokens {
  return { prompt: a.prompt + b.prompt, completion: a.completion + b.completion, total: a.total + b.total, cached: a.cached + b.cached }
}

const SSE_LINES_CHECKED = 8
const MAX_UINT32 = 0xffffffff

function tokens (value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.min(Math.floor(value), MAX_UINT32) : 0
}

/** what any payload carrying a usage holds; the rest (every event of most streams, `[DONE]`) is not parsed */
const USAGE_KEY = '"usage"'

function usageOf (payload: string): AnswerTokens | undefined {
  if (!payload.includes(USAGE_KEY)) return undefined
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
    const [only] = this.chunks
    const text = this.chunks.length === 1 ? Buffer.from(only.buffer, only.byteOffset, only.byteLength).toString('utf8') : Buffer.concat(this.chunks).toString('utf8')
    if (contentType.includes('text/event-stream')) return lastSseUsage(text)
    return this.total === this.kept ? usageOf(text) : undefined
  }
}

/** the usage of the last of the last SSE_LINES_CHECKED `data:` lines of `text` that carries one, read from the end */
function lastSseUsage (text: string): AnswerTokens | undefined {
  let checked = 0
  for (let end = text.length; end > 0 && checked < SSE_LINES_CHECKED;) {
    const start = text.lastIndexOf('\n', end - 1) + 1
    if (text.startsWith('data:', start)) {
      checked++
      const usage = usageOf(text.slice(start + 'data:'.length, end).trim())
      if (usage != null) return usage
    }
    end = start - 1
  }
  return undefined
}
