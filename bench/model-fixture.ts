/**
 * One process of the model bench: the upstream, the plain HTTP proxy, or a mesh node (serving
 * models, or consuming them through its OpenAI routes). Run by bench/model.ts through FixtureProcess.
 */
import { startUpstreamServer } from '../src/demo/upstream-server.js'
import { fixtureArgs, runFixture } from './fixtures/parent-link.js'
import { ModelBenchNodes } from './model-nodes.js'
import { benchReply } from './model-upstream.js'
import { startPlainProxy } from './plain-proxy.js'
import type { ModelConfig } from '../src/config/schema.js'

export type ModelFixtureArgs =
  | { role: 'upstream' }
  | { role: 'plain proxy', upstreamBaseUrl: string }
  | {
    role: 'node'
    nodeId: string
    secret: string
    listen: boolean
    models?: ModelConfig[]
    /** a dial-out node joins this hub and takes a relay reservation */
    hubAddr?: string
    /** dial this node and wait until it is routed over `path` */
    connect?: { addr: string, path: 'direct' | 'relayed' }
    /** serve the OpenAI routes on this port */
    apiPort?: number
  }

const args = fixtureArgs<ModelFixtureArgs>()

await runFixture(async () => {
  if (args.role === 'upstream') {
    const upstream = await startUpstreamServer(received => benchReply(received.body))
    return { peerId: '', addrs: [upstream.baseUrl], stop: async () => { await upstream.close() } }
  }
  if (args.role === 'plain proxy') {
    const proxy = await startPlainProxy(args.upstreamBaseUrl)
    return { peerId: '', addrs: [proxy.baseUrl], stop: proxy.close }
  }
  const nodes = new ModelBenchNodes(args.secret)
  const node = await nodes.start(args.nodeId, args.listen, { models: args.models ?? [], modelConcurrency: 64 })
  if (args.hubAddr != null) await nodes.joinHub(node, args.hubAddr)
  if (args.connect != null) await nodes.connect(node, args.connect.addr, args.connect.path)
  if (args.apiPort != null) await nodes.api(node, args.apiPort)
  return { peerId: node.libp2p.peerId.toString(), addrs: node.libp2p.getMultiaddrs().map(a => a.toString()), stop: async () => { await nodes.stop() } }
})
