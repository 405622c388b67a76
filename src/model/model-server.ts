import { raceSignal } from 'race-signal'
import { CONSUMER_API, FORWARDED_HEADERS, FRAME_DATA_BYTES, MAX_HELD_ERROR_BYTES } from './constants.js'
import { ModelPlaneError, serverError } from './errors.js'
import { RecentOutcomes } from './recent-outcomes.js'
import { SecretScrub } from './secret-scrub.js'
import { CallerUsageTable, UsageTail } from './usage.js'
import { MAX_UNAVAILABLE_REASON_CHARS } from '../capabilities/constants.js'
import { PeerSlots } from '../limits/peer-slots.js'
import { abortable } from '../utils/abortable.js'
import { IdleTimer } from '../utils/idle-timer.js'
import type { ServedModel } from './index.js'
import type { AnswerTokens, Caller, ModelUsage, RequestOutcome } from './usage.js'
import type { ServerFrame } from '../../protocols/model.js'
import type { ModelCapability } from '../capabilities/types.js'
import type { ModelResponse } from '../host/ports.js'

/** A served model with what the server derives from it once */
interface Model extends ServedModel {
  scrub: SecretScrub
}

export interface ModelServerInit {
  models: ServedModel[]
  /** ms of upstream silence before a request is ended */
  timeoutMs: number
  /** requests answered at once; more are refused as `busy` */
  concurrency: number
  maxRequestBytes: number
  /** this node's id, for error messages */
  nodeId: string
  /** this node's own peer ID: its own requests pass any `models[].peers` */
  peerId?: string
}

/** A concurrency slot taken for one request */
export interface Admission {
  model: ServedModel
  caller: Caller
  release(): void
}

const MAX_HEADER_VALUE_LENGTH = 1024

function forwardedHeaders (headers: Record<string, string>): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of FORWARDED_HEADERS) {
    const value = headers[name]
    if (value != null) picked[name] = value.slice(0, MAX_HEADER_VALUE_LENGTH)
  }
  return picked
}

/** The request body with `model` set to the upstream's name for the model */
function upstreamBody (body: Uint8Array, upstreamModel: string): Uint8Array {
  let request: unknown
  try {
    request = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
  } catch (err: any) {
    throw serverError('invalid_request', `request body is not valid JSON: ${String(err.message)}`)
  }
  if (request == null || typeof request !== 'object' || Array.isArray(request)) {
    throw serverError('invalid_request', 'request body must be a JSON object')
  }
  const object = request as Record<string, unknown>
  if (object.model === upstreamModel) return body
  return new TextEncoder().encode(JSON.stringify({ ...object, model: upstreamModel }))
}

/** An error's outcome for the usage counts */
function outcomeOf (err: unknown): RequestOutcome {
  const code = err instanceof ModelPlaneError ? err.code : undefined
  if (code === 'cancelled') return 'cancelled'
  if (code === 'invalid_request' || code === 'request_timeout' || code === 'request_too_large') return 'refused'
  return 'failed'
}

function wireUsage (tokens: AnswerTokens): { promptTokens: number, completionTokens: number, totalTokens: number } {
  return { promptTokens: tokens.prompt, completionTokens: tokens.completion, totalTokens: tokens.total }
}

/**
 * An upstream's error answer with the model's secrets cut out (some servers quote the key they
 * refused): held whole up to MAX_HELD_ERROR_BYTES so a secret split across chunks is found; past
 * that, each further chunk on its own. Answers below 400 pass unchanged and unread.
 */
async function * scrubbedErrorBody (body: AsyncIterable<Uint8Array>, scrub: SecretScrub, touch: () => void): AsyncGenerator<Uint8Array> {
  let held: Uint8Array[] = []
  let heldBytes = 0
  for await (const chunk of body) {
    touch()
    if (held.length === 0 && heldBytes > 0) {
      yield scrub.bytes(chunk)
      continue
    }
    held.push(chunk)
    heldBytes += chunk.byteLength
    if (heldBytes > MAX_HELD_ERROR_BYTES) {
      yield scrub.bytes(Buffer.concat(held))
      held = []
    }
  }
  if (held.length > 0) yield scrub.bytes(Buffer.concat(held))
}

/** a reason as announced: within the record's limit */
function announcedReason (reason: string): string {
  return reason.length > MAX_UNAVAILABLE_REASON_CHARS ? `${reason.slice(0, MAX_UNAVAILABLE_REASON_CHARS - 1)}…` : reason
}

