import { CONFIG_DEFAULTS } from '../config/defaults.js'

/** how long a dialer waits for the listener's pnet nonce (`@libp2p/pnet`'s 1 s default trips under load) */
export const PSK_NONCE_TIMEOUT_MS = 5000

/**
 * How long a listener waits for a dialer's first 24 bytes (its pnet nonce). An honest dialer sends
 * them as soon as the socket is open; an idle socket holds an upgrade slot until this passes.
 */
export const PSK_INBOUND_NONCE_TIMEOUT_MS = 2000
/**
 * after the cluster key is switched, how long a connection on the old key may live on (to close
 * gracefully) before the protector aborts it; a handshake still running on the old key would
 * otherwise hang until its deadline, and a dial joining it with it
 */
export const STALE_KEY_ABORT_MS = 500

/**
 * Inbound connections one remote address may have in the upgrade (pnet, Noise, Yamux) at once;
 * more wait for a place (`MAX_WAITING_INBOUND_PER_HOST`). The node-wide limit is
 * `MAX_PENDING_INBOUND_CONNECTIONS`, so one source cannot take more than half of it. An upgrade
 * takes well under a second, so members behind one NAT address get in one after the other even
 * when a hundred reconnect together after a hub restart.
 */
export const MAX_PENDING_INBOUND_PER_HOST = 32

/**
 * Inbound connections from one remote address that wait for one of its `MAX_PENDING_INBOUND_PER_HOST`
 * upgrade places (for at most half the upgrade timeout); more are refused at once.
 */
export const MAX_WAITING_INBOUND_PER_HOST = 96

/**
 * inbound connections in the upgrade or waiting for a place, over all sources (libp2p's
 * maxIncomingPendingConnections): one address holds at most half of them
 */
export const MAX_PENDING_INBOUND_CONNECTIONS = 2 * (MAX_PENDING_INBOUND_PER_HOST + MAX_WAITING_INBOUND_PER_HOST)

/** ms an inbound connection may take from accept to fully upgraded */
export const INBOUND_UPGRADE_TIMEOUT_MS = 10_000

/**
 * Open inbound connections one peer may hold to this node (direct and relayed together). An honest
 * member needs one, briefly two or three while it reconnects; when a peer opens one more, its
 * oldest inbound connection is closed.
 */
export const MAX_INBOUND_CONNECTIONS_PER_PEER = 4

/** ms between pings to each watched peer (the silent-peer watch); the round trip is the connection's latency */
export const PING_INTERVAL_MS = 5000

/** a connection that answers no ping for this long is closed (the silent-peer watch) */
export const SILENT_AFTER_MS = 10_000

/** relay slots a listening node offers by default (config `relay.maxReservations`) */
export const DEFAULT_RELAY_SLOTS: number = CONFIG_DEFAULTS.relay.maxReservations

/**
 * ms a relay reservation lasts unless refreshed. The relay client refreshes 5 minutes before the
 * end, so a connected holder refreshes every 5 minutes; a holder that disconnects frees its slot at once.
 */
export const RELAY_RESERVATION_TTL_MS = 10 * 60 * 1000

/** hubs a dial-out node holds a relay reservation on at once, when that many are reachable */
export const RELAY_HUBS_PER_NODE = 3

/**
 * Hop streams one connection may open to a hub beyond one per slot: each relayed connection a peer
 * dials holds one for its life, and a reservation or its refresh briefly takes one more.
 */
export const HOP_STREAM_HEADROOM = 8

/** ms before a refused relay reservation is asked again (doubling up to the maximum) while the hub stays connected */
export const RELAY_RETRY = { minMs: 1000, maxMs: 30_000 } as const

/**
 * ms a relayed connection this node dialed may carry no request (model, handoff, tool) before it
 * is closed: peers reached through a relay are dialed on demand, and the hub should not carry a
 * connection between every pair of nodes that once talked
 */
export const IDLE_RELAYED_CONNECTION_MS = 60_000

/**
 * The most peers gossipsub keeps in its mesh for a topic (its `Dhi`; the default 12 would prune a
 * hub's spokes, each of which has the hub as its only topic peer). A peer's mesh grows only as
 * peers graft it, so a node with few connections keeps a small mesh.
 */
export const GOSSIP_MESH_MAX = 4096

/**
 * Streams a connection may open before this side has finished setting the connection up (yamux's
 * `maxEarlyStreams`, default 10, past which the whole connection is aborted). A node that dials a
 * peer on demand for a burst of requests opens a stream for each the moment its side of the
 * handshake ends, which can be before the listener's side has; each is still counted against the
 * protocols' own stream limits once handled.
 */
export const MAX_EARLY_STREAMS = 256
