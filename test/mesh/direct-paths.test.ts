import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../../src/cli/free-port.js'
import { formatStatus } from '../../src/cli/format-status.js'
import { removeTempDirs, startMesh, startNode } from '../helpers/mesh.js'
import { holePunchPeersWarning } from '../../src/node/clawmatrix.js'
import { startFakeUpstream } from '../helpers/fake-upstream.js'
import { RELAYED_CLOSE_CHECK_MS } from '../../src/mesh/relayed-connection-closer.js'
import { MODEL_PROTOCOL } from '../../src/model/constants.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import { waitFor } from '../helpers/wait.js'
import type { TestMesh, TestNode } from '../helpers/mesh.js'

function isRelayed (addr: { toString(): string }): boolean {
  return addr.toString().includes('/p2p-circuit')
}

describe('direct paths on loopback', () => {
  let mesh: TestMesh | undefined
  let upstream: FakeUpstream | undefined
  const nodes: TestNode[] = []

  afterEach(async () => {
    await mesh?.stop()
    mesh = undefined
    await upstream?.close()
    upstream = undefined
    await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
    await removeTempDirs()
  })

  it('a dial-out node with tcpPort keeps its TCP address out of its record; once dialed there, the relayed connection closes', async () => {
    mesh = await startMesh({ a: { tcpPort: 0 }, b: { tcpPort: 0 } })
    const { a, b } = mesh
    expect(a.peers().find(p => p.nodeId === 'b')?.path).toBe('relayed')
    const bTcp = b.libp2p.getMultiaddrs().find(ma => !isRelayed(ma))
    expect(bTcp?.toString()).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    // members elsewhere only ever see b's relayed addresses
    expect(a.capabilities.table.get(b.peerId)?.record.addrs.every(isRelayed)).toBe(true)

    // a dial to a peer already being dialed (the keeper's, through the relay) joins it and answers
    // with its connection, so dial until the direct one is there
    await waitFor('a to hold only a direct connection to b', async () => {
      await a.libp2p.dial(multiaddr(bTcp!.toString()))
      const open = a.libp2p.getConnections(b.libp2p.peerId).filter(c => c.status === 'open')
      return open.length > 0 && open.every(c => !isRelayed(c.remoteAddr))
    }, 10_000, 200)
    expect(a.peers().find(p => p.nodeId === 'b')).toMatchObject({ path: 'direct', reachableVia: null })
  })

  it('a hole-punching node dials from its port, and status says why it has no address to punch to', async () => {
    const hub = await startNode({ nodeId: 'hub', listen: true, tcpPort: 0 })
    nodes.push(hub)
    const hubTcp = hub.libp2p.getMultiaddrs().find(ma => !ma.toString().includes('/ws'))!.toString()
    const port = await freePort()
    const a = await startNode({ nodeId: 'a', peers: [{ url: hubTcp }], holePunchPort: port })
    nodes.push(a)
    // the hub saw a's connection come from holePunchPort: the dial was bound to it
    const punch = await waitFor('a to hear its observed address', () => a.status().holePunch?.lastObservedAddr != null ? a.status().holePunch : undefined)
    expect(punch).toMatchObject({ localPort: port, lastObservedAddr: `/ip4/127.0.0.1/tcp/${port}`, publicAddr: null })
    expect(punch.reason).toMatch(/sees us at a private address .*on our side of the NAT/)
    expect(hub.libp2p.getConnections(a.libp2p.peerId).some(c => c.remoteAddr.toString().startsWith(`/ip4/127.0.0.1/tcp/${port}`))).toBe(true)
    expect(formatStatus(a.status())).toMatch(new RegExp(`Punch: +from TCP port ${port}, no public address: .*private address`))

    // a second connection to the same hub address cannot leave from the same port: it is dialed from any port
    const second = await a.libp2p.dial(multiaddr(hubTcp), { force: true })
    expect(second.status).toBe('open')
    await waitFor('the hub to hold a second connection from a, from another port', () =>
      hub.libp2p.getConnections(a.libp2p.peerId).some(c => c.status === 'open' && Number(c.remoteAddr.getComponents()[1].value) !== port))
  })

  it('a relayed connection carrying a model answer is closed only once the answer has ended', async () => {
    const gate = Promise.withResolvers<void>()
    const event = (content: string): string => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`
    upstream = await startFakeUpstream(() => ({
      contentType: 'text/event-stream',
      chunks: (async function * () {
        yield event('before ')
        await gate.promise
        yield event('after')
        yield 'data: [DONE]\n\n'
      })()
    }))
    mesh = await startMesh({ a: { tcpPort: 0 }, b: { tcpPort: 0, models: [{ id: 'gated', upstream: { baseUrl: upstream.baseUrl } }] } })
    const { a, b } = mesh
    await waitFor('a to know b\'s model', () => a.peers().find(p => p.nodeId === 'b')?.models.some(m => m.id === 'gated'))
    const answer = (await a.chat({ model: 'gated', stream: true, messages: [{ role: 'user', content: 'hi' }] }))[Symbol.asyncIterator]()
    let text = ''
    while (!text.includes('before')) {
      const r = await answer.next()
      if (r.done === true) throw new Error(`the answer ended early: ${text}`)
      text += r.value?.choices?.[0]?.delta?.content ?? ''
    }
    const relayedWithAnswer = (): boolean => a.libp2p.getConnections(b.libp2p.peerId).some(c => c.status === 'open' && isRelayed(c.remoteAddr) && c.streams.some(s => s.protocol === MODEL_PROTOCOL))
    expect(relayedWithAnswer()).toBe(true)

    const bTcp = multiaddr(b.libp2p.getMultiaddrs().find(ma => !isRelayed(ma))!.toString())
    await waitFor('a direct connection to b', async () => {
      await a.libp2p.dial(bTcp)
      return a.libp2p.getConnections(b.libp2p.peerId).some(c => c.status === 'open' && !isRelayed(c.remoteAddr))
    }, 10_000, 200)
    // the relayed connection stays while the answer runs on it
    expect(relayedWithAnswer()).toBe(true)

    gate.resolve()
    for (let r = await answer.next(); r.done !== true; r = await answer.next()) text += r.value?.choices?.[0]?.delta?.content ?? ''
    expect(text).toBe('before after')
    await waitFor('the relayed connection to close after the answer', () =>
      a.libp2p.getConnections(b.libp2p.peerId).every(c => c.status !== 'open' || !isRelayed(c.remoteAddr)), 3 * RELAYED_CLOSE_CHECK_MS)
    expect(a.peers().find(p => p.nodeId === 'b')?.path).toBe('direct')
  })

  it('warns when holePunchPort is set but no hub is reached over bare TCP', () => {
    expect(holePunchPeersWarning(4001, [multiaddr('/ip4/11.0.0.1/tcp/19000/ws')])).toMatch(/no peers\[\] url is a bare TCP address/)
    expect(holePunchPeersWarning(4001, [multiaddr('/ip4/11.0.0.1/tcp/19000/ws'), multiaddr('/ip4/11.0.0.1/tcp/19002/p2p/12D3KooWNZQ2oVSzPS9qD1diSoi9yX7PD2vCVXCoXuU2ZPap6gNk')])).toBeUndefined()
    expect(holePunchPeersWarning(undefined, [])).toBeUndefined()
  })
})
