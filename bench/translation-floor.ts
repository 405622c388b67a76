import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { startUpstreamServer } from '../src/demo/upstream-server.js'
import { ownModelLayer } from '../src/standalone/own-llm-runtime.js'
import { postChatCompletions } from '../src/standalone/post-chat-completions.js'
import { UpstreamNativeModel } from '../src/standalone/upstream-native-model.js'
import { translateChat } from '../src/translate/translate-chat.js'
import { printFigures } from './lib/report.js'
import { median } from './lib/stats.js'
import { ANTHROPIC_MESSAGES_ROUTE, benchAnthropicReply, benchReply } from './model-upstream.js'
import type { Figure } from './lib/report.js'

const WARMUP = 500
const CALLS = 2000
/** rounds taken in turn, so a busy moment of the machine falls on every client alike */
const ROUNDS = 3

interface AnthropicClient {
  messages: { create: (params: Record<string, unknown>) => Promise<AsyncIterable<unknown>> }
}

/**
 * Anthropic's own SDK, the one `@openclaw/ai` sends Anthropic calls with, resolved from the
 * library's own dependencies
 */
async function anthropicSdk (baseURL: string): Promise<AnthropicClient> {
  const fromLibrary = createRequire(import.meta.resolve('@openclaw/ai'))
  const sdk = await import(pathToFileURL(fromLibrary.resolve('@anthropic-ai/sdk')).href)
  const Anthropic = sdk.default?.default ?? sdk.default ?? sdk.Anthropic
  return new Anthropic({ apiKey: 'bench', baseURL, maxRetries: 0 })
}

async function drain (body: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of body) { /* read to the end */ }
}

async function medianMs (call: () => Promise<void>): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const start = performance.now()
    await call()
    if (i >= WARMUP) samples.push(performance.now() - start)
  }
  return median(samples)
}

/**
 * What a small translated request costs a serving node, layer by layer, all in this one process
 * against upstreams on loopback: the passthrough's own client (undici `request`) to an
 * OpenAI-compatible upstream; Anthropic's SDK alone, its client reused, reading the stream the
 * bench's Anthropic upstream sends; and the whole translation (OpenAI request in, `@openclaw/ai`,
 * OpenAI answer out) to that same upstream. The SDK's row is the least any translation built on
 * the vendor's SDK can add, before translating anything.
 */
export async function runTranslationFloorBench (): Promise<void> {
  const openai = await startUpstreamServer(benchReply)
  const anthropic = await startUpstreamServer(benchAnthropicReply, ANTHROPIC_MESSAGES_ROUTE)
  try {
    const anthropicBase = anthropic.baseUrl.replace(/\/v1$/, '')
    const request = new TextEncoder().encode(JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }))
    const sdk = await anthropicSdk(anthropicBase)
    const native = new UpstreamNativeModel({ api: 'anthropic-messages', baseUrl: anthropicBase, apiKey: 'bench', model: 'bench-claude', headers: {}, allowImageUrls: false, reasoning: false, input: ['text'] }, ownModelLayer)
    const clients: Record<string, () => Promise<void>> = {
      passthrough: async () => { await drain((await postChatCompletions({ baseUrl: openai.baseUrl }, request, AbortSignal.timeout(10_000))).body) },
      sdk: async () => { await drain(await sdk.messages.create({ model: 'bench-claude', max_tokens: 1, messages: [{ role: 'user', content: 'ping' }], stream: true })) },
      translated: async () => { await drain((await translateChat(native, request, AbortSignal.timeout(10_000))).body) }
    }
    const rounds = new Map(Object.keys(clients).map(name => [name, [] as number[]]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, call] of Object.entries(clients)) rounds.get(name)?.push(await medianMs(call))
    }
    const ms = (name: string): number => median(rounds.get(name) ?? [])
    const baseline = { label: 'passthrough client', value: ms('passthrough') }
    const figures: Figure[] = [
      { label: 'small request, passthrough client (undici request), median', value: ms('passthrough'), unit: 'ms', samples: CALLS * ROUNDS },
      { label: 'small request, Anthropic SDK alone, median', value: ms('sdk'), unit: 'ms', samples: CALLS * ROUNDS, baseline, note: 'the floor of any translation on the vendor SDK' },
      { label: 'small request, whole translation, median', value: ms('translated'), unit: 'ms', samples: CALLS * ROUNDS, baseline }
    ]
    printFigures(`model plane: a serving node's upstream call for a small request, in one process (median of ${ROUNDS} rounds' medians)`, figures)
  } finally {
    await Promise.all([openai.close(), anthropic.close()])
  }
}
