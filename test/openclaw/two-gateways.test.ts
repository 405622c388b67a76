import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from './helpers/commands.js'
import { gatewayConfig, providerEntry, UNSERVABLE_API, UNSERVABLE_PROVIDER, USERS_OWN_PROVIDER } from './helpers/configs.js'
import { answerFor, FAKE_API_KEY, FAKE_MODEL, FAKE_PROVIDER, fakeProviderConfig, markersIn, startFakeModel } from './helpers/fake-model.js'
import { Gateway } from './helpers/gateway.js'
import { completion, measureLatency } from './helpers/latency.js'
import { freeGatewayPort, freePort, GATEWAY_PORT_SPAN } from './helpers/ports.js'
import { ANTHROPIC_KEY, RESPONSES_KEY, TOOL_WORD, nativeMarkers, startFakeClaude, startFakeResponsesModel, toolResults } from './helpers/native-fakes.js'
import { installOpenClaw, packPlugin } from './helpers/setup.js'
import type { FakeAnthropic } from '../helpers/fake-anthropic.js'
import type { FakeResponses } from '../helpers/fake-openai-responses.js'
import type { FakeUpstream } from './helpers/fake-model.js'
import type { CommandResult } from './helpers/commands.js'

const SECRET = 'e2e-cluster-secret-0123456789'
/** the Claude model alpha shares from OpenClaw's built-in anthropic provider */
const CLAUDE_MODEL = 'claude-sonnet-4-5'
const CLAUDE_SHARED_ID = 'claude-e2e'
const RESPONSES_MODEL = 'responses-model'
const TOOL_NOTE = 'MARK-notefromfile the tool read this line'
const MESH_TIMEOUT_MS = 180_000
/** raw model calls are cheap: more samples for a steadier median */
const RAW_SAMPLES = 20
/** what OpenClaw itself leaves in /tmp whatever TMPDIR says */
const OPENCLAW_TMP_LEFTOVERS = ['/tmp/openclaw', `/tmp/openclaw-state-locks-${process.getuid?.() ?? 0}`]

const started = Date.now()
function progress (message: string): void {
  console.log(`[openclaw e2e +${Math.round((Date.now() - started) / 1000)} s] ${message}`)
}

function peerNamed (status: any, nodeId: string): any {
  return (status?.peers ?? []).find((peer: any) => peer.nodeId === nodeId)
}