/**
 * The serving side of the model plane, independent of how requests arrive: admission (model
 * known and available, size, concurrency) and the answer as a sequence of response frames.
 * The stream handler and the in-process path for this node's own models both use it.
 */
export class ModelServer {
  private readonly models = new Map<string, Model>()
  private readonly slots: PeerSlots
  private readonly usageTable: CallerUsageTable
  /** requests running per model id */
  private readonly running = new Map<string, number>()
  private readonly recent = new RecentOutcomes()

  constructor (private readonly init: ModelServerInit) {
    for (const model of init.models) this.models.set(model.entry.id, { ...model, scrub: new SecretScrub(model.entry) })
    this.slots = new PeerSlots(init.concurrency)
    this.usageTable = new CallerUsageTable(this.models.keys())
  }

  /** requests and tokens per caller per model, since this node started */
  usage (): ModelUsage[] {
    return this.usageTable.snapshot()
  }

  /** tokens per model since this node started */
  tokenTotals (): Array<{ model: string } & AnswerTokens> {
    return this.usageTable.tokenTotals()
  }

  /** requests being answered / capacity */
  get load (): number {
    return this.slots.size / this.init.concurrency
  }

  /** requests running now and the most that may, per model and failed answers of late, for the live load report */
  liveLoad (): { inFlight: number, limit: number, models: ReadonlyMap<string, number>, errorRate: number } {
    return { inFlight: this.slots.size, limit: this.init.concurrency, models: new Map(this.running), errorRate: this.recent.errorRate() }
  }

  /** the most requests one caller may have running here at once */
  get perPeerLimit (): number {
    return this.slots.perPeer
  }

  serves (modelId: string): boolean {
    return this.models.get(modelId)?.backend.available === true
  }

  capabilities (): ModelCapability[] {
    return [...this.models.values()].map(({ entry, backend, callers, scrub }) => {
      const { id, description, api } = entry
      const known = backend.metadata ?? {}
      const reasoning = entry.reasoning ?? known.reasoning
      const input = entry.input ?? known.input
      const contextWindow = entry.contextWindow ?? known.contextWindow
      const maxTokens = entry.maxTokens ?? known.maxTokens
      const cost = entry.cost ?? known.cost
      const upstreamApi = backend.upstreamApi ?? entry.upstream?.api
      return {
        id,
        available: backend.available,
        ...(description != null ? { description } : {}),
        api: api ?? CONSUMER_API,
        ...(reasoning != null ? { reasoning } : {}),
        ...(input != null ? { input } : {}),
        ...(contextWindow != null ? { contextWindow } : {}),
        ...(maxTokens != null ? { maxTokens } : {}),
        ...(cost != null ? { cost } : {}),
        ...(upstreamApi != null ? { upstreamApi } : {}),
        ...(!backend.available ? { unavailableReason: announcedReason(scrub.text(backend.unavailableReason ?? 'no backend')) } : {}),
        ...(callers != null ? { callers: [...callers].sort() } : {})
      }
    })
  }

  /** Take a slot for a request of `caller` (a peer, or this node itself for local requests), or throw the refusal to send back */
  admit (modelId: string, bodyLength: number, caller: Caller): Admission {
    const model = this.models.get(modelId)
    if (model == null) throw serverError('model_not_found', `node ${this.init.nodeId} does not serve model "${modelId}"`)
    try {
      return this.take(model, bodyLength, caller)
    } catch (err: any) {
      this.usageTable.count(modelId, caller, err?.code === 'not_allowed' ? 'denied' : 'refused')
      throw err
    }
  }

  /** An admitted request that ended before it was answered (its body never arrived, say): count it, free its slot */
  abandon (admission: Admission, err: unknown): void {
    admission.release()
    this.usageTable.count(admission.model.entry.id, admission.caller, outcomeOf(err))
  }

