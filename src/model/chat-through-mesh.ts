import { logger } from '@libp2p/logger'
import { NoRouteError, NotSharedError } from '../router/router.js'
import { checkChatRequest } from './chat-request.js'
import { collectBody } from './collect-body.js'
import { MAX_ATTEMPTS, MAX_HELD_ERROR_BYTES } from './constants.js'
import { ModelNotAllowedError, ModelNotFoundError, ModelPlaneError, ModelRemoteError, ModelTransportError, NoReachableNodeError, RequestTooLargeError } from './errors.js'
import { withIdentityNote } from './identity-note.js'
import { modelServiceOf } from './model-service.js'
import { resolveModelName } from './model-target.js'
import type { ChatRequest } from './chat-request.js'
import type { ModelTarget } from './model-target.js'
import type { ModelService } from './model-service.js'
import type { MeshModelResponse } from './response.js'
import type { MeshContext } from '../mesh/context.js'
import type { RouteCandidate } from '../router/router.js'

const log = logger('clawmatrix:model')

/** Who may answer: this node itself, or a peer the router found */
type Candidate = { local: true, nodeId: string } | { local: false, nodeId: string, route: RouteCandidate }

function candidatesFor (ctx: MeshContext, service: ModelService, target: ModelTarget): Candidate[] {
  const self = ctx.libp2p.peerId
  const pinnedElsewhere = target.nodeId != null && target.nodeId !== ctx.nodeId && target.nodeId !== self.toString()
  const candidates: Candidate[] = []
  if (!pinnedElsewhere && service.serves(target.modelId)) candidates.push({ local: true, nodeId: ctx.nodeId })
  let noRoute: NoRouteError | NotSharedError | undefined
  try {
    for (const route of ctx.router.models(target.modelId, target.nodeId)) {
      if (!route.peerId.equals(self)) candidates.push({ local: false, nodeId: route.nodeId, route })
    }
  } catch (err) {
    if (!(err instanceof NoRouteError) && !(err instanceof NotSharedError)) throw err
    noRoute = err
  }
  if (candidates.length > 0) return candidates
  if (noRoute instanceof NotSharedError) throw new ModelNotAllowedError(noRoute.message)
  if (noRoute?.code === 'unreachable') throw new NoReachableNodeError(`no reachable node serves model "${target.name}": ${noRoute.message}`)
  const offers = noRoute?.offers ?? []
  throw new ModelNotFoundError(`model "${target.name}" is not offered in the mesh${offers.length > 0 ? `; on offer: ${offers.join(', ')}` : ''}`)
}

/**
 * The request body for the serving node: model name as it announces it, identity note if
 * configured. The client's own bytes go on unchanged when neither changes anything in them.
 */
function servingBody (ctx: MeshContext, request: ChatRequest, target: ModelTarget, sent?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const note = target.description != null && ctx.config.modelIdentityNote ? target.description : undefined
  if (sent != null && note == null && request.model === target.modelId) return sent
  let body = { ...request, model: target.modelId }
  if (note != null) body = withIdentityNote(body, note)
  return new TextEncoder().encode(JSON.stringify(body))
}

/**
 * All retryable failures: one refusal kind repeated keeps its own status; a node that was only
 * busy makes it a 429 `busy` (asking again soon can work); anything else is a 503
 */
function giveUp (target: ModelTarget, failures: ModelPlaneError[]): ModelPlaneError {
  const last = failures[failures.length - 1]
  if (last instanceof ModelRemoteError && failures.every(f => f.code === last.code)) return last
  const why = failures.map(f => f.message).join('; ')
  if (failures.some(f => f.code === 'busy')) return new ModelPlaneError(429, 'busy', `every node tried for model "${target.name}" is busy or could not answer: ${why}`)
  return new NoReachableNodeError(`no node could answer for model "${target.name}": ${why}`)
}

export interface ChatThroughMeshOptions {
  signal: AbortSignal
  /** the bytes `request` was parsed from, sent on as they are when nothing in them changes */
  body?: Uint8Array<ArrayBuffer>
}

/** An upstream answer another node may do better than: rate limited or failing (no output given) */
function retryableUpstreamStatus (status: number): boolean {
  return status === 429 || status >= 500
}

/** A held upstream error answer, replayed to the client if no other node answers */
async function held (response: MeshModelResponse): Promise<MeshModelResponse> {
  const body = await collectBody(response.body, MAX_HELD_ERROR_BYTES)
  return { ...response, body: (async function * () { yield body })() }
}

/**
 * Send a chat-completions request (a parsed OpenAI body) to a node serving its model and return
 * the answer as it streams. Before the answer begins, a node that cannot be reached or refuses
 * (busy, model gone, upstream down) is skipped for the next candidate, at most MAX_ATTEMPTS in all.
 * So is a node whose upstream answered 429 or 5xx while another candidate remains; if none does
 * better, the client gets that upstream's own error, not the mesh's.
 */
export async function chatThroughMesh (ctx: MeshContext, request: Record<string, unknown>, options: ChatThroughMeshOptions): Promise<MeshModelResponse> {
  const checked = checkChatRequest(request)
  const target = resolveModelName(checked.model, ctx.config.proxyModels)
  const body = servingBody(ctx, checked, target, options.body)
  if (body.byteLength > ctx.config.maxRequestBytes) throw new RequestTooLargeError(body.byteLength, ctx.config.maxRequestBytes)
  const service = modelServiceOf(ctx)
  const failures: ModelPlaneError[] = []
  const candidates = candidatesFor(ctx, service, target).slice(0, MAX_ATTEMPTS)
  let upstreamError: MeshModelResponse | undefined
  for (const [i, candidate] of candidates.entries()) {
    try {
      const response = candidate.local
        ? await service.chatLocal(target.modelId, body, options)
        : await service.chat(candidate.route.peerId, target.modelId, body, { signal: options.signal, nodeId: candidate.nodeId })
      if (!retryableUpstreamStatus(response.status) || i === candidates.length - 1) return response
      upstreamError = await held(response)
      log('model "%s" on %s: its upstream answered %d, trying the next node', target.name, candidate.nodeId, response.status)
    } catch (err: any) {
      if (options.signal.aborted || !(err instanceof ModelPlaneError) || !err.retryable) throw err
      if (err instanceof ModelTransportError && !candidate.local) ctx.router.markFailed(candidate.route.peerId)
      log('model "%s" on %s failed, trying the next node - %s', target.name, candidate.nodeId, err.message)
      failures.push(err)
    }
  }
  if (upstreamError != null) return upstreamError
  throw giveUp(target, failures)
}
