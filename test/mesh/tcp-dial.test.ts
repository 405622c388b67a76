import { afterEach, describe, expect, it } from 'vitest'
import { startTestLibp2p } from '../helpers/libp2p.js'
import type { Libp2p } from '@libp2p/interface'

function isTcp (addr: string): boolean {
  return addr.includes('/tcp/') && !addr.includes('/ws') && !addr.includes('/p2p-circuit')
}

describe('TCP between mesh nodes', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
  })

  it('a dial-out node (no tcpPort of its own) reaches a listener over its TCP address, and streams run on it', async () => {
    const listener = await startTestLibp2p({ tcpPort: 0 })
    const dialer = await startTestLibp2p({ listen: false })
    nodes.push(listener, dialer)
    const tcpAddr = listener.getMultiaddrs().find(a => isTcp(a.toString()))
    expect(tcpAddr, 'the listener announces a TCP address').toBeDefined()

    const connection = await dialer.dial(tcpAddr!)
    expect(isTcp(connection.remoteAddr.toString())).toBe(true)
    const rtt = await (dialer.services as any).ping.ping(listener.peerId)
    expect(rtt).toBeGreaterThanOrEqual(0)
  })

  it('a node dialing a peer by its id, knowing its WebSocket and TCP addresses, connects over TCP', async () => {
    const listener = await startTestLibp2p({ tcpPort: 0 })
    const dialer = await startTestLibp2p({ listen: false })
    nodes.push(listener, dialer)
    const addrs = listener.getMultiaddrs()
    expect(addrs.some(a => a.toString().includes('/ws'))).toBe(true)
    await dialer.peerStore.merge(listener.peerId, { multiaddrs: addrs })

    const connection = await dialer.dial(listener.peerId)
    expect(connection.remoteAddr.toString()).not.toContain('/ws')
    expect(isTcp(connection.remoteAddr.toString())).toBe(true)
  })
})
