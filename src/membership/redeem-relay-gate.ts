import {
  MAX_REDEEM_RELAY_CIRCUITS, REDEEM_CIRCUIT_DATA_BYTES, REDEEM_CIRCUIT_DURATION_MS, REDEEM_RELAY_IP_CIRCUITS, REDEEM_RELAY_PEER_CIRCUITS
} from './invite-constants.js'
import { RedeemRateLimit } from './redeem-rate-limit.js'
import type { Connection } from '@libp2p/interface'

/** the relay limit of a circuit from a peer the relay does not admit: it ends with probation */
export const REDEEM_CIRCUIT_LIMIT = { duration: REDEEM_CIRCUIT_DURATION_MS, data: BigInt(REDEEM_CIRCUIT_DATA_BYTES) }

export interface RedeemRelayGateInit {
  peerCircuits?: number
  ipCircuits?: number
  maxCircuits?: number
  /** how long a granted circuit counts as open (its duration limit) */
  circuitMs?: number
}

/**
 * Which circuits a relay opens for a peer it does not admit: a joiner redeems its invite at the
 * admin that issued it, reached through this relay when the admin does not listen. Only to an
 * admin, a few per source peer and per source IP, and a bounded number at once (each one lives
 * at most `circuitMs`: its relay limit, REDEEM_CIRCUIT_LIMIT, cuts it then).
 */
export class RedeemRelayGate {
  private readonly rateLimit = new RedeemRateLimit()
  /** when each circuit still counted as open was granted, oldest first */
  private readonly granted: number[] = []
  private readonly peerCircuits: number
  private readonly ipCircuits: number
  private readonly maxCircuits: number
  private readonly circuitMs: number

  constructor (init: RedeemRelayGateInit = {}) {
    this.peerCircuits = init.peerCircuits ?? REDEEM_RELAY_PEER_CIRCUITS
    this.ipCircuits = init.ipCircuits ?? REDEEM_RELAY_IP_CIRCUITS
    this.maxCircuits = init.maxCircuits ?? MAX_REDEEM_RELAY_CIRCUITS
    this.circuitMs = init.circuitMs ?? REDEEM_CIRCUIT_DURATION_MS
  }

  /** whether a circuit from `source` (at `ip`) to a destination that is (or is not) an admin may open now; counts it when it may */
  allow (source: string, ip: string | undefined, toAdmin: boolean, now = Date.now()): boolean {
    if (!toAdmin) return false
    while (this.granted.length > 0 && now - this.granted[0] >= this.circuitMs) this.granted.shift()
    if (this.granted.length >= this.maxCircuits) return false
    const sources = [{ key: `peer/${source}`, limit: this.peerCircuits }, ...(ip != null ? [{ key: `ip/${ip}`, limit: this.ipCircuits }] : [])]
    if (!this.rateLimit.take(sources, now)) return false
    this.granted.push(now)
    return true
  }
}

/** the remote IP of the first direct connection among `connections` */
export function directIpOf (connections: Connection[]): string | undefined {
  for (const connection of connections) {
    const components = connection.remoteAddr.getComponents()
    if (components.some(c => c.name === 'p2p-circuit')) continue
    const ip = components.find(c => c.name === 'ip4' || c.name === 'ip6')?.value
    if (ip != null) return ip
  }
  return undefined
}
