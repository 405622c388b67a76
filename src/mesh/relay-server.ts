import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { joinRelayedStreams } from './relay-join.js'
import { hasReservationStore, MeshReservationStore, replaceReservationStore } from './patches/relay-reservations.js'
import type { CircuitRelayServerComponents, CircuitRelayServerInit, CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { AbortOptions, Connection, Libp2pEvents, Logger, PeerId, Stream, TypedEventTarget } from '@libp2p/interface'
import type { ProtobufStream } from '@libp2p/utils'

/** the relay's HopMessage as it is read and written (protobuf enums are strings in js-libp2p) */
interface HopMessage {
  type?: string
  peer?: { id: Uint8Array, addrs: Uint8Array[] }
  limit?: { duration?: number, data?: bigint }
  status?: string
}

interface HopProtocolOptions {
  connection: Connection
  request: HopMessage
  stream: ProtobufStream<Stream>
}

/** the public methods of the relay server that the connect step uses (see its index.d.ts) */
interface RelayServerMethods {
  handleConnect(args: HopProtocolOptions, options: AbortOptions): Promise<void>
  stopHop(args: { connection: Connection, request: { type: string, peer: { id: Uint8Array, addrs: Uint8Array[] }, limit?: HopMessage['limit'] } }, options: AbortOptions): Promise<Stream | undefined>
  stop(): Promise<void> | void
}

type Codec = any

let hopMessage: Promise<Codec> | undefined

/**
 * The relay's HopMessage codec. The package exports no protobuf codecs, so its generated module is
 * loaded from beside its entry point (file URLs are not bound by the package's `exports`). Loaded
 * on first use, not at the top level: hosts such as OpenClaw load plugins with `require()`, which
 * refuses a module graph with top-level await.
 */
export async function hopMessageCodec (): Promise<Codec> {
  hopMessage ??= import(new URL('./pb/index.js', import.meta.resolve('@libp2p/circuit-relay-v2')).href).then(pb => pb.HopMessage)
  return await hopMessage
}

function isCircuit (conn: Connection): boolean {
  return conn.remoteAddr.getComponents().some(c => c.name === 'p2p-circuit')
}

function hasConnectMethods (server: unknown): server is RelayServerMethods {
  const s = server as Partial<RelayServerMethods>
  return typeof s.handleConnect === 'function' && typeof s.stopHop === 'function' && typeof s.stop === 'function'
}

/**
 * The CONNECT step of the hop protocol, as `@libp2p/circuit-relay-v2` 4.2.13 does it, with the two
 * streams joined by `joinRelayedStreams` instead of the library's leaking `pipe(src, dst, src)`.
 */
async function handleConnect (server: RelayServerMethods & CircuitRelayService, components: CircuitRelayServerComponents, shutdown: AbortSignal, log: Logger, circuitLimit: CircuitLimitOf | undefined, { stream, request, connection }: HopProtocolOptions, options: AbortOptions): Promise<void> {
  const hopstr = stream.pb(await hopMessageCodec())
  const status = async (value: string, limit?: HopMessage['limit']): Promise<void> => {
    await hopstr.write({ type: 'STATUS', status: value, ...(limit != null ? { limit } : {}) }, options)
  }
  if (isCircuit(connection)) {
    log.error('relay connect over a relayed connection denied for peer %p', connection.remotePeer)
    await status('PERMISSION_DENIED')
    return
  }
  let dstPeer: PeerId
  try {
    if (request.peer == null) throw new Error('no peer info in request')
    dstPeer = peerIdFromMultihash(Digest.decode(request.peer.id))
  } catch (err: any) {
    log.error('invalid hop connect request via peer %p - %e', connection.remotePeer, err)
    await status('MALFORMED_MESSAGE')
    return
  }
  const reservation = server.reservations.get(dstPeer)
  if (reservation == null) {
    await status('NO_RESERVATION')
    return
  }
  if ((await components.connectionGater.denyOutboundRelayedConnection?.(connection.remotePeer, dstPeer)) === true) {
    log.error('hop connect for %p to %p denied by connection gater', connection.remotePeer, dstPeer)
    await status('PERMISSION_DENIED')
    return
  }
  const destination = components.connectionManager.getConnections(dstPeer)[0]
  if (destination == null) {
    await status('NO_RESERVATION')
    return
  }
  const limit = circuitLimit?.(connection.remotePeer, dstPeer) ?? reservation.limit
  const destinationStream = await server.stopHop({
    connection: destination,
    request: { type: 'CONNECT', peer: { id: connection.remotePeer.toMultihash().bytes, addrs: [] }, ...(limit != null ? { limit } : {}) }
  }, options)
  if (destinationStream == null) {
    await status('CONNECTION_FAILED')
    return
  }
  await status('OK', limit)
  log('connection from %p to %p established - joining streams', connection.remotePeer, dstPeer)
  const signals = [shutdown, reservation.signal]
  if (limit?.duration != null) signals.push(AbortSignal.timeout(limit.duration))
  joinRelayedStreams(stream.unwrap(), destinationStream, {
    signal: AbortSignal.any(signals),
    ...(limit?.data != null ? { dataLimit: limit.data } : {}),
    log
  })
}

/** the limit of one circuit from `source` to `destination`, when it differs from the reservation's */
export type CircuitLimitOf = (source: PeerId, destination: PeerId) => { duration?: number, data?: bigint } | undefined

export interface MeshRelayServerInit extends CircuitRelayServerInit {
  /** asked once the gater allowed a circuit: a limit of its own for it (else the reservation's) */
  circuitLimit?: CircuitLimitOf
}

/** the defaults of `@libp2p/circuit-relay-v2` 4.2.13 the mesh store falls back to */
const LIBRARY_MAX_RESERVATIONS = 15
const LIBRARY_RESERVATION_TTL_MS = 2 * 60 * 60 * 1000

/** the components libp2p hands every service; the relay's type leaves out the event bus */
type ServerComponents = CircuitRelayServerComponents & { events?: TypedEventTarget<Libp2pEvents> }

/**
 * `circuitRelayServer` whose relayed connections do not keep the dialing side's bytes: the
 * server's CONNECT step is replaced by one that joins the streams with `joinRelayedStreams`, and
 * that gives a circuit the limit `circuitLimit` names. Its reservations are kept by
 * `MeshReservationStore` (patches/relay-reservations.ts): a slot is freed when its holder
 * disconnects. It gives reservations no data or duration limit (`applyDefaultLimit: false` is
 * what the mesh sets anyway). Every other part (gater checks, the STOP request) is the library's own. If a future version lacks the methods this
 * relies on, the server is left as it is and an error is logged.
 */
export function meshRelayServer ({ circuitLimit, ...init }: MeshRelayServerInit = {}): (components: CircuitRelayServerComponents) => CircuitRelayService {
  const createServer = circuitRelayServer(init)
  return (components: ServerComponents) => {
    const server = createServer(components)
    const log = components.logger.forComponent('clawmatrix:mesh:relay')
    if (components.events != null && hasReservationStore(server)) {
      replaceReservationStore(server, new MeshReservationStore({
        maxReservations: init.reservations?.maxReservations ?? LIBRARY_MAX_RESERVATIONS,
        reservationTtl: init.reservations?.reservationTtl ?? LIBRARY_RESERVATION_TTL_MS,
        events: components.events,
        log: components.logger.forComponent('clawmatrix:mesh:relay:reservations'),
        ...(components.metrics != null ? { metrics: components.metrics } : {})
      }))
    } else {
      log.error('this circuit-relay-v2 version keeps its reservations elsewhere: slots are freed only when they expire')
    }
    if (!hasConnectMethods(server)) {
      log.error('this circuit-relay-v2 version has no handleConnect/stopHop: relayed connections use its own join')
      return server
    }
    hopMessageCodec().catch(err => { log.error('cannot load the relay message codec - %e', err) })
    const shutdown = new AbortController()
    const stop = server.stop.bind(server)
    server.stop = async () => {
      shutdown.abort(new Error('relay stopped'))
      await stop()
    }
    server.handleConnect = async (args, options) => { await handleConnect(server, components, shutdown.signal, log, circuitLimit, args, options) }
    return server
  }
}
