import type { ConnectionGater } from '@libp2p/interface'

/** the gater methods the membership service answers */
const METHODS = [
  'denyDialPeer',
  'denyInboundEncryptedConnection',
  'denyOutboundEncryptedConnection',
  'denyInboundRelayReservation',
  'denyOutboundRelayedConnection',
  'denyInboundRelayedConnection'
] as const

/**
 * A gater that asks the one `current()` returns, when there is one: libp2p takes its gater before
 * its services exist, and the membership service's gater is only there once they do.
 */
export function deferredGater (current: () => ConnectionGater | undefined): ConnectionGater {
  const gater: Record<string, (...args: any[]) => Promise<boolean>> = {}
  for (const method of METHODS) {
    gater[method] = async (...args: any[]) => {
      const deny = current()?.[method] as ((...a: any[]) => boolean | Promise<boolean>) | undefined
      return deny != null && await deny(...args)
    }
  }
  return gater as ConnectionGater
}
