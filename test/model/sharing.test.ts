import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { disable as disableLogs, enable as enableLogs } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatStatus } from '../../src/cli/format-status.js'
import { SSE_DONE, chunk, completion, sseEvent } from '../../src/demo/completions.js'
import { loadOrCreateIdentity } from '../../src/mesh/identity.js'
import { chatThroughMesh } from '../../src/model/caller.js'
import { ModelRemoteError } from '../../src/model/errors.js'
import { Router } from '../../src/router/router.js'
import { httpModelBackend } from '../../src/standalone/http-model-backend.js'
import { startFakeAnthropic } from '../helpers/fake-anthropic.js'
import { WHO, replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { removeTempDirs, startHubMesh } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { ModelConfig } from '../../src/config/schema.js'
import type { ModelBackend } from '../../src/host/ports.js'
import type { CallerUsage, ModelUsage } from '../../src/model/usage.js'
import type { FakeAnthropic } from '../helpers/fake-anthropic.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

/** Recognisable secrets: none may leave the serving node in any form */
const API_KEY = 'sk-ant-SECRETKEY-0123456789abcdef'
const HEADER_VALUE = 'team-SECRETHEADER-fedcba9876543210'
const SECRETS = [API_KEY, HEADER_VALUE, 'SECRETKEY', 'SECRETHEADER']

async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return port
}

/** A key-holding node's identity, known before it starts so another node's config can name it */
async function identity (): Promise<{ dataDir: string, peerId: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cm-sharing-'))
  return { dataDir, peerId: peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString() }
}

function expectNoSecret (what: string, text: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${what} holds "${secret}"`).toBe(false)
}

/** A host backend that puts the key in its reason or its errors, as a careless host might */
function leakyBackend (entry: ModelConfig): ModelBackend {
  if (entry.id === 'leaky-reason') {
    return { available: false, unavailableReason: `login to https://user:${API_KEY}@vendor.invalid refused (${HEADER_VALUE})`, chat: async () => { throw new Error('unavailable') } }
  }
  if (entry.id === 'leaky-error') {
    return { available: true, upstreamApi: 'openai-completions', chat: async () => { throw new Error(`vendor refused key ${API_KEY} with header ${HEADER_VALUE}`) } }
  }
  return httpModelBackend(entry)
}

