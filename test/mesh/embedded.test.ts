import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterAll, describe, expect, it } from 'vitest'
import { capabilities, pskFromSecret, VERSION } from '../../src/index.js'
import { freePort } from '../../src/cli/free-port.js'
import { runCli, startCliNode } from '../helpers/cli.js'
import { TEST_SECRET } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { CliNode } from '../helpers/cli.js'
import type { Libp2p } from '@libp2p/interface'

describe('ClawMatrix services in the user\'s own libp2p node', () => {
  const stops: Array<() => Promise<unknown>> = []
  afterAll(async () => { await Promise.all(stops.map(async stop => await stop())) })

  it('joins a mesh of `clawmatrix start` nodes and is seen by them', async () => {
    const hub: CliNode = await startCliNode({ nodeId: 'hub', secret: TEST_SECRET, listen: true, listenHost: '127.0.0.1', listenPort: 0, proxyPort: await freePort() })
    stops.push(hub.stop)
    const office: CliNode = await startCliNode({ nodeId: 'office', secret: TEST_SECRET, proxyPort: await freePort(), tags: ['office'], peers: [{ url: hub.dialAddr ?? '' }] })
    stops.push(office.stop)

    const node: Libp2p<any> = await createLibp2p({
      addresses: { listen: ['/p2p-circuit'] },
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionProtector: preSharedKey({ psk: await pskFromSecret(TEST_SECRET) }),
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
        capabilities: capabilities({
          local: () => ({ nodeId: 'embedded', agents: [{ id: 'helper', description: 'embedded agent', tags: [] }], models: [], tags: ['embedded'], toolProxy: false, version: VERSION, load: 0 })
        })
      }
    })
    stops.push(async () => { await node.stop() })
    await node.dial(multiaddr(hub.dialAddr ?? ''))

    await waitFor('the embedded node to hold both records', () => {
      const ids = node.services.capabilities.entries().map((e: any) => e.record.nodeId).sort()
      return ids.join() === 'hub,office'
    })
    const seenByOffice = await waitFor('office to see the embedded node', async () => {
      const r = await runCli(['peers', '--config', office.configFile])
      return JSON.parse(r.stdout).find((p: any) => p.nodeId === 'embedded' && p.reachable)
    }, 20_000)
    expect(seenByOffice).toMatchObject({ peerId: node.peerId.toString(), tags: ['embedded'], agents: [{ id: 'helper' }], path: 'relayed', reachableVia: 'hub' })
  }, 60_000)
})
