import type { ConnectionGater, PeerId } from '@libp2p/interface'

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
