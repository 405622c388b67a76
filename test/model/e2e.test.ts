import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { runCli, startCliNode, writeConfig } from '../helpers/cli.js'
import { TEST_SECRET, removeTempDirs, startNode } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import { DEMO_MODEL_ID, startDemoModel } from '../../src/demo/demo-model.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { CliNode } from '../helpers/cli.js'
import type { TestNode } from '../helpers/mesh.js'
import type { UpstreamServer } from '../../src/demo/upstream-server.js'

/**
 * Real ClawMatrix nodes: a listening hub; "home" consumes; "office" (its own process, started by
 * the CLI) and "lab" serve the same model. Home reaches both only through the hub.
 */
describe('model plane end to end', () => {
  let officeUpstream: FakeUpstream
  let labUpstream: FakeUpstream
  let demo: UpstreamServer
  let hub: TestNode
  let home: TestNode
  let lab: TestNode
  let office: CliNode
  let client: OpenAI
  const ask = { messages: [{ role: 'user' as const, content: 'hello mesh' }] }

  const servers = (): string[] => {
    try {
      return home.router.models('gpt-e2e').map(c => c.nodeId).sort()
    } catch {
      return []
    }
  }

  beforeAll(async () => {
    officeUpstream = await startFakeUpstream(() => replies.answer('same answer'))
    labUpstream = await startFakeUpstream(() => replies.answer('same answer'))
    demo = await startDemoModel()
    hub = await startNode({ nodeId: 'hub', listen: true })
    const peers = [{ nodeId: 'hub', url: hub.dialAddr }]
    home = await startNode({ nodeId: 'home', peers })
    lab = await startNode({
      nodeId: 'lab',
      peers,
      models: [{ id: 'gpt-e2e', upstream: { baseUrl: labUpstream.baseUrl } }, { id: DEMO_MODEL_ID, upstream: { baseUrl: demo.baseUrl } }]
    })
    office = await startCliNode({
      nodeId: 'office',
      secret: TEST_SECRET,
      listenHost: '127.0.0.1',
      proxyPort: 0,
      peers,
      models: [{ id: 'gpt-e2e', upstream: { baseUrl: officeUpstream.baseUrl } }, { id: 'gpt-bare' }]
    })
    await waitFor('home to route gpt-e2e to office and lab', () => servers().join() === 'lab,office', 20_000)
    client = new OpenAI({ baseURL: `http://127.0.0.1:${home.api.port}/v1`, apiKey: home.tokens.apiToken, maxRetries: 0 })
  })

  afterAll(async () => {
    await office?.stop()
    await Promise.all([hub, home, lab].map(async n => { await n?.stop() }))
    await Promise.all([officeUpstream, labUpstream, demo].map(async u => { await u?.close() }))
    await removeTempDirs()
  })

  it('announces served models as available, and a model without upstream as unavailable', () => {
    const officeRecord = home.peers().find(p => p.nodeId === 'office')
    expect(officeRecord?.path).toBe('relayed')
    expect(officeRecord?.models).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: 'gpt-e2e', available: true }),
      expect.objectContaining({ id: 'gpt-bare', available: false })
    ]))
  })

  it('answers the official client through the hub, byte for byte', async () => {
    const expected = (replies.answer('same answer').chunks as string[])[0]
    const res = await client.chat.completions.create({ model: 'gpt-e2e', ...ask }).asResponse()
    expect(['office', 'lab']).toContain(res.headers.get('x-clawmatrix-node'))
    expect(await res.text()).toBe(expected)
  })

  it('streams tool calls from a pinned node', async () => {
    officeUpstream.reply = () => replies.toolCallStream()
    const stream = await client.chat.completions.create({ model: 'office/gpt-e2e', ...ask, stream: true })
    let args = ''
    let finish: string | null = null
    for await (const chunk of stream) {
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(JSON.parse(args)).toEqual({ city: 'Paris' })
    expect(finish).toBe('tool_calls')
    officeUpstream.reply = () => replies.answer('same answer')
  })

  it('lists every reachable model as <modelId> and <nodeId>/<modelId>', async () => {
    const data = (await client.models.list()).data as Array<{ id: string, available: boolean, unavailable?: Array<{ nodeId: string, reason: string }> }>
    const available = data.filter(m => m.available).map(m => m.id).sort()
    expect(available).toEqual([DEMO_MODEL_ID, 'gpt-e2e', `lab/${DEMO_MODEL_ID}`, 'lab/gpt-e2e', 'office/gpt-e2e'])
    // a model no node can serve is listed as unavailable, with the serving node's reason
    const bare = data.filter(m => !m.available)
    expect(bare.map(m => m.id).sort()).toEqual(['gpt-bare', 'office/gpt-bare'])
    expect(bare[0].unavailable).toEqual([expect.objectContaining({ nodeId: 'office', reason: expect.stringContaining('no upstream configured') })])
  })

  it('answers node.chat() and `clawmatrix chat` from the demo model', async () => {
    const answer = await home.chat({ model: DEMO_MODEL_ID, ...ask })
    expect(answer.choices[0].message.content).toBe('You said: "hello mesh" - 2 words, echoed back through the mesh by the ClawMatrix demo model.')
    const configFile = await writeConfig({ nodeId: 'home', proxyPort: home.api.port, dataDir: home.config.dataDir })
    const run = await runCli(['chat', DEMO_MODEL_ID, 'hello mesh', '--config', configFile])
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: `${answer.choices[0].message.content as string}\n` })
  })

  it('answers from the second node when the first was killed before the request', async () => {
    office.child.kill('SIGKILL')
    await office.stop()
    const res = await client.chat.completions.create({ model: 'gpt-e2e', ...ask }).withResponse()
    expect(res.response.headers.get('x-clawmatrix-node')).toBe('lab')
  })
})
