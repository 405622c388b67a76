/**
 * One process of the model bench: an upstream (OpenAI-compatible or Anthropic Messages), the
 * plain HTTP proxy, or a mesh node (serving models, or consuming them through its OpenAI routes).
 * Run by bench/model.ts through FixtureProcess.
 */
import { registerHooks } from 'node:module'
import { startUpstreamServer } from '../src/demo/upstream-server.js'
import { httpModelBackend } from '../src/standalone/http-model-backend.js'
import { fixtureArgs, runFixture } from './fixtures/parent-link.js'
import { ModelBenchNodes } from './model-nodes.js'
import { ANTHROPIC_MESSAGES_ROUTE, benchAnthropicReply, benchReply } from './model-upstream.js'
import { startPlainProxy } from './plain-proxy.js'
import type { ModelConfig } from '../src/config/schema.js'

export type ModelFixtureArgs =
  | { role: 'upstream' }
  | { role: 'anthropic upstream' }
  | { role: 'plain proxy', upstreamBaseUrl: string }
  | {
    role: 'node'
    nodeId: string
    secret: string
    listen: boolean
    /** also listen on TCP (a free port), beside WebSockets */
    tcp?: boolean
    models?: ModelConfig[]
    /** a dial-out node joins this hub and takes a relay reservation */
    hubAddr?: string
    /** dial this node and wait until it is routed over `path` */
    connect?: { addr: string, path: 'direct' | 'relayed' }
    /** serve the OpenAI routes on this port */
    apiPort?: number
    /**
     * count the translation's modules (src/translate, @openclaw/ai) as they are resolved, in the
     * memory report; or refuse to resolve them, so the process cannot load the translation at all
     */
    translation?: 'count' | 'refuse'
    /** once started, answer one small request from each model's backend, as a node that has served does */
    askOnce?: boolean
  }

const args = fixtureArgs<ModelFixtureArgs>()

function isTranslation (url: string): boolean {
  return url.includes('/node_modules/@openclaw/ai/') || url.includes('/src/translate/')
}

/** the translation's modules resolved so far, watched from before the node starts */
function watchTranslation (mode: 'count' | 'refuse'): () => number {
  const resolved = new Set<string>()
  registerHooks({
    resolve (specifier, context, next) {
      const found = next(specifier, context)
      if (isTranslation(found.url)) {
        if (mode === 'refuse') throw new Error(`this process refuses to load the translation (${found.url})`)
        resolved.add(found.url)
      }
      return found
    }
  })
  return () => resolved.size
}

async function askOnce (models: ModelConfig[]): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify({ model: 'any', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }))
  for (const model of models) {
    const answer = await httpModelBackend(model).chat(body, { signal: new AbortController().signal })
    for await (const _ of answer.body) {}
    if (answer.status !== 200) throw new Error(`model ${model.id} answered HTTP ${answer.status}`)
  }
}

await runFixture(async () => {
  if (args.role === 'upstream') {
    const upstream = await startUpstreamServer(received => benchReply(received.body))
    return { peerId: '', addrs: [upstream.baseUrl], stop: async () => { await upstream.close() } }
  }
  if (args.role === 'anthropic upstream') {
    const upstream = await startUpstreamServer(received => benchAnthropicReply(received.body), ANTHROPIC_MESSAGES_ROUTE)
    return { peerId: '', addrs: [upstream.baseUrl], stop: async () => { await upstream.close() } }
  }
  if (args.role === 'plain proxy') {
    const proxy = await startPlainProxy(args.upstreamBaseUrl)
    return { peerId: '', addrs: [proxy.baseUrl], stop: proxy.close }
  }
  const translationModules = args.translation != null ? watchTranslation(args.translation) : undefined
  const nodes = new ModelBenchNodes(args.secret)
  const node = await nodes.start(args.nodeId, { listen: args.listen, tcp: args.tcp === true }, { models: args.models ?? [], modelConcurrency: 64 })
  if (args.hubAddr != null) await nodes.joinHub(node, args.hubAddr)
  if (args.connect != null) await nodes.connect(node, args.connect.addr, args.connect.path)
  if (args.apiPort != null) await nodes.api(node, args.apiPort)
  if (args.askOnce === true) await askOnce(args.models ?? [])
  return {
    peerId: node.libp2p.peerId.toString(),
    addrs: node.libp2p.getMultiaddrs().map(a => a.toString()),
    ...(translationModules != null ? { translationModules } : {}),
    stop: async () => { await nodes.stop() }
  }
})
