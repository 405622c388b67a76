import { isIP } from 'node:net'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface PeerAddress {
  /** where to dial, without any /p2p/ part */
  addr: Multiaddr
  /** the peer that must answer there, from `/p2p/<id>` or `peers[].peerId` */
  peerId?: string
}

/**
 * Whether `text` is a peer ID as the mesh writes them: the base58 form (`12D3KooW…`, `Qm…`) that
 * `peerId.toString()` gives, so it compares equal to the IDs of connections and records. The
 * CID forms `peerIdFromString` also reads are refused: they would never match.
 */
export function isPeerId (text: string): boolean {
  try {
    return peerIdFromString(text).toString() === text
  } catch {
    return false
  }
}

/** `/ip4/…`, `/ip6/…` or `/dns/…` for a host name or address (IPv6 with or without brackets) */
export function hostMultiaddrPrefix (host: string): string {
  const bare = host.replace(/^\[|\]$/g, '')
  const family = isIP(bare)
  if (family === 4) return `/ip4/${bare}`
  if (family === 6) return `/ip6/${bare}`
  return `/dns/${bare}`
}

/**
 * `ws://host:port`, `wss://host:port` or a multiaddr (with or without `/p2p/<peerId>`) to a dial
 * address. Throws with a readable reason.
 */
export function parsePeerAddress (url: string, pinnedPeerId?: string): PeerAddress {
  let addr: Multiaddr
  if (/^wss?:\/\//i.test(url)) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new Error(`"${url}" is not a valid ws:// or wss:// URL`)
    }
    const secure = parsed.protocol === 'wss:'
    const port = parsed.port !== '' ? parsed.port : (secure ? '443' : '80')
    if (parsed.pathname !== '/' && parsed.pathname !== '') throw new Error(`"${url}" must not have a path`)
    addr = multiaddr(`${hostMultiaddrPrefix(parsed.hostname)}/tcp/${port}/${secure ? 'tls/ws' : 'ws'}`)
  } else if (url.startsWith('/')) {
    try {
      addr = multiaddr(url)
    } catch (err: any) {
      throw new Error(`"${url}" is not a valid multiaddr (${String(err.message)})`)
    }
  } else {
    throw new Error(`"${url}" must be ws://host:port, wss://host:port or a multiaddr`)
  }

  const components = addr.getComponents()
  const p2p = components.filter(c => c.name === 'p2p')
  const inAddr = p2p.at(-1)?.value
  if (inAddr != null && pinnedPeerId != null && inAddr !== pinnedPeerId) {
    throw new Error(`the /p2p/ part (${inAddr}) differs from peerId (${pinnedPeerId})`)
  }
  if (inAddr != null && !components.some(c => c.name === 'p2p-circuit')) {
    addr = multiaddr(addr.toString().slice(0, addr.toString().lastIndexOf('/p2p/')))
  }
  const peerId = pinnedPeerId ?? inAddr
  return peerId != null ? { addr, peerId } : { addr }
}