describe('the packed plugin on two real OpenClaw gateways', () => {
  let workDir: string
  let fake: FakeUpstream
  let claude: FakeAnthropic
  let responses: FakeResponses
  let toolFile: string
  let alpha: Gateway
  let beta: Gateway
  let statusBeforeStart: CommandResult
  let alphaProxyPort: number
  let betaProxyPort: number
  const timings: Record<string, number | string> = {}

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'clawmatrix-openclaw-e2e-'))
    progress('installing openclaw')
    const install = await installOpenClaw()
    progress('packing the plugin')
    timings['openclaw install'] = install.reused ? `${install.ms} ms (already installed)` : `${install.ms} ms`
    const packed = await packPlugin(workDir)
    timings['npm pack (with build)'] = packed.ms
    fake = await startFakeModel()
    // a relative path: the agent's file tools work inside its workspace
    toolFile = 'clawmatrix-tool-note.txt'
    claude = await startFakeClaude(toolFile)
    responses = await startFakeResponsesModel()

    const alphaPort = await freeGatewayPort([])
    const betaPort = await freeGatewayPort([[alphaPort, alphaPort + GATEWAY_PORT_SPAN]])
    const taken: Array<[number, number]> = [[alphaPort, alphaPort + GATEWAY_PORT_SPAN], [betaPort, betaPort + GATEWAY_PORT_SPAN]]
    const meshPort = await freePort(taken)
    alphaProxyPort = await freePort([...taken, [meshPort, meshPort]])
    betaProxyPort = await freePort([...taken, [meshPort, meshPort], [alphaProxyPort, alphaProxyPort]])

    const npmCache = join(workDir, 'npm-cache')
    // alpha's key for the built-in anthropic provider, set the way a user sets it
    alpha = new Gateway({ name: 'alpha', dir: join(workDir, 'alpha'), npmCache, port: alphaPort, openclawBin: install.bin, env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY } })
    beta = new Gateway({ name: 'beta', dir: join(workDir, 'beta'), npmCache, port: betaPort, openclawBin: install.bin })
    await alpha.writeConfig(gatewayConfig(alpha, {
      models: {
        mode: 'merge',
        providers: {
          [FAKE_PROVIDER]: fakeProviderConfig(fake.baseUrl),
          // the built-in provider keeps its catalog and auth; only its endpoint moves to the fake
          anthropic: { baseUrl: claude.baseUrl, api: 'anthropic-messages', models: [] },
          responses: providerEntry({ baseUrl: responses.baseUrl, apiKey: RESPONSES_KEY, api: 'openai-responses', model: RESPONSES_MODEL }),
          unservable: UNSERVABLE_PROVIDER
        }
      },
      agents: { defaults: { model: { primary: `${FAKE_PROVIDER}/${FAKE_MODEL}` } } }
    }))
    await beta.writeConfig(gatewayConfig(beta, {
      models: { mode: 'merge', providers: { clawmatrix: USERS_OWN_PROVIDER } },
      // beta's own agent thinks with the model alpha shares
      agents: { defaults: { model: { primary: `alpha/${FAKE_MODEL}` } } }
    }))

    await mkdir(join(beta.stateDir, 'workspace'), { recursive: true })
    await writeFile(join(beta.stateDir, 'workspace', toolFile), `${TOOL_NOTE}\n`)

    progress('installing the plugin on both gateways')
    // one after the other: the second install finds the dependencies in the shared npm cache.
    // npm-pack: installs the tarball as OpenClaw installs a package from the npm registry (its own npm project)
    for (const gateway of [alpha, beta]) {
      const installed = await gateway.cliOk(['plugins', 'install', `npm-pack:${packed.tarball}`, '--force', '--accept-capabilities'])
      timings[`plugins install on ${gateway.name}`] = installed.ms
    }

    await alpha.editConfig(config => {
      config.plugins.entries.clawmatrix.config = {
        nodeId: 'alpha',
        secret: SECRET,
        listen: true,
        listenHost: '127.0.0.1',
        listenPort: meshPort,
        proxyPort: alphaProxyPort,
        tags: ['hub'],
        models: [
          { id: FAKE_MODEL, provider: FAKE_PROVIDER, description: 'the fake model behind alpha' },
          { id: CLAUDE_SHARED_ID, provider: 'anthropic', model: CLAUDE_MODEL, description: 'Claude from the built-in provider' },
          { id: RESPONSES_MODEL, provider: 'responses' },
          { id: 'unservable-model', provider: 'unservable' }
        ],
        agents: [{ id: 'main', description: 'alpha\'s default agent', tags: ['e2e'] }],
        toolProxy: { enabled: true, allow: ['exec', 'read', 'write'] }
      }
    })
    await beta.editConfig(config => {
      config.plugins.entries.clawmatrix.config = {
        nodeId: 'beta',
        secret: SECRET,
        peers: [{ nodeId: 'alpha', url: `ws://127.0.0.1:${meshPort}` }],
        proxyPort: betaProxyPort,
        agents: [{ id: 'main', description: 'beta\'s default agent' }],
        proxyModels: [
          { id: FAKE_MODEL, nodeId: 'alpha' },
          { id: FAKE_MODEL },
          { id: CLAUDE_SHARED_ID, nodeId: 'alpha', contextWindow: 200000, maxTokens: 8192 },
          { id: RESPONSES_MODEL, nodeId: 'alpha' }
        ]
      }
    })

    progress('starting the gateways')
    const alphaStarted = alpha.start()
    statusBeforeStart = await beta.cli(['clawmatrix', 'status'])
    await Promise.all([alphaStarted, beta.start()])

    progress('waiting for the mesh')
    await waitFor('beta to see alpha connected, serving the fake model', async () => {
      const peer = peerNamed(await beta.call('clawmatrix.status'), 'alpha')
      return peer?.connected === true && peer.models.some((m: any) => m.id === FAKE_MODEL && m.available === true) ? peer : undefined
    }, { timeoutMs: MESH_TIMEOUT_MS, intervalMs: 1000 })
    progress('mesh up')
  })

  afterAll(async () => {
    for (const gateway of [alpha, beta]) {
      if (gateway != null) console.log(`${gateway.name}'s clawmatrix log lines:\n${(await gateway.logLines(/^(?!.*PluginInstanceUnavailableError)(?=.*(clawmatrix|cluster_|tool execution|retire|reload))/, 120)).filter(line => !line.includes('res \u2713')).join('\n')}`)
    }
    await Promise.allSettled([alpha?.stop(), beta?.stop()])
    await fake?.close()
    await claude?.close()
    await responses?.close()
    // a stopped gateway's helpers can still be finishing writes for a moment: retry
    if (workDir != null) await rm(workDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 })
    for (const leftover of OPENCLAW_TMP_LEFTOVERS) await rm(leftover, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 })
    console.log('install and start-up times:', timings)
  })

  it('says the gateway cannot be reached while it is not running', () => {
    expect(statusBeforeStart.stdout).toContain('Could not reach gateway. Is it running?')
    expect(statusBeforeStart.code).not.toBe(0)
  })

  it('installs as from the npm registry, without a model library of its own (it uses the gateway\'s)', async () => {
    const projects = join(alpha.stateDir, 'npm', 'projects')
    const installed = (await readdir(projects)).map(project => join(projects, project, 'node_modules'))
    const withPlugin = installed.filter(modules => existsSync(join(modules, 'clawmatrix', 'package.json')))
    expect(withPlugin, `npm projects: ${installed.join(', ')}`).toHaveLength(1)
    expect(existsSync(join(withPlugin[0], '@openclaw', 'ai'))).toBe(false)
  })

  it('lists alpha as connected in beta\'s clawmatrix.status', async () => {
    const status = await beta.call('clawmatrix.status')
    expect(status.nodeId).toBe('beta')
    const peer = peerNamed(status, 'alpha')
    expect(peer).toMatchObject({ connected: true, standing: 'ok', tags: ['hub'], toolProxy: true })
    expect(peer.agents.map((a: any) => a.id)).toContain('main')
    const peers = await beta.call('clawmatrix.peers')
    expect(peers.map((p: any) => p.nodeId)).toContain('alpha')
  })

  it('answers an agent turn on beta with model alpha/fake-model from the fake model behind alpha', async () => {
    await waitFor('beta\'s provider "alpha" in openclaw.json', async () => (await beta.readConfig()).models?.providers?.alpha, { timeoutMs: 60_000 })
    const owned = JSON.parse(await readFile(join(beta.stateDir, 'clawmatrix', 'openclaw-providers.json'), 'utf8'))
    expect(owned.providers).toContain('alpha')

    const marker = 'MARK-chat1'
    const answer = await waitFor('a chat answer through the mesh', async () => {
      const reply = await beta.chat(`alpha/${FAKE_MODEL}`, `Say something about ${marker}`)
      return reply.status === 200 ? reply.body : undefined
    }, { timeoutMs: 90_000, intervalMs: 2000 })
    expect(answer.choices[0].message.content).toContain(answerFor(marker))

    const served = fake.requests.filter(request => markersIn(request).includes(marker))
    expect(served.length).toBeGreaterThan(0)
    // only alpha holds this key: the request went beta -> mesh -> alpha's provider config -> fake model
    expect(served.at(-1)?.headers.authorization).toBe(`Bearer ${FAKE_API_KEY}`)
    expect(served.at(-1)?.body.model).toBe(FAKE_MODEL)
  })

  it('never overwrites a provider it did not create, and says so in the log', async () => {
    const providers = (await beta.readConfig()).models.providers
    expect(providers.clawmatrix).toEqual(USERS_OWN_PROVIDER)
    const owned = JSON.parse(await readFile(join(beta.stateDir, 'clawmatrix', 'openclaw-providers.json'), 'utf8'))
    expect(owned.providers).toEqual(['alpha'])
    expect((await beta.logLines('models.providers.clawmatrix exists')).length).toBeGreaterThan(0)
  })

  it('answers an agent turn on beta with Claude from alpha\'s built-in anthropic provider, through one tool call', async () => {
    await waitFor('beta\'s provider "alpha" to list the shared Claude', async () =>
      (await beta.readConfig()).models?.providers?.alpha?.models?.some((m: any) => m.id === CLAUDE_SHARED_ID) === true ? true : undefined, { timeoutMs: 90_000 })
    const marker = 'MARK-claudetool1'
    const answer = await waitFor('an agent turn with alpha/claude-e2e', async () => {
      const reply = await beta.chat(`alpha/${CLAUDE_SHARED_ID}`, `Please ${TOOL_WORD} to read ${toolFile}, then report ${marker}`)
      if (reply.status !== 200) console.log(`agent turn with alpha/${CLAUDE_SHARED_ID}: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 500)}`)
      return reply.status === 200 ? reply.body : undefined
    }, { timeoutMs: 120_000, intervalMs: 3000 })
    const text: string = answer.choices[0].message.content
    expect(text).toContain(answerFor(marker))

    const asked = claude.requests.filter(request => nativeMarkers(request.body).includes(marker))
    // the key alpha's gateway holds, never anything of beta's, and the model's own id
    expect(asked[0]?.headers['x-api-key']).toBe(ANTHROPIC_KEY)
    expect(asked[0]?.body.model).toBe(CLAUDE_MODEL)
    // the tool call went back to beta's agent, which ran it and sent its result in the next turn
    expect(asked.length, `requests with ${marker}: ${JSON.stringify(asked.map(r => r.body.messages?.map((m: any) => m.role)))}`).toBeGreaterThanOrEqual(2)
    // the follow-up replays the tool call and carries its result under the same id
    const followUp = asked.at(-1)!
    const replayed = followUp.body.messages.flatMap((m: any) => Array.isArray(m.content) ? m.content : []).find((block: any) => block.type === 'tool_use')
    expect(replayed).toMatchObject({ name: 'read', input: { path: toolFile } })
    const [result] = toolResults(followUp)
    expect(result.id).toBe(replayed.id)
    expect(result.text).toContain('MARK-notefromfile')
    expect(text).toContain('MARK-notefromfile')
  })

  it('answers an agent turn on beta with a model of alpha\'s openai-responses provider', async () => {
    await waitFor('beta\'s provider "alpha" to list the responses model', async () =>
      (await beta.readConfig()).models?.providers?.alpha?.models?.some((m: any) => m.id === RESPONSES_MODEL) === true ? true : undefined, { timeoutMs: 90_000 })
    const marker = 'MARK-responses1'
    const answer = await waitFor('an agent turn with alpha/responses-model', async () => {
      const reply = await beta.chat(`alpha/${RESPONSES_MODEL}`, `Say something about ${marker}`)
      if (reply.status !== 200) console.log(`agent turn with alpha/${RESPONSES_MODEL}: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 500)}`)
      return reply.status === 200 ? reply.body : undefined
    }, { timeoutMs: 120_000, intervalMs: 3000 })
    expect(answer.choices[0].message.content).toContain(answerFor(marker))
    const asked = responses.requests.filter(request => nativeMarkers(request.body).includes(marker))
    expect(asked.at(-1)?.headers.authorization).toBe(`Bearer ${RESPONSES_KEY}`)
  })

  it('shows each shared model\'s metadata and availability, and refuses a model whose api the gateway cannot serve, naming the api', async () => {
    const own = await alpha.call('clawmatrix.status')
    const models = new Map<string, any>(own.models.map((m: any) => [m.id, m]))
    expect(models.get(CLAUDE_SHARED_ID)).toMatchObject({ available: true, upstreamApi: 'anthropic-messages' })
    // what models[] does not say comes from the gateway: here the provider's model card
    expect(models.get(RESPONSES_MODEL)).toMatchObject({ available: true, upstreamApi: 'openai-responses', contextWindow: 128000, maxTokens: 4096 })

    const token = (await readFile(join(beta.stateDir, 'clawmatrix', 'api-token'), 'utf8')).trim()
    const res = await fetch(`http://127.0.0.1:${betaProxyPort}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'alpha/unservable-model', messages: [{ role: 'user', content: 'hi' }] }),
      signal: AbortSignal.timeout(60_000)
    })
    const body: any = await res.json()
    console.log(`a model whose api is ${UNSERVABLE_API}: HTTP ${res.status} ${JSON.stringify(body)}; alpha's status: ${JSON.stringify(models.get('unservable-model'))}`)
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(600)
    expect(body.error.message).toContain(UNSERVABLE_API)
    expect(body.error.code).not.toBe('unsupported_provider_api')
  })

  it('runs cluster_exec from beta on alpha and returns its output', async () => {
    const result = await beta.invokeTool('cluster_exec', { node: 'alpha', command: 'echo "MARK-exec on $HOME"' })
    const text = result.content.map((part: any) => part.text).join('')
    expect(text).toContain(`MARK-exec on ${alpha.home}`)
    expect(text.split('MARK-exec')).toHaveLength(2)
    expect(result.details).toMatchObject({ nodeId: 'alpha', exitCode: 0 })
  })

  it('waits for a cluster_exec that outlasts OpenClaw\'s 10 s backgrounding, and gets all its output', async () => {
    const result = await beta.invokeTool('cluster_exec', { node: 'alpha', command: 'echo MARK-long-start; sleep 11; echo MARK-long-end; exit 3', timeout: 60 })
    const text = result.content.map((part: any) => part.text).join('')
    expect(text).toContain('MARK-long-start')
    expect(text).toContain('MARK-long-end')
    expect(result.details).toMatchObject({ nodeId: 'alpha', exitCode: 3 })
  })

  it('returns alpha\'s agent reply from cluster_handoff', async () => {
    const marker = 'MARK-handoff1'
    const result = await beta.invokeTool('cluster_handoff', { target: 'main', task: `Handle ${marker} please` })
    const text = result.content.map((part: any) => part.text).join('')
    expect(text).toContain(answerFor(marker))
    expect(result.details).toMatchObject({ nodeId: 'alpha', agent: 'main' })
    const asked = fake.requests.filter(request => markersIn(request).includes(marker))
    expect(asked.at(-1)?.headers.authorization).toBe(`Bearer ${FAKE_API_KEY}`)
  })

  it('acknowledges cluster_send, and alpha\'s agent gets the message', async () => {
    const marker = 'MARK-send1'
    // a send that fails never reached an agent (it fails only when no stream could be opened), so a
    // caller may try again; a gateway busy with its own work can miss the 5 s stream deadline
    const failures: string[] = []
    const result = await waitFor<any>('cluster_send to be acknowledged', async () => {
      try {
        return await beta.invokeTool('cluster_send', { target: 'main', message: `A note: ${marker}` })
      } catch (err: any) {
        failures.push(`${new Date().toISOString()} ${String(err.message)}; beta sees alpha as ${JSON.stringify(peerNamed(await beta.call('clawmatrix.status'), 'alpha'))}`)
        return undefined
      }
    }, { timeoutMs: 90_000, intervalMs: 2000 })
    if (failures.length > 0) console.log(`cluster_send needed ${failures.length + 1} tries:\n${failures.join('\n')}`)
    expect(result.details).toMatchObject({ accepted: true, nodeId: 'alpha', agent: 'main' })
    await waitFor('alpha\'s agent to take the message to its model', async () =>
      fake.requests.some(request => markersIn(request).includes(marker)) ? true : undefined, { timeoutMs: 60_000 })
  })

  it('hands a task from alpha to beta\'s agent, which answers with the model it uses through the mesh', async () => {
    const marker = 'MARK-reverse1'
    const result = await alpha.invokeTool('cluster_handoff', { target: 'beta', task: `Reverse ${marker}` })
    const text = result.content.map((part: any) => part.text).join('')
    expect(text).toContain(answerFor(marker))
    expect(result.details).toMatchObject({ nodeId: 'beta', agent: 'main' })
  })

  it('prints alpha in `openclaw clawmatrix status` on beta', async () => {
    const result = await beta.cliOk(['clawmatrix', 'status'])
    expect(result.stdout).toMatch(/Node:\s+beta/)
    expect(result.stdout).toContain('alpha')
  })

  it('checks beta in `openclaw clawmatrix doctor`: the plugin config, the running node and alpha step by step', async () => {
    const result = await beta.cli(['clawmatrix', 'doctor', '--json'])
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{\n'))) as { ok: boolean, checks: Array<{ name: string, status: string, message: string }> }
    const check = (name: string): { name: string, status: string, message: string } | undefined => report.checks.find(c => c.name === name)
    expect(check('config')).toMatchObject({ status: 'ok', message: 'plugins.entries.clawmatrix.config is valid (node id beta)' })
    expect(check('data dir')).toMatchObject({ status: 'ok', message: `${join(beta.stateDir, 'clawmatrix')} is writable` })
    expect(check('api port')).toMatchObject({ status: 'ok', message: `127.0.0.1:${betaProxyPort} is held by this node (beta, running)` })
    for (const step of ['resolve', 'tcp', 'websocket', 'pnet', 'members']) expect(check(`peer alpha: ${step}`)).toMatchObject({ status: 'ok' })
    expect(check('peer alpha: peer ID')).toMatchObject({ status: 'warn', message: expect.stringContaining('not pinned') })
    expect(check('live alpha')).toMatchObject({ status: 'ok', message: expect.stringMatching(/^connected \(direct/) })
    expect(report.ok).toBe(true)
    expect(result.code).toBe(0)
  })

  it('serves GET /metrics on beta\'s node port: the model requests its agent turns sent through the mesh, and libp2p\'s own series', async () => {
    const token = (await readFile(join(beta.stateDir, 'clawmatrix', 'api-token'), 'utf8')).trim()
    expect((await fetch(`http://127.0.0.1:${betaProxyPort}/metrics`)).status).toBe(401)
    const res = await fetch(`http://127.0.0.1:${betaProxyPort}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toMatch(/^clawmatrix_model_requests_total\{(?=[^}]*path="direct")(?=[^}]*status="200")[^}]*\} [1-9]/m)
    expect(text).toMatch(/^libp2p_connection_manager_connections\{[^}]*\} [1-9]/m)
  })

  it('measures a model call through the mesh against the same call on alpha alone', async () => {
    const meshed = await measureLatency(async i => {
      const reply = await beta.chat(`alpha/${FAKE_MODEL}`, `latency MARK-meshed${i}`)
      expect(reply.status).toBe(200)
    })
    const local = await measureLatency(async i => {
      const reply = await alpha.chat(`${FAKE_PROVIDER}/${FAKE_MODEL}`, `latency MARK-local${i}`)
      expect(reply.status).toBe(200)
    })
    console.log(`agent turn latency, median of ${meshed.samples.length}: beta -> mesh -> alpha ${meshed.medianMs} ms; alpha alone ${local.medianMs} ms; mesh adds ${meshed.medianMs - local.medianMs} ms`)

    // the same model call without the agent turn around it: the nodes' own proxies, and the model itself
    const token = async (gateway: Gateway): Promise<string> => (await readFile(join(gateway.stateDir, 'clawmatrix', 'api-token'), 'utf8')).trim()
    const [betaToken, alphaToken] = await Promise.all([token(beta), token(alpha)])
    const viaMesh = await measureLatency(async i => { await completion(`http://127.0.0.1:${betaProxyPort}/v1`, betaToken, `alpha/${FAKE_MODEL}`, `raw MARK-rawmesh${i}`) }, RAW_SAMPLES)
    const onAlpha = await measureLatency(async i => { await completion(`http://127.0.0.1:${alphaProxyPort}/v1`, alphaToken, FAKE_MODEL, `raw MARK-rawlocal${i}`) }, RAW_SAMPLES)
    const direct = await measureLatency(async i => { await completion(fake.baseUrl, FAKE_API_KEY, FAKE_MODEL, `raw MARK-direct${i}`) }, RAW_SAMPLES)
    console.log(`raw model call, median: beta's proxy -> mesh -> alpha ${viaMesh.medianMs} ms; alpha's proxy ${onAlpha.medianMs} ms; the model directly ${direct.medianMs} ms`)
    Object.assign(timings, {
      'agent turn via mesh (median ms)': meshed.medianMs,
      'agent turn on alpha alone (median ms)': local.medianMs,
      'raw call via beta proxy + mesh (median ms)': viaMesh.medianMs,
      'raw call via alpha proxy (median ms)': onAlpha.medianMs,
      'raw call to the model (median ms)': direct.medianMs
    })
  })

  it('restarts alpha\'s node on a config change, on the same ports (the old node released them)', async () => {
    await alpha.cliOk(['config', 'set', 'plugins.entries.clawmatrix.config.tags', '["hub","restarted"]', '--strict-json'])
    const status = await waitFor('alpha\'s node to come back with the new tag', async () => {
      const own = await alpha.call('clawmatrix.status')
      return own.tags?.includes('restarted') === true ? own : undefined
    }, { timeoutMs: MESH_TIMEOUT_MS, intervalMs: 1000 })
    expect(status.proxyPort).toBe(alphaProxyPort)
    await waitFor('beta to see the restarted alpha', async () => {
      const peer = peerNamed(await beta.call('clawmatrix.status'), 'alpha')
      return peer?.connected === true && peer.tags.includes('restarted') ? peer : undefined
    }, { timeoutMs: MESH_TIMEOUT_MS, intervalMs: 1000 })
    expect((await alpha.logLines('clawmatrix: stopping the node')).length).toBeGreaterThan(0)
  })
})
