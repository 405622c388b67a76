import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { cacheEd25519VerifyKeys } from './patches/ed25519-verify.js'
import { meshGossipsub } from './patches/gossipsub-outbound-streams.js'
import { meshNoise } from './patches/mesh-noise.js'
import { meshYamux } from './patches/mesh-yamux.js'
import { hostMultiaddrPrefix } from './peer-address.js'
import { DEFAULT_RELAY_SLOTS, GOSSIP_MESH_MAX, MAX_EARLY_STREAMS, HOP_STREAM_HEADROOM, INBOUND_UPGRADE_TIMEOUT_MS, MAX_PENDING_INBOUND_CONNECTIONS, PSK_NONCE_TIMEOUT_MS, RELAY_HUBS_PER_NODE, RELAY_RESERVATION_TTL_MS } from './constants.js'
import { meshScoreParams, meshScoreThresholds } from './gossip-scoring.js'
import type { MeshScoreInit } from './gossip-scoring.js'
import { meshGater } from './mesh-gater.js'
import { peerConnectionLimit } from './peer-connection-limit.js'
import { meshPreSharedKey } from './patches/psk-protector.js'
import { meshRelayTransport } from './patches/relay-refusals.js'
import type { RelaySlotWatch } from './patches/relay-refusals.js'
import type { KeySource } from './patches/psk-protector.js'
import { meshRelayServer } from './relay-server.js'
import { silentPeerWatch } from './silent-peer-watch.js'
import { holePunch } from './hole-punch.js'
import { lanDiscovery } from './lan-discovery.js'
import { portBoundTcp } from './port-bound-tcp.js'
import { ResponderDials } from './patches/dcutr-responder-dial.js'
import { relayedConnectionCloser } from './relayed-connection-closer.js'
import type { LanDiscoveryInit } from './lan-discovery.js'
import type { CircuitLimitOf } from './relay-server.js'
import type { SilentPeerWatch, SilentPeerWatchInit } from './silent-peer-watch.js'
import type { ConnectionGater, PrivateKey, ServiceMap } from '@libp2p/interface'
import type { Libp2pOptions, ServiceFactoryMap } from 'libp2p'

/**
 * Relay limits sized for members: LLM streams run for minutes and carry megabytes. A slot is
 * freed when its holder disconnects; the short TTL only ends reservations nobody refreshes.
 */
export const RELAY_LIMITS = {
  maxReservations: DEFAULT_RELAY_SLOTS,
  /** relayed connections between members are not cut by data or duration */
  applyDefaultLimit: false,
  reservationTtl: RELAY_RESERVATION_TTL_MS
} as const

/**
 * The relay server's settings for `maxReservations` slots. Each relayed connection a peer dials
 * through the hub holds one hop stream on that peer's hub connection for its life, so the hop
 * protocol takes as many inbound streams per connection as there are slots (libp2p's default of 32
 * capped a node at 32 relayed peers); the STOP streams towards a slot holder likewise.
 */
export function relayServerInit (maxReservations: number = DEFAULT_RELAY_SLOTS): { reservations: { maxReservations: number, applyDefaultLimit: false, reservationTtl: number }, maxInboundHopStreams: number, maxOutboundStopStreams: number } {
  return {
    reservations: { ...RELAY_LIMITS, maxReservations },
    maxInboundHopStreams: maxReservations + HOP_STREAM_HEADROOM,
    // the library's default is 300; a larger hub needs one per slot holder that may dial in
    maxOutboundStopStreams: Math.max(300, maxReservations + HOP_STREAM_HEADROOM)
  }
}

/** how long a dial waits for the listener's pnet nonce (`@libp2p/pnet`'s 1 s default trips under load) */
export const PNET_TIMEOUT_MS = PSK_NONCE_TIMEOUT_MS

