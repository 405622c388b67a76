import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { configSchema } from '../src/config/schema.js'
import { TOOL_NAMES } from '../src/openclaw/constants.js'
import { pluginManifestText } from '../src/openclaw/manifest.js'

const manifestUrl = new URL('../openclaw.plugin.json', import.meta.url)

describe('openclaw.plugin.json', () => {
  it('matches the config schema it is generated from (regenerate: npm run build)', async () => {
    const committed = await readFile(manifestUrl, 'utf8')
    expect(committed).toBe(pluginManifestText())
  })

  it('accepts an empty config, so an install is never recorded disabled', async () => {
    const manifest = JSON.parse(await readFile(manifestUrl, 'utf8'))
    expect(manifest.configSchema.required ?? []).toEqual([])
    expect(manifest.configSchema.additionalProperties).toBe(false)
    expect(configSchema.safeParse({}).success).toBe(true)
  })

  it('leaves dynamic defaults out', async () => {
    const manifest = JSON.parse(await readFile(manifestUrl, 'utf8'))
    const { properties } = manifest.configSchema
    expect(properties.nodeId.default).toBeUndefined()
    expect(properties.dataDir.default).toBeUndefined()
    expect(properties.apiToken.default).toBeUndefined()
  })

  it('declares the seven tools, startup activation and the CLI root', async () => {
    const manifest = JSON.parse(await readFile(manifestUrl, 'utf8'))
    expect(manifest.id).toBe('clawmatrix')
    expect(manifest.contracts.tools).toEqual([...TOOL_NAMES])
    expect(manifest.activation).toEqual({ onStartup: true })
    expect(manifest.cliCommands).toEqual([expect.objectContaining({ name: 'clawmatrix', hasSubcommands: true })])
  })
})
