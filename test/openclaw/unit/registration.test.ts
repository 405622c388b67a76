import { describe, expect, it } from 'vitest'
import plugin from '../../../src/openclaw/index.js'
import { pluginManifest } from '../../../src/openclaw/manifest.js'
import type { AgentTool, OpenClawPluginApi, PluginService, RegistrationMode } from '../../../src/openclaw/openclaw-api.js'

interface Registered {
  tools: AgentTool[]
  methods: string[]
  services: PluginService[]
  cli: number
}

/** What `register` hands to OpenClaw, recorded; `runtime` throws like OpenClaw's does outside the gateway */
function recordRegistration (mode: RegistrationMode): Registered {
  const registered: Registered = { tools: [], methods: [], services: [], cli: 0 }
  const api = {
    id: 'clawmatrix',
    registrationMode: mode,
    config: {},
    pluginConfig: {},
    get runtime (): never { throw new Error(`runtime is not available in ${mode} registration`) },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    registerTool: (tool: AgentTool) => { registered.tools.push(tool) },
    registerGatewayMethod: (method: string) => { registered.methods.push(method) },
    registerService: (service: PluginService) => { registered.services.push(service) },
    registerCli: () => { registered.cli++ }
  } satisfies OpenClawPluginApi
  plugin.register(api)
  return registered
}

describe('plugin registration', () => {
  it('registers exactly the tools the manifest declares, each visible to the model directly', () => {
    const { tools } = recordRegistration('full')
    expect(tools.map(t => t.name)).toEqual((pluginManifest().contracts as { tools: string[] }).tools)
    for (const tool of tools) expect(tool.catalogMode).toBe('direct-only')
  })

  it('gives each tool the seed\'s parameters', () => {
    const required = Object.fromEntries(recordRegistration('full').tools.map(t => [t.name, (t.parameters.required as string[] | undefined) ?? []]))
    expect(required).toEqual({
      cluster_peers: [],
      cluster_handoff: ['target', 'task'],
      cluster_send: ['target', 'message'],
      cluster_exec: ['node', 'command'],
      cluster_read: ['node', 'path'],
      cluster_write: ['node', 'path', 'content'],
      cluster_tool: ['node', 'tool']
    })
  })

  it('registers the gateway methods, the service and the CLI without touching the runtime', () => {
    const registered = recordRegistration('full')
    expect(registered.methods).toEqual(['clawmatrix.status', 'clawmatrix.peers', 'clawmatrix.members', 'clawmatrix.invite', 'clawmatrix.revoke', 'clawmatrix.rotateSecret'])
    expect(registered.services.map(s => s.id)).toEqual(['clawmatrix-node'])
    // a config change restarts the service alone; tools and gateway methods stay registered
    expect(registered.services[0].reload).toEqual({ configPrefixes: ['plugins.entries.clawmatrix.config'] })
    expect(registered.cli).toBe(1)
  })

  it('registers only the CLI when OpenClaw collects CLI metadata, and can be called again', () => {
    expect(recordRegistration('cli-metadata')).toEqual({ tools: [], methods: [], services: [], cli: 1 })
    expect(recordRegistration('discovery').tools).toHaveLength(7)
  })

  it('refuses bad tool arguments with the field named, before anything runs', async () => {
    const exec = recordRegistration('full').tools.find(t => t.name === 'cluster_exec')
    await expect(exec?.execute('call-1', { node: 'office', timeout: -1 })).rejects.toThrow(/bad arguments for cluster_exec: command: .*; timeout: /)
  })

  it('says why when the node is not running', async () => {
    const peers = recordRegistration('full').tools.find(t => t.name === 'cluster_peers')
    await expect(peers?.execute('call-1', {})).rejects.toThrow(/ClawMatrix is not running on this gateway \(stopped\)/)
  })
})