export interface MeshTransportInit {
  privateKey: PrivateKey
  /** the PSK file bytes from `pskFromSecret`, or a `ClusterKey` holding them (a node that rotates its secret) */
  psk: Uint8Array | KeySource
  /** accept inbound connections (and serve as a relay) */
  listen: boolean
  listenHost?: string
  listenPort?: number
  /** also listen on TCP at this port (a dial-out node: for direct connections only, no relay) */
  tcpPort?: number
  /** a dial-out node: dial every TCP connection from this local port, for hole punching */
  holePunchPort?: number
  /** find members on the LAN by mDNS (a dial-out node then listens on TCP, `tcpPort` or any free port) */
  lanDiscovery?: boolean
  /** when set, only these peer IDs may connect, relay or be relayed */
  members?: string[]
  /** a further gater asked after the members list (the membership certificates') */
  gater?: ConnectionGater
  /** ms between pings to each watched peer (latency figures); the same as `silentPeers.intervalMs` */
  pingIntervalMs?: number
  /** the silent-peer watch: which peers, how often, how long a silence closes a connection */
  silentPeers?: SilentPeerWatchInit
  /** told when a hub refuses, denies, grants or drops this node's relay reservation (a dial-out node) */
  relaySlots?: RelaySlotWatch
}

/**
 * Listen addresses for a node: WebSockets (and TCP) when listening, else relay slots: each
 * `/p2p-circuit` is one reservation, taken on a connected hub that has none of this node's yet,
 * so a node holds a slot on up to RELAY_HUBS_PER_NODE hubs
 */
export function listenAddresses (init: MeshTransportInit): string[] {
  const host = hostMultiaddrPrefix(init.listenHost ?? '0.0.0.0')
  const tcpPort = tcpListenPort(init)
  const tcpAddrs = tcpPort != null ? [`${host}/tcp/${tcpPort}`] : []
  if (!init.listen) return [...Array.from({ length: RELAY_HUBS_PER_NODE }, () => '/p2p-circuit'), ...tcpAddrs]
  return [`${host}/tcp/${init.listenPort ?? 19000}/ws`, ...tcpAddrs]
}

/** the TCP port a node listens on: `tcpPort`, or any free one for a dial-out node that looks for LAN peers */
function tcpListenPort (init: MeshTransportInit): number | undefined {
  return init.tcpPort ?? (init.lanDiscovery === true && !init.listen ? 0 : undefined)
}

/** whether the node runs any of the direct-path parts: a dial-out node's TCP listener, LAN discovery, hole punching */
export function usesDirectPaths (init: Pick<MeshTransportInit, 'listen' | 'tcpPort' | 'holePunchPort' | 'lanDiscovery'>): boolean {
  return init.lanDiscovery === true || init.holePunchPort != null || (!init.listen && init.tcpPort != null)
}

/** The services every ClawMatrix node runs under its own ones; `relay` only on a listening node */
export interface MeshBaseServices {
  identify: ReturnType<typeof identify>
  ping: ReturnType<typeof ping>
  connectionLimit: ReturnType<typeof peerConnectionLimit>
  pubsub: ReturnType<typeof meshGossipsub>
  relay?: ReturnType<typeof meshRelayServer>
  /** with direct paths: closes a peer's relayed connection once a direct one is open */
  relayedCloser?: ReturnType<typeof relayedConnectionCloser>
  /** with `lanDiscovery`: mDNS and the dials to members it finds */
  lanDiscovery?: ReturnType<typeof lanDiscovery>
}

export interface DirectPathsInit {
  /** LAN discovery's settings, when it is on */
  lan?: LanDiscoveryInit
  /** the protocols whose streams are requests in flight: a relayed connection carrying one is not closed */
  isRequest: (protocol: string) => boolean
}

