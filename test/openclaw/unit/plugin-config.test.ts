import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/config/errors.js'
import { meshRefusal, resolvePluginConfig } from '../../../src/openclaw/plugin-config.js'

describe('resolvePluginConfig', () => {
  it('puts dataDir beside the gateway\'s state: <stateDir>/clawmatrix', () => {
    const config = resolvePluginConfig({ nodeId: 'office', secret: 'a-secret-of-16-chars' }, '/srv/openclaw-state')
    expect(config.dataDir).toBe(join('/srv/openclaw-state', 'clawmatrix'))
  })

  it('keeps a dataDir the user set', () => {
    expect(resolvePluginConfig({ dataDir: '/var/lib/cm' }, '/srv/state').dataDir).toBe('/var/lib/cm')
  })

  it('accepts the empty config OpenClaw passes before anything is set', () => {
    const config = resolvePluginConfig(undefined, '/srv/state')
    expect(config.nodeId).not.toBe('')
    expect(meshRefusal(config)).toMatch(/no secret set: add "secret".*plugins\.entries\.clawmatrix\.config/)
  })

  it('names the field and the config path on bad input', () => {
    expect(() => resolvePluginConfig({ secret: 'short', listenPort: 'x' }, '/srv/state')).toThrow(ConfigError)
    try {
      resolvePluginConfig({ secret: 'short' }, '/srv/state')
    } catch (err: any) {
      expect(err.message).toContain('plugins.entries.clawmatrix.config')
      expect(err.problems).toEqual(['secret: must be at least 16 characters'])
    }
  })

  it('has no refusal once a secret is set', () => {
    expect(meshRefusal(resolvePluginConfig({ secret: 'a-secret-of-16-chars' }, '/srv/state'))).toBeUndefined()
  })
})
