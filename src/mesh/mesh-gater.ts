import { PendingInboundLimit } from './pending-inbound-limit.js'
import type { ConnectionGater, PeerId } from '@libp2p/interface'

type GaterMethod = keyof ConnectionGater

/**
 * With a members list, nobody else completes a connection, takes a relay slot or is relayed,
 * even holding the secret. Private (loopback, LAN) dials are allowed: the mesh runs there too.
 */
export function membersGater (members?: string[]): ConnectionGater {
  const base: ConnectionGater = { denyDialMultiaddr: () => false }
  if (members == null) return base
  const allowed = new Set(members)
  const deny = (peer: PeerId): boolean => !allowed.has(peer.toString())
  return {
    ...base,
    denyDialPeer: deny,
    denyInboundEncryptedConnection: deny,
    denyOutboundEncryptedConnection: deny,
    denyInboundRelayReservation: deny,
    denyOutboundRelayedConnection: (source, destination) => deny(source) || deny(destination),
    denyInboundRelayedConnection: (relay, remote) => deny(relay) || deny(remote)
  }
}

/** one gater that denies what any of `gaters` denies, asking them in order */
export function combineGaters (...gaters: ConnectionGater[]): ConnectionGater {
  const combined: Record<string, (...args: any[]) => Promise<boolean>> = {}
  const methods = new Set(gaters.flatMap(g => Object.keys(g) as GaterMethod[]))
  for (const method of methods) {
    combined[method] = async (...args: any[]) => {
      for (const gater of gaters) {
        const deny = gater[method] as ((...a: any[]) => boolean | Promise<boolean>) | undefined
        if (deny != null && await deny.apply(gater, args)) return true
      }
      return false
    }
  }
  return combined as ConnectionGater
}

export interface MeshGaterInit {
  /** when set, only these peer IDs may connect, relay or be relayed */
  members?: string[]
  /** inbound connections one remote address may have in the upgrade at once */
  maxPendingInboundPerHost?: number
  /** a further gater asked after the members list (the membership certificates') */
  gater?: ConnectionGater
}

/** The members list, the per-address bound on connections being upgraded, and a further gater */
export function meshGater (init: MeshGaterInit = {}): ConnectionGater {
  // the pending count first: its upgraded-connection check releases and never denies
  return combineGaters(new PendingInboundLimit(init.maxPendingInboundPerHost != null ? { maxPerHost: init.maxPendingInboundPerHost } : {}).gater(), membersGater(init.members), ...(init.gater != null ? [init.gater] : []))
}
