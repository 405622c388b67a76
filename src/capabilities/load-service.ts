import { TopicValidatorResult } from '@libp2p/gossipsub'
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { repeatingTask } from '@libp2p/utils'
import { LoadTable } from '../router/load-table.js'
import { LOAD_MIN_INTERVAL_MS, LOAD_REFRESH_MS, LOAD_TOPIC } from './load-constants.js'
import { changedEnough, decodeLoad, encodeLoad, isIdle } from './load-report.js'
import type { LiveLoad } from './load-report.js'
import type { GossipSub, Message } from '@libp2p/gossipsub'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'
import type { RepeatingTask } from '@libp2p/utils'

export interface LoadServiceInit {
  /** this node's load now, read every check */
  local(): LiveLoad
  /** whether reports of `peerId` are taken (a live capability record of it is held); default every peer */
  known?(peerId: string): boolean
  /** how often the node looks at its own load; also the least time between two reports */
  checkIntervalMs?: number
  refreshMs?: number
  table?: LoadTable
}

export interface LoadServiceComponents {
  peerId: PeerId
  pubsub: GossipSub
  logger: ComponentLogger
}

/** Shares this node's live load on the load topic and keeps what other nodes report */
export interface LoadService extends Startable {
  readonly table: LoadTable
  /** the load `peerId` reported recently; after the TTL, idle at the limits it last reported */
  loadOf(peerId: string): LiveLoad | undefined
  /** since start: reports sent and taken; `refused`: malformed; `unknown`: from a node with no live record (ignored) */
  readonly counts: { sent: number, received: number, refused: number, unknown: number }
}

/**
 * Live load (protocols/load.proto) on its own gossipsub topic: nothing in it is signed into the
 * capability record, and a report never makes a node dial anyone. The node looks at its own load
 * every `checkIntervalMs` and sends when it moved by a step (`changedEnough`), or every
 * `refreshMs` while not idle, so at most one report per interval leaves. An idle node falls
 * silent: receivers read a sender whose report ran out as idle at the limits it last reported. Gossipsub signs every
 * message with the sender's key (StrictSign) and checks it before the validator here runs, so
 * the message's `from` is the node the report describes.
 */
export class DefaultLoadService implements LoadService {
  readonly [Symbol.toStringTag] = 'clawmatrix/load'
  readonly [serviceCapabilities]: string[] = ['clawmatrix/load']
  readonly [serviceDependencies]: string[] = ['@libp2p/pubsub']
  readonly table: LoadTable
  readonly counts = { sent: 0, received: 0, refused: 0, unknown: 0 }
  private readonly log: Logger
  private readonly task: RepeatingTask
  private readonly refreshMs: number
  private seq = BigInt(Date.now())
  private sent?: LiveLoad
  private sentAt = 0
  private started = false

  constructor (private readonly components: LoadServiceComponents, private readonly init: LoadServiceInit) {
    this.log = components.logger.forComponent('clawmatrix:load')
    this.table = init.table ?? new LoadTable()
    this.refreshMs = init.refreshMs ?? LOAD_REFRESH_MS
    this.task = repeatingTask(() => { this.check() }, init.checkIntervalMs ?? LOAD_MIN_INTERVAL_MS)
  }

  async start (): Promise<void> {
    this.started = true
  }

  async afterStart (): Promise<void> {
    const pubsub = this.components.pubsub
    pubsub.topicValidators.set(LOAD_TOPIC, (from, message) => this.validate(message))
    pubsub.subscribe(LOAD_TOPIC)
    this.task.start()
  }

  /**
   * The topic is not left on stop: leaving sends each mesh peer a PRUNE, after which the peer
   * backs this node off for gossipsub's unsubscribe backoff (10 s), and a node restarted within it
   * (same peer ID) that grafts again is penalised and dropped from that peer's mesh on every
   * topic. The connections close as libp2p stops, which removes the node from its peers' meshes.
   */
  async stop (): Promise<void> {
    this.started = false
    this.task.stop()
    this.components.pubsub.topicValidators.delete(LOAD_TOPIC)
  }

  isStarted (): boolean {
    return this.started
  }

  loadOf (peerId: string): LiveLoad | undefined {
    return this.table.get(peerId) ?? this.table.lastLimits(peerId)
  }

  private check (): void {
    if (!this.started) return
    const load = this.init.local()
    // repeated while busy, and while below a step above idle, so receivers' entries do not run out
    const due = this.sent != null && !(isIdle(this.sent) && isIdle(load)) && Date.now() - this.sentAt >= this.refreshMs
    if (!due && !changedEnough(this.sent, load)) return
    this.seq = BigInt(Math.max(Number(this.seq) + 1, Date.now()))
    this.sent = load
    this.sentAt = Date.now()
    this.counts.sent++
    this.components.pubsub.publish(LOAD_TOPIC, encodeLoad(load, this.seq)).catch(err => { this.log('sending the load report failed - %e', err) })
  }

  /** taken and passed on: a well-formed, newer report of a known node; a malformed one is rejected */
  private validate (message: Message): TopicValidatorResult {
    if (message.type !== 'signed') return TopicValidatorResult.Reject
    const sender = message.from.toString()
    if (sender === this.components.peerId.toString()) return TopicValidatorResult.Ignore
    let report
    try {
      report = decodeLoad(message.data)
    } catch (err: any) {
      this.counts.refused++
      this.log('refused a load report of %s - %s', sender, err.message)
      return TopicValidatorResult.Reject
    }
    if (this.init.known != null && !this.init.known(sender)) {
      // its record may have expired for a moment, or not arrived yet
      this.counts.unknown++
      return TopicValidatorResult.Ignore
    }
    const previous = this.table.receivedAt(sender)
    if (!this.table.accept(sender, report.seq, report.load)) return TopicValidatorResult.Ignore
    this.counts.received++
    // a sender reporting faster than the rate allows is kept here but not passed on
    return previous != null && Date.now() - previous < LOAD_MIN_INTERVAL_MS / 2 ? TopicValidatorResult.Ignore : TopicValidatorResult.Accept
  }
}

export function loadService (init: LoadServiceInit): (components: LoadServiceComponents) => LoadService {
  return (components) => new DefaultLoadService(components, init)
}