export function meshBaseServices (init: Pick<MeshTransportInit, 'listen'> & { relayCircuitLimit?: CircuitLimitOf, relayMaxReservations?: number, gossipAdmitted?: MeshScoreInit['admitted'], directPaths?: DirectPathsInit }): MeshBaseServices {
  const services: MeshBaseServices = {
    identify: identify(),
    // one outbound ping stream per connection is the silent-peer watch's; the second is the
    // embedder's own `services.ping.ping()`, which would otherwise fail while a watch ping runs
    ping: ping({ maxOutboundStreams: 2 }),
    connectionLimit: peerConnectionLimit(),
    pubsub: meshGossipsub({
      allowPublishToZeroTopicPeers: true,
      emitSelf: false,
      fallbackToFloodsub: false,
      globalSignaturePolicy: 'StrictSign',
      // a hub is the only topic peer of the nodes behind it (connect on demand): it must take every
      // one of them into its mesh, or they hear records only through lazy gossip, seconds late
      Dhi: GOSSIP_MESH_MAX,
      scoreParams: meshScoreParams(init.gossipAdmitted != null ? { admitted: init.gossipAdmitted } : {}),
      scoreThresholds: meshScoreThresholds()
    })
  }
  if (init.listen) services.relay = meshRelayServer({ ...relayServerInit(init.relayMaxReservations), ...(init.relayCircuitLimit != null ? { circuitLimit: init.relayCircuitLimit } : {}) })
  const direct = init.directPaths
  if (direct != null) {
    services.relayedCloser = relayedConnectionCloser({ isRequest: direct.isRequest })
    if (direct.lan != null) services.lanDiscovery = lanDiscovery(direct.lan)
  }
  return services
}

/**
 * libp2p options for a mesh node: WebSockets (+TCP), pnet, Noise, Yamux, circuit relay, the
 * members gater, connection settings suited to a small private mesh, and the node's liveness
 * setup: libp2p's connection monitor off and the silent-peer watch (`services.silentPeers`) in
 * its place, the two cannot run side by side (see `SilentPeerWatch`). A service of your own
 * named `silentPeers` takes the watch's place. The watch holds one outbound ping stream per
 * connection while it waits for an answer: an own `ping` service needs `maxOutboundStreams: 2`
 * for its own pings to run beside it (`meshBaseServices` sets it).
 */
export function meshLibp2pOptions<S extends ServiceMap> (init: MeshTransportInit, services: ServiceFactoryMap<S>): Libp2pOptions<S & { silentPeers: SilentPeerWatch }> {
  cacheEd25519VerifyKeys()
  const transports: Libp2pOptions['transports'] = [webSockets(), meshRelayTransport({ reservationCompletionTimeout: 10_000, ...(init.relaySlots != null ? { slots: init.relaySlots } : {}) })]
  // a hole-punching node's TCP dials leave from one port, and DCUtR (`services.holePunch`) punches to it
  const responders = init.holePunchPort != null ? new ResponderDials() : undefined
  if (init.holePunchPort != null) transports.push(portBoundTcp({ localPort: init.holePunchPort, responders }))
  else if (tcpListenPort(init) != null) transports.push(tcp())
  return {
    privateKey: init.privateKey,
    addresses: { listen: listenAddresses(init) },
    transports,
    connectionEncrypters: [meshNoise()],
    streamMuxers: [meshYamux({ maxEarlyStreams: MAX_EARLY_STREAMS })],
    connectionProtector: meshPreSharedKey({ psk: init.psk, timeout: PNET_TIMEOUT_MS }),
    connectionGater: meshGater({ ...(init.members != null ? { members: init.members } : {}), ...(init.gater != null ? { gater: init.gater } : {}) }),
    connectionManager: {
      inboundConnectionThreshold: 100,
      maxIncomingPendingConnections: MAX_PENDING_INBOUND_CONNECTIONS,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
      reconnectRetries: 0
    },
    // the silent-peer watch pings instead
    connectionMonitor: { enabled: false },
    services: {
      silentPeers: silentPeerWatch({ ...(init.pingIntervalMs != null ? { intervalMs: init.pingIntervalMs } : {}), ...init.silentPeers }),
      ...(init.holePunchPort != null && responders != null ? { holePunch: holePunch({ localPort: init.holePunchPort, responders }) } : {}),
      ...services
    } as ServiceFactoryMap<S & { silentPeers: SilentPeerWatch }>
  }
}
