import { INBOUND_UPGRADE_TIMEOUT_MS, MAX_PENDING_INBOUND_PER_HOST, MAX_WAITING_INBOUND_PER_HOST } from './constants.js'
import { logger } from '@libp2p/logger'
import type { ConnectionGater, MultiaddrConnection } from '@libp2p/interface'

const log = logger('clawmatrix:mesh:pending-inbound')

/** the IP address a connection comes from; undefined for relayed and other non-IP connections */
export function remoteHost (maConn: MultiaddrConnection): string | undefined {
  return maConn.remoteAddr.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

interface Waiter {
  maConn: MultiaddrConnection
  admit: () => void
}

export interface PendingInboundLimitInit {
  /** connections from one address in the upgrade at once */
  maxPerHost?: number
  /** connections from one address waiting for one of those places; more are refused at once */
  maxWaitingPerHost?: number
  /** how long a counted connection may take to upgrade before it stops counting */
  upgradeTimeoutMs?: number
}

/**
 * Bounds the inbound connections one remote address has in the upgrade at once. libp2p bounds them
 * only node-wide (`maxIncomingPendingConnections`), so one source that opens sockets and sends
 * nothing holds every slot until each times out, and nobody else can join. A connection counts
 * from the gater's first look (`denyInboundConnection`) until it is upgraded
 * (`denyInboundUpgradedConnection`), closes, or the upgrade timeout has passed (a failed upgrade
 * closes its socket gracefully, which an idle peer can drag out).
 *
 * A connection over the bound waits, untouched (no pnet nonce sent), for one of its address's
 * places, for at most half the upgrade timeout: many members behind one address (a NAT, or a hub
 * restart that brings them all back at once) get in one after the other instead of being refused
 * and backing off for seconds. The waiting are bounded per address too, and refused past that.
 */
export class PendingInboundLimit {
  private readonly pending = new Map<string, number>()
  private readonly waiting = new Map<string, Waiter[]>()
  private readonly counted = new WeakMap<MultiaddrConnection, { host: string, timer: NodeJS.Timeout }>()
  private readonly maxPerHost: number
  private readonly maxWaitingPerHost: number
  private readonly upgradeTimeoutMs: number

  constructor (init: PendingInboundLimitInit = {}) {
    this.maxPerHost = init.maxPerHost ?? MAX_PENDING_INBOUND_PER_HOST
    this.maxWaitingPerHost = init.maxWaitingPerHost ?? MAX_WAITING_INBOUND_PER_HOST
    this.upgradeTimeoutMs = init.upgradeTimeoutMs ?? INBOUND_UPGRADE_TIMEOUT_MS
  }

  /** false once `maConn` holds one of its address's places; true when it is refused */
  deny (maConn: MultiaddrConnection): boolean | Promise<boolean> {
    const host = remoteHost(maConn)
    if (host == null) return false
    if (this.pendingFrom(host) < this.maxPerHost) {
      this.count(maConn, host)
      return false
    }
    const queue = this.waiting.get(host) ?? []
    if (queue.length >= this.maxWaitingPerHost) {
      log('refused %a: %d connections from %s are being upgraded and %d wait', maConn.remoteAddr, this.pendingFrom(host), host, queue.length)
      return true
    }
    this.waiting.set(host, queue)
    return new Promise<boolean>(resolve => {
      const leave = (): void => {
        clearTimeout(timer)
        maConn.removeEventListener('close', onClose)
        const left = (this.waiting.get(host) ?? []).filter(w => w !== waiter)
        if (left.length > 0) this.waiting.set(host, left)
        else this.waiting.delete(host)
      }
      const onClose = (): void => {
        leave()
        resolve(true)
      }
      const timer = setTimeout(() => {
        leave()
        log('refused %a: waited %d ms for one of the %d upgrade places of %s', maConn.remoteAddr, this.upgradeTimeoutMs / 2, this.maxPerHost, host)
        resolve(true)
      }, this.upgradeTimeoutMs / 2)
      timer.unref()
      const waiter: Waiter = {
        maConn,
        admit: () => {
          leave()
          this.count(maConn, host)
          resolve(false)
        }
      }
      maConn.addEventListener('close', onClose, { once: true })
      queue.push(waiter)
    })
  }

  /** `maConn` is upgraded or gone: it no longer counts, and the next waiting connection from its address takes its place */
  release (maConn: MultiaddrConnection): void {
    const entry = this.counted.get(maConn)
    if (entry == null) return
    this.counted.delete(maConn)
    clearTimeout(entry.timer)
    const { host } = entry
    const count = (this.pending.get(host) ?? 1) - 1
    if (count <= 0) this.pending.delete(host)
    else this.pending.set(host, count)
    this.waiting.get(host)?.[0]?.admit()
  }

  /** connections being upgraded from `host` now */
  pendingFrom (host: string): number {
    return this.pending.get(host) ?? 0
  }

  /** connections from `host` waiting for an upgrade place now */
  waitingFrom (host: string): number {
    return this.waiting.get(host)?.length ?? 0
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

  private count (maConn: MultiaddrConnection, host: string): void {
    this.pending.set(host, this.pendingFrom(host) + 1)
    const timer = setTimeout(() => { this.release(maConn) }, this.upgradeTimeoutMs)
    timer.unref()
    this.counted.set(maConn, { host, timer })
    maConn.addEventListener('close', () => { this.release(maConn) }, { once: true })
  }
}