describe('a shared model: who may call it, what each caller used, its API and why it is unavailable', () => {
  let anthropic: FakeAnthropic
  let openai: FakeUpstream
  let mesh: TestHubMesh
  let office: TestNode
  let home: TestNode
  let guest: TestNode
  let homeClient: OpenAI
  let guestClient: OpenAI
  const warnings: string[] = []
  const dataDirs: string[] = []
  /** what the nodes' debug logs (model plane, node) wrote, held here instead of stderr */
  const logs: string[] = []
  const stderrWrite = process.stderr.write

  beforeAll(async () => {
    process.stderr.write = ((chunk: string | Uint8Array) => { logs.push(String(chunk)); return true }) as typeof process.stderr.write
    enableLogs('clawmatrix:*,*:model')
    anthropic = await startFakeAnthropic()
    openai = await startFakeUpstream()
    const [homeId, guestId] = [await identity(), await identity()]
    dataDirs.push(homeId.dataDir, guestId.dataDir)
    const secretUpstream = { apiKey: API_KEY, headers: { 'x-team-auth': HEADER_VALUE } }
    mesh = await startHubMesh([
      {
        config: {
          nodeId: 'office',
          models: [
            { id: 'claude', upstream: { api: 'anthropic-messages', baseUrl: anthropic.baseUrl, ...secretUpstream }, peers: [homeId.peerId] },
            { id: 'open-gpt', upstream: { baseUrl: openai.baseUrl, ...secretUpstream } },
            { id: 'down-gpt', upstream: { baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, ...secretUpstream } },
            { id: 'bare' },
            { id: 'leaky-reason', upstream: { baseUrl: 'http://127.0.0.1:9/v1', ...secretUpstream } },
            { id: 'leaky-error', upstream: { baseUrl: 'http://127.0.0.1:9/v1', ...secretUpstream } }
          ]
        },
        options: { host: { modelBackend: leakyBackend }, onWarning: message => { warnings.push(message) } }
      },
      { config: { nodeId: 'home' }, options: { dataDir: homeId.dataDir } },
      { config: { nodeId: 'guest' }, options: { dataDir: guestId.dataDir } }
    ], { hub: { models: [{ id: 'claude', upstream: { baseUrl: openai.baseUrl } }] } })
    ;[office, home, guest] = mesh.members
    const modelsOf = (node: TestNode, nodeId: string): number => node.peers().find(p => p.nodeId === nodeId)?.models.length ?? 0
    await waitFor('home and guest to hold the records of office and hub', () =>
      [home, guest].every(n => modelsOf(n, 'office') === 6 && modelsOf(n, 'hub') === 1))
    homeClient = new OpenAI({ baseURL: `http://127.0.0.1:${home.api.port}/v1`, apiKey: home.tokens.apiToken, maxRetries: 0 })
    guestClient = new OpenAI({ baseURL: `http://127.0.0.1:${guest.api.port}/v1`, apiKey: guest.tokens.apiToken, maxRetries: 0 })
  }, 60_000)

  afterAll(async () => {
    disableLogs()
    process.stderr.write = stderrWrite
    await mesh?.stop()
    await Promise.all([anthropic?.close(), openai?.close()])
    await Promise.all(dataDirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
    await removeTempDirs()
  })

  const ask = { messages: [{ role: 'user' as const, content: 'hello' }] }

  async function post (node: TestNode, body: Record<string, unknown>): Promise<{ status: number, text: string, node: string | null }> {
    const res = await fetch(`http://127.0.0.1:${node.api.port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${node.tokens.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })
    return { status: res.status, text: await res.text(), node: res.headers.get('x-clawmatrix-node') }
  }

  function callerUsage (model: string, nodeId: string): CallerUsage | undefined {
    const usage: ModelUsage[] = office.status().modelUsage
    return usage.find(m => m.model === model)?.callers.find(c => c.nodeId === nodeId)
  }

  /** whether `node` has set office aside as failed (the path itself may change under load) */
  function officeSetAside (node: TestNode): boolean | undefined {
    return node.router.view().find(v => v.entry.record.nodeId === 'office')?.coolingDown
  }

  it('serves a restricted model to the peer it names, and sends others to a node that shares it', async () => {
    anthropic.reply = () => ({ kind: 'message', blocks: [{ type: 'text', pieces: ['Hi ', 'home'] }], stopReason: 'end_turn', usage: { input: 12, output: 2, cacheRead: 5 } })
    const answer = await homeClient.chat.completions.create({ model: 'office/claude', ...ask }).withResponse()
    expect(answer.response.headers.get('x-clawmatrix-node')).toBe('office')
    expect(answer.data.choices[0].message.content).toBe('Hi home')
    // the key and the extra header really went upstream
    expect(anthropic.requests.at(-1)?.headers).toMatchObject({ 'x-api-key': API_KEY, 'x-team-auth': HEADER_VALUE })

    // guest is left out: its own router does not send it to office, and says why
    const before = anthropic.requests.length
    const refused = await post(guest, { model: 'office/claude', ...ask })
    expect(refused.status).toBe(403)
    expect(JSON.parse(refused.text).error).toMatchObject({ code: 'not_allowed', type: 'permission_error', message: expect.stringContaining('not shared with this node') })
    // `claude` without a node goes to the hub, which shares it with everyone
    openai.reply = () => replies.answer('from the hub')
    const routed = await guestClient.chat.completions.create({ model: 'claude', ...ask }).withResponse()
    expect(routed.response.headers.get('x-clawmatrix-node')).toBe('hub')
    expect(anthropic.requests.length).toBe(before)
    expect(officeSetAside(guest)).toBe(false)
  })

  it('refuses a caller the model\'s peers leave out on the serving node itself, as final and without setting the node aside', async () => {
    const before = anthropic.requests.length
    const body = new TextEncoder().encode(JSON.stringify({ model: 'claude', ...ask }))
    const refusal = await guest.libp2p.services.model.chat(office.libp2p.peerId, 'claude', body, { signal: AbortSignal.timeout(10_000), nodeId: 'office' })
      .then(() => undefined, (err: unknown) => err)
    expect(refusal).toBeInstanceOf(ModelRemoteError)
    expect(refusal).toMatchObject({ status: 403, code: 'not_allowed', retryable: false, message: expect.stringContaining('is not shared with peer') })
    expect(anthropic.requests.length).toBe(before)
    expect(callerUsage('claude', 'guest')?.requests.denied).toBe(1)
    // office stays a good node for guest: its next request to office is answered
    expect(officeSetAside(guest)).toBe(false)
    openai.reply = () => replies.answer('still here')
    const next = await guestClient.chat.completions.create({ model: 'office/open-gpt', ...ask })
    expect(next.choices[0].message.content).toBe('still here')
  })

  it('gives a consumer that does not know the callers field the refusal as final, without setting the node aside', async () => {
    // a consumer that predates `callers` sees the model as open to everyone and asks office
    const records = (): ReturnType<typeof guest.capabilities.entries> => guest.capabilities.entries().map(entry => ({
      ...entry,
      record: { ...entry.record, models: entry.record.models.map(({ callers, ...model }) => model) }
    }))
    const older = { config: guest.config, nodeId: guest.nodeId, libp2p: guest.libp2p, router: new Router({ libp2p: guest.libp2p, records, pinned: new Map() }) }
    const before = anthropic.requests.length
    const refusal = await chatThroughMesh(older, { model: 'office/claude', ...ask }, { signal: AbortSignal.timeout(10_000) }).catch((err: unknown) => err)
    expect(refusal).toMatchObject({ status: 403, code: 'not_allowed', message: expect.stringContaining('is not shared with peer') })
    expect(anthropic.requests.length).toBe(before)
    expect(older.router.view().find(v => v.entry.record.nodeId === 'office')?.coolingDown).toBe(false)
    expect(older.router.models('claude', 'office').map(c => c.nodeId)).toEqual(['office'])
  })

  it('counts requests by outcome and tokens per caller, cached ones included', async () => {
    const cached = completion(WHO, { content: 'cached' }, 'stop', { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 } } as any)
    openai.reply = () => ({ chunks: [JSON.stringify(cached)] })
    await homeClient.chat.completions.create({ model: 'office/open-gpt', ...ask })
    openai.reply = () => replies.textStream(['a', 'b', 'c'])
    for await (const _ of await homeClient.chat.completions.create({ model: 'office/open-gpt', ...ask, stream: true, stream_options: { include_usage: true } })) {}
    // a stream the client asked without usage: counted, but as unmetered
    openai.reply = () => ({ contentType: 'text/event-stream', chunks: [sseEvent(chunk(WHO, { content: 'x' })), sseEvent(chunk(WHO, {}, 'stop')), SSE_DONE] })
    for await (const _ of await homeClient.chat.completions.create({ model: 'office/open-gpt', ...ask, stream: true })) {}
    openai.reply = () => replies.error(400, 'bad request', 'invalid_value')
    expect((await post(home, { model: 'office/open-gpt', ...ask })).status).toBe(400)
    expect((await post(home, { model: 'office/down-gpt', ...ask })).status).toBe(502)

    const homePeer = home.peerId
    await waitFor('the last answer to be counted', () => callerUsage('down-gpt', 'home'))
    expect(callerUsage('open-gpt', 'home')).toMatchObject({
      peerId: homePeer,
      requests: { ok: 3, upstreamError: 1, failed: 0, cancelled: 0, refused: 0, denied: 0 },
      tokens: { prompt: 9 + 5, completion: 3 + 3, total: 12 + 8, cached: 4 },
      unmetered: 1
    })
    expect(callerUsage('down-gpt', 'home')?.requests).toMatchObject({ failed: 1, ok: 0 })
    // the translated answer's usage: Anthropic's input + cache read as prompt, the cache read as cached
    expect(callerUsage('claude', 'home')).toMatchObject({ requests: { ok: 1 }, tokens: { prompt: 17, completion: 2, total: 19, cached: 5 } })
    // guest's answered request to open-gpt is its own row
    expect(callerUsage('open-gpt', 'guest')?.requests.ok).toBe(1)

    const res = await fetch(`http://127.0.0.1:${office.api.port}/clawmatrix/status`, { headers: { authorization: `Bearer ${office.tokens.apiToken}` } })
    const status = await res.json() as { modelUsage: ModelUsage[] }
    expect(status.modelUsage.find(m => m.model === 'open-gpt')?.callers.map(c => c.nodeId).sort()).toEqual(['guest', 'home'])
    const printed = formatStatus(office.status())
    if (process.env.SHOW_STATUS != null) stderrWrite.call(process.stderr, printed)
    expect(printed).toMatch(/Model usage since start/)
    expect(printed).toMatch(/open-gpt .*home .*3 ok, 1 upstream error, 1 without usage .* 14 .* 6 .* 20 .* 4/)
  })

  it('shows each model\'s API, and why one is unavailable, in status and /v1/models on the serving node and its peers', async () => {
    const own = office.status().models
    expect(own.find(m => m.id === 'claude')).toMatchObject({ available: true, api: 'openai-completions', upstreamApi: 'anthropic-messages', callers: [home.peerId] })
    expect(own.find(m => m.id === 'open-gpt')).toMatchObject({ api: 'openai-completions', upstreamApi: 'openai-completions' })
    expect(own.find(m => m.id === 'open-gpt')).not.toHaveProperty('callers')
    expect(own.find(m => m.id === 'bare')).toMatchObject({ available: false, unavailableReason: expect.stringContaining('no upstream configured') })
    const seen = home.peers().find(p => p.nodeId === 'office')?.models
    expect(seen?.find(m => m.id === 'claude')).toMatchObject({ upstreamApi: 'anthropic-messages', callers: [home.peerId] })
    expect(seen?.find(m => m.id === 'bare')?.unavailableReason).toContain('no upstream configured')
    const printed = formatStatus(office.status())
    expect(printed).toContain('anthropic-messages → openai-completions')
    expect(printed).toMatch(/bare .*│ unavailable /)
    expect(printed).toContain('\n  bare: no upstream configured')
    expect(formatStatus(guest.status())).toContain('claude (not shared)')

    const homeList = (await homeClient.models.list()).data as any[]
    const byId = (list: any[], id: string): any => list.find(m => m.id === id)
    expect(byId(homeList, 'office/claude')).toMatchObject({ api: 'openai-completions', available: true, nodes: [{ nodeId: 'office', upstreamApi: 'anthropic-messages' }] })
    expect(byId(homeList, 'bare')).toMatchObject({ available: false, nodes: [], unavailable: [{ nodeId: 'office', reason: expect.stringContaining('no upstream configured') }] })
    const guestList = (await guestClient.models.list()).data as any[]
    expect(byId(guestList, 'office/claude')).toMatchObject({ available: false, unavailable: [{ nodeId: 'office', upstreamApi: 'anthropic-messages', reason: expect.stringContaining('not shared with this node') }] })
    expect(byId(guestList, 'claude')).toMatchObject({ available: true, nodes: [{ nodeId: 'hub' }] })
  })

  it('never lets a key or auth header out: not in status, records, error answers, logs or start-up warnings', async () => {
    const errors = await Promise.all([
      post(home, { model: 'office/down-gpt', ...ask }),
      post(home, { model: 'office/leaky-error', ...ask }),
      post(home, { model: 'office/leaky-reason', ...ask }),
      post(guest, { model: 'office/claude', ...ask })
    ])
    expect(errors.map(e => e.status)).toEqual([502, 502, 404, 403])
    for (const e of errors) expectNoSecret('an error answer', e.text)
    expect(JSON.parse(errors[1].text).error.message).toContain('[redacted]')
    // an upstream that quotes the key it refused
    openai.reply = () => replies.error(401, `Incorrect API key provided: ${API_KEY} (header ${HEADER_VALUE})`, 'invalid_api_key', 'authentication_error')
    const quoted = await post(home, { model: 'office/open-gpt', ...ask })
    expect(quoted.status).toBe(401)
    expectNoSecret('an upstream error answer', quoted.text)
    expect(JSON.parse(quoted.text).error).toMatchObject({ code: 'invalid_api_key', message: 'Incorrect API key provided: [redacted] (header [redacted])' })
    // the refusal on the serving node itself, asked directly
    const body = new TextEncoder().encode(JSON.stringify({ model: 'leaky-reason', ...ask }))
    const refusal = await home.libp2p.services.model.chat(office.libp2p.peerId, 'leaky-reason', body, { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => err)
    expect(refusal).toMatchObject({ code: 'model_unavailable', message: expect.stringContaining('[redacted]') })
    expectNoSecret('a refusal', (refusal as Error).message)

    const leaky = office.status().models.find(m => m.id === 'leaky-reason')
    expect(leaky?.unavailableReason).toContain('[redacted]')
    for (const node of [office, home, guest]) {
      expectNoSecret(`${node.nodeId}'s status`, JSON.stringify(node.status()))
      const res = await fetch(`http://127.0.0.1:${node.api.port}/clawmatrix/status`, { headers: { authorization: `Bearer ${node.tokens.apiToken}` } })
      expectNoSecret(`${node.nodeId}'s HTTP status`, await res.text())
      const models = await fetch(`http://127.0.0.1:${node.api.port}/v1/models`, { headers: { authorization: `Bearer ${node.tokens.apiToken}` } })
      expectNoSecret(`${node.nodeId}'s /v1/models`, await models.text())
      expectNoSecret(`${node.nodeId}'s printed status`, formatStatus(node.status()))
    }
    const envelope = home.capabilities.table.get(office.peerId)?.envelope
    expect(envelope?.byteLength).toBeGreaterThan(0)
    expectNoSecret('the announced record', Buffer.from(envelope ?? []).toString('latin1'))
    expect(warnings.some(w => w.includes('leaky-reason'))).toBe(true)
    for (const warning of warnings) expectNoSecret('a start-up warning', warning)
    const log = logs.join('')
    expect(log).toMatch(/refused: model "leaky-reason" on node office is unavailable: .*\[redacted\]/)
    expectNoSecret('the debug log', log)
  })
})