  private take (model: Model, bodyLength: number, caller: Caller): Admission {
    const modelId = model.entry.id
    const peer = caller.peer
    if (model.callers != null && peer !== this.init.peerId && !model.callers.has(peer)) {
      const claim = caller.nodeId != null ? ` (node ${caller.nodeId})` : ''
      throw serverError('not_allowed', `model "${modelId}" on node ${this.init.nodeId} is not shared with peer ${peer}${claim}: it is not in that model's peers`)
    }
    if (!model.backend.available) {
      throw serverError('model_unavailable', `model "${modelId}" on node ${this.init.nodeId} is unavailable: ${model.scrub.text(model.backend.unavailableReason ?? 'no backend')}`)
    }
    if (bodyLength > this.init.maxRequestBytes) {
      throw serverError('request_too_large', `request body of ${bodyLength} bytes is over the limit of ${this.init.maxRequestBytes} bytes on node ${this.init.nodeId}`)
    }
    const slot = this.slots.take(peer)
    if (slot === 'full') {
      throw serverError('busy', `node ${this.init.nodeId} is busy: ${this.slots.size} of ${this.init.concurrency} model requests running (modelConcurrency)`)
    }
    if (slot === 'peer_share') {
      throw serverError('busy', `node ${this.init.nodeId} is busy for this caller: it already runs ${this.slots.heldBy(peer)} of its requests, the most one member may hold of modelConcurrency ${this.init.concurrency}`)
    }
    this.running.set(modelId, (this.running.get(modelId) ?? 0) + 1)
    let released = false
    const release = (): void => {
      slot.release()
      if (released) return
      released = true
      const left = (this.running.get(modelId) ?? 1) - 1
      if (left > 0) this.running.set(modelId, left)
      else this.running.delete(modelId)
    }
    return { model, caller, release }
  }

  /**
   * Ask the backend and yield the answer as frames: head, data (the upstream's bytes unchanged,
   * in pieces of at most FRAME_DATA_BYTES), end; or an error frame at the point it failed.
   * Aborting `signal` (the caller went away) aborts the upstream request and frees the slot.
   */
  async * answer (admission: Admission, body: Uint8Array, signal: AbortSignal): AsyncGenerator<ServerFrame> {
    const { entry, backend } = admission.model
    const scrub = this.models.get(entry.id)?.scrub
    const idle = new IdleTimer(this.init.timeoutMs, () => serverError('upstream_timeout',
      `model "${entry.id}" on node ${this.init.nodeId} sent nothing for ${this.init.timeoutMs} ms`), signal)
    const abort = idle.signal
    abort.addEventListener('abort', admission.release, { once: true })
    let response: ModelResponse | undefined
    let sent = 0
    try {
      const bytes = upstreamBody(body, entry.upstream?.model ?? entry.model ?? entry.id)
      try {
        response = await raceSignal(backend.chat(bytes, { signal: abort }), abort)
      } catch (err: any) {
        if (abort.aborted) throw err
        throw serverError('upstream_unreachable', `model "${entry.id}" on node ${this.init.nodeId}: upstream request failed: ${String(err.message)}`)
      }
      idle.touch()
      yield { head: { status: response.status, headers: new Map(Object.entries(forwardedHeaders(response.headers))) } }
      const tail = new UsageTail()
      const answerBody = response.status >= 400 && scrub != null && !scrub.empty ? scrubbedErrorBody(response.body, scrub, () => { idle.touch() }) : response.body
      for await (const chunk of abortable(answerBody, abort)) {
        idle.touch()
        tail.observe(chunk)
        for (let offset = 0; offset < chunk.byteLength; offset += FRAME_DATA_BYTES) {
          const piece = chunk.subarray(offset, offset + FRAME_DATA_BYTES) as Uint8Array<ArrayBuffer>
          sent += piece.byteLength
          yield { data: { data: piece } }
        }
      }
      const tokens = tail.usage(response.headers['content-type'] ?? '')
      this.usageTable.count(entry.id, admission.caller, response.status < 400 ? 'ok' : 'upstreamError', tokens)
      this.recent.record(response.status >= 500 || response.status === 429)
      yield { end: { status: response.status, bodyBytes: sent, ...(tokens != null ? { usage: wireUsage(tokens) } : {}) } }
    } catch (err: any) {
      const failure = this.failure(err, signal, idle, response != null, sent)
      if (failure.code !== 'cancelled') this.recent.record(true)
      this.usageTable.count(entry.id, admission.caller, outcomeOf(failure))
      yield { error: new ModelPlaneError(failure.status, failure.code, scrub?.text(failure.message) ?? failure.message, failure.type).frame() }
    } finally {
      idle.clear()
      abort.removeEventListener('abort', admission.release)
      admission.release()
    }
  }

  private failure (err: any, signal: AbortSignal, idle: IdleTimer, answering: boolean, sent: number): ModelPlaneError {
    if (signal.aborted) return serverError('cancelled', 'the caller cancelled the request')
    if (idle.expired) return idle.signal.reason
    if (err instanceof ModelPlaneError) return err
    if (answering) return serverError('upstream_failed', `upstream answer broke off after ${sent} bytes: ${String(err?.message ?? err)}`)
    return serverError('internal_error', String(err?.message ?? err))
  }
}
