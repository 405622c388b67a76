import { describe, expect, it } from 'vitest'
import { AnnouncedDialPolicy } from '../../src/capabilities/dial-policy.js'

const signer = '12D3KooWRawPbxPtP1eZaJpumGnyWX2DcUyd3RQnydr3eAto4Az7'
const relay = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'

describe('which announced addresses are dialed', () => {
  const lan = new AnnouncedDialPolicy(['0.0.0.0', '192.168.1.10'])

  it('dials the forms the mesh uses, with the signer\'s /p2p/ added', () => {
    for (const addr of [
      '/ip4/192.168.1.20/tcp/19000/ws',
      `/ip4/10.0.0.5/tcp/19000/ws/p2p/${signer}`,
      '/ip4/203.0.113.7/tcp/443/tls/ws',
      '/ip6/2001:db8::1/tcp/19000/wss',
      '/dns4/hub.example.org/tcp/19000/ws',
      '/ip4/203.0.113.7/tcp/19100',
      `/ip4/203.0.113.7/tcp/19000/ws/p2p/${relay}/p2p-circuit/p2p/${signer}`,
      `/p2p/${relay}/p2p-circuit`
    ]) {
      expect(lan.refusal(signer, addr), addr).toBeUndefined()
    }
    expect(lan.filter(signer, ['/ip4/192.168.1.20/tcp/19000/ws']).allowed.map(a => a.toString())).toEqual([`/ip4/192.168.1.20/tcp/19000/ws/p2p/${signer}`])
  })

  it('never dials loopback, link-local, wildcard or multicast hosts the configuration does not name', () => {
    for (const addr of [
      '/ip4/127.0.0.1/tcp/6379/ws', '/ip4/127.3.2.1/tcp/80', '/ip6/::1/tcp/22', '/ip6/::ffff:127.0.0.1/tcp/22',
      '/ip4/169.254.169.254/tcp/80', '/ip6/fe80::1/tcp/80/ws', '/ip4/0.0.0.0/tcp/22', '/ip6/::/tcp/22',
      '/ip4/224.0.0.1/tcp/80', '/ip4/255.255.255.255/tcp/80', '/dns/localhost/tcp/22/ws', '/dns4/db.localhost/tcp/5432',
      `/ip4/127.0.0.1/tcp/19000/ws/p2p/${relay}/p2p-circuit`
    ]) {
      expect(lan.refusal(signer, addr), addr).toMatch(/loopback|wildcard|local host name/)
    }
  })

  it('dials a loopback host only when the configuration names that very host', () => {
    const loopback = new AnnouncedDialPolicy(['127.0.0.2'])
    expect(loopback.refusal(signer, '/ip4/127.0.0.2/tcp/4000/ws')).toBeUndefined()
    expect(loopback.refusal(signer, '/ip4/127.0.0.1/tcp/4000/ws')).toMatch(/loopback/)
    expect(loopback.refusal(signer, '/ip4/0.0.0.0/tcp/4000/ws')).toMatch(/wildcard/)
    const byName = new AnnouncedDialPolicy(['localhost'])
    expect(byName.refusal(signer, '/ip4/127.0.0.1/tcp/4000/ws')).toBeUndefined()
    expect(byName.refusal(signer, '/ip6/::1/tcp/4000/ws')).toBeUndefined()
    expect(byName.refusal(signer, '/ip4/127.0.0.9/tcp/4000/ws')).toMatch(/loopback/)
  })

  it('refuses other transports, missing ports and addresses of another peer', () => {
    expect(lan.refusal(signer, '/ip4/203.0.113.7/udp/4001/quic-v1')).toMatch(/TCP port/)
    expect(lan.refusal(signer, '/ip4/203.0.113.7/tcp/0/ws')).toMatch(/TCP port/)
    expect(lan.refusal(signer, '/ip4/203.0.113.7/tcp/80/http')).toMatch(/transport/)
    expect(lan.refusal(signer, '/unix/tmp%2Fsock')).toMatch(/IP or DNS/)
    expect(lan.refusal(signer, `/ip4/203.0.113.7/tcp/80/ws/p2p/${relay}`)).toMatch(/another peer ID/)
    expect(lan.refusal(signer, '/ip4/203.0.113.7/tcp/80/ws/p2p-circuit')).toMatch(/no relay peer/)
    expect(lan.refusal(signer, 'not an address')).toMatch(/multiaddr/)
  })
})
