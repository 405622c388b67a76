import { membersGater } from './members-gater.js'
import { PendingInboundLimit } from './pending-inbound-limit.js'
import type { ConnectionGater } from '@libp2p/interface'

type GaterMethod = keyof ConnectionGater

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
}

/** The members list and the per-address bound on connections being upgraded */
export function meshGater (init: MeshGaterInit = {}): ConnectionGater {
  // the pending count first: its upgraded-connection check releases and never denies
  return combineGaters(new PendingInboundLimit(init.maxPendingInboundPerHost).gater(), membersGater(init.members))
}
