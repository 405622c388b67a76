/**
 * PATCH of @libp2p/gossipsub 17.1.1 (pinned exactly in package.json). It replaces the
 * `onPeerConnected` and `onIncomingStream` methods of the instance before it starts (both are
 * bound to the registrar in `start()`), and calls its private `addPeer`, `createInboundStream`
 * and `createOutboundStream` (checked before use; an error is logged once and the instance stays
 * stock when one is missing).
 *
 * Upstream issue it would file: "Outbound streams are opened one peer at a time, across all peers
 * (`outboundInflightQueue`), and each waits for the remote's multistream answer. A node that gains
 * many peers at once (a relay hub when its members start or reconnect after its restart) sends its
 * subscriptions to the last of N peers only after N round trips; a slow peer delays every other.
 * Proposed: serialize per peer only."
 *
 * Here the outbound stream of each peer is opened at once, one after the other for the same peer
 * (two connections to one peer still end in one outbound stream, as stock).
 *
 * Remove when a released @libp2p/gossipsub opens outbound streams to different peers
 * concurrently; test/mesh/patches-interop.test.ts checks a patched node against a stock one.
 */
import { gossipsub } from '@libp2p/gossipsub'
import { logger } from '@libp2p/logger'
import type { GossipSub, GossipSubComponents, GossipsubOpts } from '@libp2p/gossipsub'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('clawmatrix:mesh:gossipsub')

/** the parts of js-gossipsub the patch touches; not public API, so checked before use */
interface OutboundInternals {
  isStarted: () => boolean
  addPeer: (peerId: PeerId, direction: Connection['direction'], addr: Multiaddr) => void
  createInboundStream: (peerId: PeerId, stream: Stream) => void
  createOutboundStream: (peerId: PeerId, connection: Connection) => Promise<void>
  onPeerConnected: (peerId: PeerId, connection: Connection) => void
  onIncomingStream: (stream: Stream, connection: Connection) => void
  metrics?: { newConnectionCount: { inc: (labels: { status: string }) => void } } | null
}

/** gossipsub whose outbound streams to different peers open concurrently */
export function meshGossipsub (init: Partial<GossipsubOpts>): (components: GossipSubComponents) => GossipSub {
  const factory = gossipsub(init)
  return (components) => {
    const pubsub = factory(components)
    openOutboundStreamsPerPeer(pubsub as unknown as OutboundInternals)
    return pubsub
  }
}

let reported = false

function openOutboundStreamsPerPeer (internals: OutboundInternals): void {
  const missing = (['isStarted', 'addPeer', 'createInboundStream', 'createOutboundStream', 'onPeerConnected', 'onIncomingStream'] as const)
    .filter(name => typeof internals[name] !== 'function')
  if (missing.length > 0) {
    if (!reported) log.error('gossipsub has no %s: outbound streams stay one peer at a time', missing.join(', '))
    reported = true
    return
  }
  /** the latest outbound stream opening per peer, which the next one for that peer waits for */
  const opening = new Map<string, Promise<void>>()
  const openOutbound = (peerId: PeerId, connection: Connection): void => {
    const id = peerId.toString()
    const next = (opening.get(id) ?? Promise.resolve())
      .then(async () => { await internals.createOutboundStream(peerId, connection) })
      .catch(err => { log('opening the outbound stream to %p failed - %e', peerId, err) })
    opening.set(id, next)
    void next.then(() => { if (opening.get(id) === next) opening.delete(id) })
  }

  internals.onPeerConnected = function (peerId, connection) {
    this.metrics?.newConnectionCount.inc({ status: connection.status })
    // libp2p may report a closed connection and no disconnect for it (ChainSafe/js-libp2p-gossipsub#398)
    if (!this.isStarted() || connection.status !== 'open') return
    this.addPeer(peerId, connection.direction, connection.remoteAddr)
    openOutbound(peerId, connection)
  }

  internals.onIncomingStream = function (stream, connection) {
    if (!this.isStarted()) return
    const peerId = connection.remotePeer
    this.addPeer(peerId, connection.direction, connection.remoteAddr)
    this.createInboundStream(peerId, stream)
    openOutbound(peerId, connection)
  }
}
