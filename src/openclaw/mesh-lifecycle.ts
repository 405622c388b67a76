import { logger } from '@libp2p/logger'
import { NODE_STOP_TIMEOUT_MS } from './constants.js'
import type { ClawMatrixNode } from '../node/clawmatrix.js'

const log = logger('clawmatrix:openclaw')

/** Where the gateway's ClawMatrix node is, with the reason whenever it is not running */
export type MeshState =
  | { phase: 'stopped', reason: string }
  | { phase: 'starting', reason: string }
  | { phase: 'disabled', reason: string }
  | { phase: 'failed', reason: string }
  | { phase: 'running', node: ClawMatrixNode }

export type IdleMeshState = Exclude<MeshState, { phase: 'running' }>

export class MeshNotRunningError extends Error {
  override readonly name = 'MeshNotRunningError'

  constructor (readonly state: IdleMeshState) {
    super(`ClawMatrix is not running on this gateway (${state.phase}): ${state.reason}`)
  }
}

/** What a start produces: a running node, or why there is none */
export type StartOutcome =
  | { phase: 'running', node: ClawMatrixNode }
  | { phase: 'disabled' | 'failed', reason: string }

/**
 * The one node of this gateway process. OpenClaw calls `register` several times per process and
 * restarts the service on every config change, so starts and stops are queued here and the tools
 * and gateway methods of every registration see the same node.
 */
export class MeshLifecycle {
  private current: MeshState = { phase: 'stopped', reason: 'the gateway has not started the ClawMatrix service yet' }
  private queue: Promise<void> = Promise.resolve()

  get state (): MeshState {
    return this.current
  }

  /** the running node; throws MeshNotRunningError saying why there is none */
  node (): ClawMatrixNode {
    const state = this.current
    if (state.phase !== 'running') throw new MeshNotRunningError(state)
    return state.node
  }

  /** stop whatever runs, then start anew (a node that would not stop shows up as ports still taken) */
  async start (starter: () => Promise<StartOutcome>): Promise<void> {
    await this.enqueue(async () => {
      await this.stopCurrent().catch((err: unknown) => {
        // the start goes on: a node that would not stop shows up as its ports still taken
        log.error('the running node did not stop before the new start - %e', err)
      })
      this.current = { phase: 'starting', reason: 'the node is starting' }
      try {
        this.current = await starter()
      } catch (err: any) {
        this.current = { phase: 'failed', reason: String(err?.message ?? err) }
      }
    })
  }

  async stop (): Promise<void> {
    await this.enqueue(async () => { await this.stopCurrent() })
  }

  /** a node that does not stop in time must not hold up the next start forever */
  private async stopCurrent (): Promise<void> {
    const state = this.current
    this.current = { phase: 'stopped', reason: 'the ClawMatrix service was stopped' }
    if (state.phase !== 'running') return
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`the node did not stop within ${NODE_STOP_TIMEOUT_MS / 1000} s`)) }, NODE_STOP_TIMEOUT_MS)
    })
    try {
      await Promise.race([state.node.stop(), late])
    } finally {
      clearTimeout(timer)
    }
  }

  private async enqueue (step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step)
    this.queue = next.catch(() => {})
    await next
  }
}

/** Shared by every registration in this process */
export const meshLifecycle = new MeshLifecycle()
