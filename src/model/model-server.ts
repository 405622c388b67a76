import { abortable, untilAborted } from './abortable.js'
import { FORWARDED_HEADERS, FRAME_DATA_BYTES } from './constants.js'
import { ModelPlaneError, serverError } from './errors.js'
import { IdleDeadline } from './idle-deadline.js'
import { UsageTail } from './usage-tail.js'
import { PeerSlots } from '../limits/peer-slots.js'
import type { ServerFrame } from '../../protocols/model.js'
import type { ModelCapability } from '../capabilities/types.js'
import type { ModelConfig } from '../config/schema.js'
import type { ModelBackend, ModelResponse } from '../host/ports.js'

/** A `models[]` entry this node serves, with the backend that answers for it */
export interface ServedModel {
  entry: ModelConfig
  backend: ModelBackend
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
}

/** A concurrency slot taken for one request */
export interface Admission {
  model: ServedModel
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

/**
 * The serving side of the model plane, independent of how requests arrive: admission (model
 * known and available, size, concurrency) and the answer as a sequence of response frames.
 * The stream handler and the in-process path for this node's own models both use it.
 */
export class ModelServer {
  private readonly models = new Map<string, ServedModel>()
  private readonly slots: PeerSlots

  constructor (private readonly init: ModelServerInit) {
    for (const model of init.models) this.models.set(model.entry.id, model)
    this.slots = new PeerSlots(init.concurrency)
  }

  /** requests being answered / capacity */
  get load (): number {
    return this.slots.size / this.init.concurrency
  }

  /** the most requests one caller may have running here at once */
  get perPeerLimit (): number {
    return this.slots.perPeer
  }

  serves (modelId: string): boolean {
    return this.models.get(modelId)?.backend.available === true
  }

  capabilities (): ModelCapability[] {
    return this.init.models.map(({ entry, backend }) => {
      const { id, description, api } = entry
      const known = backend.metadata ?? {}
      const reasoning = entry.reasoning ?? known.reasoning
      const input = entry.input ?? known.input
      const contextWindow = entry.contextWindow ?? known.contextWindow
      const maxTokens = entry.maxTokens ?? known.maxTokens
      const cost = entry.cost ?? known.cost
      return {
        id,
        available: backend.available,
        ...(description != null ? { description } : {}),
        ...(api != null ? { api } : {}),
        ...(reasoning != null ? { reasoning } : {}),
        ...(input != null ? { input } : {}),
        ...(contextWindow != null ? { contextWindow } : {}),
        ...(maxTokens != null ? { maxTokens } : {}),
        ...(cost != null ? { cost } : {})
      }
    })
  }

  /** Take a slot for a request of `peer` (a peer ID, or this node's own for local requests), or throw the refusal to send back */
  admit (modelId: string, bodyLength: number, peer: string): Admission {
    const model = this.models.get(modelId)
    if (model == null) throw serverError('model_not_found', `node ${this.init.nodeId} does not serve model "${modelId}"`)
    if (!model.backend.available) {
      throw serverError('model_unavailable', `model "${modelId}" on node ${this.init.nodeId} is unavailable: ${model.backend.unavailableReason ?? 'no backend'}`)
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
    return { model, release: slot.release }
  }

  /**
   * Ask the backend and yield the answer as frames: head, data (the upstream's bytes unchanged,
   * in pieces of at most FRAME_DATA_BYTES), end; or an error frame at the point it failed.
   * Aborting `signal` (the caller went away) aborts the upstream request and frees the slot.
   */
  async * answer (admission: Admission, body: Uint8Array, signal: AbortSignal): AsyncGenerator<ServerFrame> {
    const { entry, backend } = admission.model
    const deadline = new IdleDeadline(this.init.timeoutMs, () => serverError('upstream_timeout',
      `model "${entry.id}" on node ${this.init.nodeId} sent nothing for ${this.init.timeoutMs} ms`), signal)
    const abort = deadline.signal
    abort.addEventListener('abort', admission.release, { once: true })
    let response: ModelResponse | undefined
    let sent = 0
    try {
      const bytes = upstreamBody(body, entry.upstream?.model ?? entry.model ?? entry.id)
      try {
        response = await untilAborted(backend.chat(bytes, { signal: abort }), abort)
      } catch (err: any) {
        if (abort.aborted) throw err
        throw serverError('upstream_unreachable', `model "${entry.id}" on node ${this.init.nodeId}: upstream request failed: ${String(err.message)}`)
      }
      deadline.touch()
      yield { head: { status: response.status, headers: new Map(Object.entries(forwardedHeaders(response.headers))) } }
      const tail = new UsageTail()
      for await (const chunk of abortable(response.body, abort)) {
        deadline.touch()
        tail.observe(chunk)
        for (let offset = 0; offset < chunk.byteLength; offset += FRAME_DATA_BYTES) {
          const piece = chunk.subarray(offset, offset + FRAME_DATA_BYTES) as Uint8Array<ArrayBuffer>
          sent += piece.byteLength
          yield { data: { data: piece } }
        }
      }
      const usage = tail.usage(response.headers['content-type'] ?? '')
      yield { end: { status: response.status, bodyBytes: sent, ...(usage != null ? { usage } : {}) } }
    } catch (err: any) {
      yield { error: this.failure(err, signal, deadline, response != null, sent).frame() }
    } finally {
      deadline.clear()
      abort.removeEventListener('abort', admission.release)
      admission.release()
    }
  }

  private failure (err: any, signal: AbortSignal, deadline: IdleDeadline, answering: boolean, sent: number): ModelPlaneError {
    if (signal.aborted) return serverError('cancelled', 'the caller cancelled the request')
    if (deadline.expired) return deadline.signal.reason
    if (err instanceof ModelPlaneError) return err
    if (answering) return serverError('upstream_failed', `upstream answer broke off after ${sent} bytes: ${String(err?.message ?? err)}`)
    return serverError('internal_error', String(err?.message ?? err))
  }
}
