import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { MAX_LAN_ADDRS_PER_PEER, lanDialAddresses } from '../../src/mesh/lan-discovery.js'
import { ResponderDials } from '../../src/mesh/patches/dcutr-responder-dial.js'
import type { Subnet } from '../../src/mesh/lan-discovery.js'

const SUBNETS: Subnet[] = [
  { address: '192.168.1.2', prefix: 24, family: 'ipv4' },
  { address: 'fd00::2', prefix: 64, family: 'ipv6' }
]

function dialed (addrs: string[]): string[] {
  return lanDialAddresses(addrs.map(a => multiaddr(a)), SUBNETS).map(k => k.addr.toString())
}

describe('which addresses of an mDNS answer are dialed', () => {
  it('dials TCP and WebSocket addresses on this host\'s own subnets', () => {
    expect(dialed(['/ip4/192.168.1.3/tcp/4001', '/ip4/192.168.1.3/tcp/19000/ws', '/ip6/fd00::3/tcp/4001']))
      .toEqual(['/ip4/192.168.1.3/tcp/4001', '/ip4/192.168.1.3/tcp/19000/ws', '/ip6/fd00::3/tcp/4001'])
  })

  it.each([
    ['another private network', '/ip4/10.0.0.5/tcp/4001'],
    ['a neighbouring /24', '/ip4/192.168.2.3/tcp/4001'],
    ['a public address', '/ip4/8.8.8.8/tcp/443'],
    ['this host itself', '/ip4/192.168.1.2/tcp/4001'],
    ['loopback', '/ip4/127.0.0.1/tcp/4001'],
    ['a DNS name', '/dns4/printer.local/tcp/4001'],
    ['port 0', '/ip4/192.168.1.3/tcp/0'],
    ['another transport', '/ip4/192.168.1.3/udp/4001/quic-v1'],
    ['a relayed address', '/ip4/192.168.1.3/tcp/4001/p2p/12D3KooWNZQ2oVSzPS9qD1diSoi9yX7PD2vCVXCoXuU2ZPap6gNk/p2p-circuit']
  ])('does not dial %s (%s)', (_what, addr) => {
    expect(dialed([addr])).toEqual([])
  })

  it(`takes at most ${MAX_LAN_ADDRS_PER_PEER} addresses of one answer`, () => {
    const many = Array.from({ length: 20 }, (_, i) => `/ip4/192.168.1.${10 + i}/tcp/4001`)
    expect(dialed(many)).toHaveLength(MAX_LAN_ADDRS_PER_PEER)
  })
})

describe('responder dials of a hole punch', () => {
  it('marks addresses with or without the peer ID until the dial ends', () => {
    const dials = new ResponderDials()
    const peer = '12D3KooWNZQ2oVSzPS9qD1diSoi9yX7PD2vCVXCoXuU2ZPap6gNk'
    const done = dials.mark([multiaddr(`/ip4/11.0.0.2/tcp/4001/p2p/${peer}`)])
    expect(dials.has(multiaddr(`/ip4/11.0.0.2/tcp/4001/p2p/${peer}`))).toBe(true)
    expect(dials.has(multiaddr('/ip4/11.0.0.2/tcp/4001'))).toBe(true)
    expect(dials.has(multiaddr('/ip4/11.0.0.3/tcp/4001'))).toBe(false)
    done()
    expect(dials.has(multiaddr('/ip4/11.0.0.2/tcp/4001'))).toBe(false)
  })

  it('keeps an address marked while a second dial to it runs, and marks a bounded number', () => {
    const dials = new ResponderDials()
    const addr = multiaddr('/ip4/11.0.0.2/tcp/4001')
    const first = dials.mark([addr])
    const second = dials.mark([addr])
    first()
    expect(dials.has(addr)).toBe(true)
    second()
    expect(dials.has(addr)).toBe(false)
    const many = Array.from({ length: 100 }, (_, i) => multiaddr(`/ip4/11.0.1.${i}/tcp/4001`))
    dials.mark(many)
    expect(many.filter(a => dials.has(a)).length).toBe(32)
  })
})
