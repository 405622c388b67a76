import { INBOUND_UPGRADE_TIMEOUT_MS, MAX_PENDING_INBOUND_PER_HOST } from './constants.js'
import { logger } from '@libp2p/logger'
import type { ConnectionGater, MultiaddrConnection } from '@libp2p/interface'

const log = logger('clawmatrix:mesh:pending-inbound')

/** the IP address a connection comes from; undefined for relayed and other non-IP connections */
export function remoteHost (maConn: MultiaddrConnection): string | undefined {
  return maConn.remoteAddr.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

/**
 * Bounds the inbound connections one remote address has in the upgrade at once. libp2p bounds them
 * only node-wide (`maxIncomingPendingConnections`), so one source that opens sockets and sends
 * nothing holds every slot until each times out, and nobody else can join. A connection counts
 * from the gater's first look (`denyInboundConnection`) until it is upgraded
 * (`denyInboundUpgradedConnection`), closes, or the upgrade timeout has passed (a failed upgrade
 * closes its socket gracefully, which an idle peer can drag out).
 */
export class PendingInboundLimit {
  private readonly pending = new Map<string, number>()
  private readonly counted = new WeakMap<MultiaddrConnection, { host: string, timer: NodeJS.Timeout }>()

  constructor (private readonly maxPerHost = MAX_PENDING_INBOUND_PER_HOST, private readonly upgradeTimeoutMs = INBOUND_UPGRADE_TIMEOUT_MS) {}

  /** true when `maConn`'s host already has the most pending connections allowed */
  deny (maConn: MultiaddrConnection): boolean {
    const host = remoteHost(maConn)
    if (host == null) return false
    const count = this.pending.get(host) ?? 0
    if (count >= this.maxPerHost) {
      log('refused %a: %d connections from %s are still being upgraded', maConn.remoteAddr, count, host)
      return true
    }
    this.pending.set(host, count + 1)
    const timer = setTimeout(() => { this.release(maConn) }, this.upgradeTimeoutMs)
    timer.unref()
    this.counted.set(maConn, { host, timer })
    maConn.addEventListener('close', () => { this.release(maConn) }, { once: true })
    return false
  }

  /** `maConn` is upgraded or gone: it no longer counts */
  release (maConn: MultiaddrConnection): void {
    const entry = this.counted.get(maConn)
    if (entry == null) return
    this.counted.delete(maConn)
    clearTimeout(entry.timer)
    const { host } = entry
    const count = (this.pending.get(host) ?? 1) - 1
    if (count <= 0) this.pending.delete(host)
    else this.pending.set(host, count)
  }

  /** connections being upgraded from `host` now */
  pendingFrom (host: string): number {
    return this.pending.get(host) ?? 0
  }

  /** the gater methods that do the counting */
  gater (): Pick<ConnectionGater, 'denyInboundConnection' | 'denyInboundUpgradedConnection'> {
    return {
      denyInboundConnection: (maConn) => this.deny(maConn),
      denyInboundUpgradedConnection: (_peer, maConn) => {
        this.release(maConn)
        return false
      }
    }
  }
}
