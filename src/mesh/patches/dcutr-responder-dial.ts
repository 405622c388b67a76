/**
 * PATCH for `libp2p` 3.3.11's dial queue, as `@libp2p/dcutr` 3.0.28 uses it.
 *
 * Upstream issue it would file: "In a DCUtR hole punch both peers dial each other at once and
 * TCP opens one connection (a simultaneous open); the side that sent SYNC dials with
 * `openConnection(addrs, { initiator: false })` so it runs the handshake as the responder. The
 * dial queue builds each job's options from `peerId`, `priority`, `multiaddrs`, `signal` and
 * `onProgress` only, so `initiator` never reaches `upgrader.upgradeOutbound`: both sides start
 * Noise as initiator and every punch fails with `EncryptionFailedError: handshake stage 1
 * validation fail: message is not long enough` (seen through two MASQUERADE NATs: the TCP
 * connection itself opened each time). Passing `initiator: false` to `upgradeOutbound` is not
 * enough either: `@chainsafe/libp2p-yamux` 8.0.1 takes its role from the socket's direction
 * (`outbound` on both sides of a simultaneous open), and the first stream ends the connection
 * with `InvalidParametersError: Both endpoints are clients`. Proposed: pass `initiator` through
 * the dial queue, and upgrade such a socket as an inbound connection."
 *
 * Here the hole punch service marks the addresses of a responder dial before handing it to the
 * connection manager, and the mesh's TCP transport (`portBoundTcp`) upgrades a socket it dialed
 * to a marked address as inbound, with `initiator: false`. Remove when a released libp2p does
 * both for DCUtR's dial.
 */
import { CODE_P2P } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'

/** responder dials marked at once; DCUtR runs one per peer, with one or two addresses */
const MAX_MARKED = 32

/** addresses being dialed as the responder of a simultaneous open */
export class ResponderDials {
  private readonly marked = new Map<string, number>()

  /** mark `addrs` until the returned function is called (when the dial has ended) */
  mark (addrs: Multiaddr[]): () => void {
    const keys: string[] = []
    for (const k of addrs.map(key)) {
      if (!this.marked.has(k) && this.marked.size >= MAX_MARKED) continue
      this.marked.set(k, (this.marked.get(k) ?? 0) + 1)
      keys.push(k)
    }
    return () => {
      for (const k of keys) {
        const left = (this.marked.get(k) ?? 1) - 1
        if (left > 0) this.marked.set(k, left)
        else this.marked.delete(k)
      }
    }
  }

  has (addr: Multiaddr): boolean {
    return this.marked.has(key(addr))
  }
}

function key (addr: Multiaddr): string {
  return addr.decapsulateCode(CODE_P2P).toString()
}
