import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/resolve.js'
import { ConfigError } from '../../src/config/errors.js'

function problems (input: unknown): string[] {
  try {
    resolveConfig(input)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

const PEER = '12D3KooWGRUVh2VyUtaz5mMkAYcbhYs1v3U7mzCdd2TbRRbbqmFx'

describe('config', () => {
  it('fills in the seed defaults and the host name', () => {
    const config = resolveConfig({})
    expect(config).toMatchObject({
      listen: false, listenHost: '0.0.0.0', listenPort: 19000, peers: [], agents: [], models: [], proxyModels: [], tags: [],
      proxyPort: 19001, proxyHost: '127.0.0.1', handoffTimeout: 600_000,
      toolProxy: { enabled: false, allow: [], deny: [], maxOutputBytes: 1_048_576 },
      relay: { maxReservations: 128 }
    })
    expect(config.nodeId.length).toBeGreaterThan(0)
    expect(config.dataDir).toContain(config.nodeId)
  })

  it('accepts ws, wss and multiaddr peer urls, with or without /p2p/', () => {
    expect(problems({ peers: [
      { nodeId: 'hub', url: 'ws://example.org:19000' },
      { url: 'wss://example.org' },
      { url: '/ip4/10.0.0.1/tcp/19000/ws' },
      { nodeId: 'x', url: `/dns/hub.example/tcp/443/tls/ws/p2p/${PEER}` },
      { nodeId: 'y', url: '/ip4/10.0.0.2/tcp/19000/ws', peerId: PEER }
    ] })).toEqual([])
  })

  it.each([
    [{ secret: 'short' }, 'secret: must be at least 16 characters'],
    [{ secret: 12345678901234567 }, 'secret: must be a string'],
    [{ listenPort: 70000 }, 'listenPort: must be between 0 and 65535'],
    [{ listenPort: 1.5 }, 'listenPort: must be a whole number'],
    [{ listen: 'yes' }, 'listen: must be a boolean'],
    [{ nodeId: 'a/b' }, 'nodeId: may only hold letters, digits and . _ : @ -'],
    [{ nodeId: '' }, 'nodeId: must not be empty'],
    [{ secrt: 'typo-typo-typo-typo' }, 'secrt: unknown field'],
    [{ toolProxy: { enable: true } }, 'toolProxy.enable: unknown field'],
    [{ toolProxy: { maxOutputBytes: 0 } }, 'toolProxy.maxOutputBytes: must be greater than 0'],
    [{ relay: { maxReservations: 0 } }, 'relay.maxReservations: must be greater than 0'],
    [{ relay: { maxReservations: 5000 } }, 'relay.maxReservations: must be at most 4096'],
    [{ relay: { maxReservations: 2.5 } }, 'relay.maxReservations: must be a whole number'],
    [{ relay: { slots: 2 } }, 'relay.slots: unknown field'],
    [{ peers: [{ nodeId: 'hub' }] }, 'peers[0].url: is required'],
    [{ peers: [{ url: 'http://x:1' }] }, 'peers[0].url: "http://x:1" must be ws://host:port, wss://host:port or a multiaddr'],
    [{ peers: [{ url: '/ip4/999.1.1.1/tcp/1/ws' }] }, 'peers[0].url: "/ip4/999.1.1.1/tcp/1/ws" is not a valid multiaddr'],
    [{ peers: [{ url: 'ws://x:1', peerId: 'nope' }] }, 'peers[0].peerId: must be a base58 peer ID (12D3KooW...)'],
    [{ peers: [{ url: `/ip4/1.2.3.4/tcp/1/ws/p2p/${PEER}`, peerId: '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE' }] }, 'peers[0].url: the /p2p/ part'],
    [{ members: ['not-a-peer'] }, 'members[0]: must be a base58 peer ID (12D3KooW...)'],
    [{ agents: [{ description: 'x' }] }, 'agents[0].id: is required'],
    [{ agents: [{ id: 'a' }, { id: 'a' }] }, 'agents[1].id: "a" is listed twice'],
    [{ agents: [{ id: 'a', command: [] }] }, 'agents[0].command: must hold at least the program to run'],
    [{ models: [{ id: 'm', upstream: { baseUrl: 'http://x/api' } }] }, 'models[0].upstream.baseUrl: must end in /v1'],
    [{ models: [{ id: 'm', upstream: { api: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'k' } }] },
      'models[0].upstream.api: must be one of "openai-completions", "anthropic-messages", "openai-responses", "google-generative-ai", "mistral-conversations"'],
    [{ models: [{ id: 'm', upstream: { api: 'openai-responses', baseUrl: 'https://api.openai.com', apiKey: 'k' } }] }, 'models[0].upstream.baseUrl: must end in /v1 for api "openai-responses"'],
    [{ models: [{ id: 'm', upstream: { api: 'anthropic-messages', baseUrl: 'https://api.anthropic.com' } }] }, 'models[0].upstream.apiKey: is required for api "anthropic-messages"'],
    [{ models: [{ id: 'm', upstream: { baseUrl: 'http://x/v1', headers: { 'x-a': 1 } } }] }, 'models[0].upstream.headers.x-a: must be a string'],
    [{ models: [{ id: 'm', input: ['audio'] }] }, 'models[0].input[0]: must be "text" or "image"'],
    [{ models: [{ id: 'm', peers: Array.from({ length: 65 }, (_, i) => `node-${i}`) }] }, 'models[0].peers: must hold at most 64 entries'],
    [{ models: [{ id: 'm', peers: [''] }] }, 'models[0].peers[0]:'],
    [{ proxyModels: [{ id: 'm', nodeId: 'a/b' }] }, 'proxyModels[0].nodeId: may only hold letters, digits and . _ : @ -'],
    [{ proxyHost: '0.0.0.0' }, 'proxyHost: "0.0.0.0" is not a loopback address; set proxyAllowRemote: true to expose the API'],
    [{ listen: true, holePunchPort: 19003 }, 'holePunchPort: only for a dial-out node'],
    [{ tcpPort: 19003, holePunchPort: 19003 }, 'holePunchPort: must differ from tcpPort (19003)'],
    [{ holePunchPort: 0 }, 'holePunchPort: must be between 1 and 65535'],
    [{ discovery: { mdns: 'yes' } }, 'discovery.mdns:'],
    [{ discovery: { dht: true } }, 'discovery.dht: unknown field'],
    [{ apiToken: '' }, 'apiToken: must not be empty'],
    [{ tags: 'gpu' }, 'tags: must be an array']
  ])('%j → %s', (input, expected) => {
    const found = problems(input)
    expect(found.some(p => p.startsWith(expected)), `got: ${found.join(' | ')}`).toBe(true)
  })

  it('takes membership "open" by default and needs admins with "certificates"', () => {
    expect(resolveConfig({}).membership).toBe('open')
    expect(problems({ membership: 'certificates' })).toEqual([expect.stringMatching(/^admins: required with membership "certificates"/)])
    expect(problems({ membership: 'certificates', admins: [] })).toEqual([expect.stringMatching(/^admins: required/)])
    expect(problems({ membership: 'certificates', admins: [PEER] })).toEqual([])
    expect(problems({ membership: 'invite-only' })).toEqual(['membership: must be "open" or "certificates"'])
    expect(problems({ admins: ['bob'] })).toEqual(['admins[0]: must be a base58 peer ID (12D3KooW...)'])
  })

  it('reports every problem at once, naming each field', () => {
    const found = problems({ secret: 'x', listenPort: -1, bogus: 1 })
    expect(found).toHaveLength(3)
  })

  it('takes an Anthropic base URL with or without /v1, and defaults upstream.api to openai-completions', () => {
    expect(problems({ models: [
      { id: 'a', upstream: { api: 'anthropic-messages', baseUrl: 'https://api.anthropic.com', apiKey: 'k' } },
      { id: 'b', upstream: { api: 'anthropic-messages', baseUrl: 'https://api.anthropic.com/v1', apiKey: 'k', headers: { 'anthropic-beta': 'x' } } },
      { id: 'c', upstream: { api: 'google-generative-ai', baseUrl: 'https://generativelanguage.googleapis.com/v1beta', apiKey: 'k' } }
    ] })).toEqual([])
    const [model] = resolveConfig({ models: [{ id: 'm', upstream: { baseUrl: 'http://x/v1' } }] }).models
    expect(model.upstream).toMatchObject({ api: 'openai-completions', allowImageUrls: false })
  })

  it('allows a non-loopback API bind only with the explicit opt-in', () => {
    expect(problems({ proxyHost: '0.0.0.0', proxyAllowRemote: true })).toEqual([])
  })

  it.each([
    '127.0.0.1', '127.45.6.7', '127.255.255.255', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:2', 'localhost', 'LocalHost'
  ])('takes %s as a loopback proxyHost', host => {
    expect(problems({ proxyHost: host })).toEqual([])
  })

  it.each([
    '127.attacker.example', '127.0.0.1.nip.io', 'localhost.attacker.example', '127.1', '0.0.0.0', '::', '::ffff:10.0.0.1', '128.0.0.1', '10.0.0.1', 'example.com'
  ])('refuses %s as proxyHost without proxyAllowRemote, naming the field and the rule', host => {
    expect(problems({ proxyHost: host })).toEqual([
      `proxyHost: "${host}" is not a loopback address; set proxyAllowRemote: true to expose the API ` +
      '(loopback means an IP literal in 127.0.0.0/8, ::1 (or ::ffff:127.x.y.z), or the name localhost; any other name counts as remote)'
    ])
    expect(problems({ proxyHost: host, proxyAllowRemote: true })).toEqual([])
  })
})
