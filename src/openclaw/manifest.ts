import { z } from 'zod'
import { configSchema } from '../config/schema.js'
import { CLI_COMMAND, CLI_DESCRIPTION, PLUGIN_DESCRIPTION, PLUGIN_ID, PLUGIN_NAME, TOOL_NAMES } from './constants.js'

/**
 * `openclaw.plugin.json`, built from the one config schema and the plugin's constants. The file
 * at the package root is generated from this (scripts/generate-plugin-manifest.mjs) and a test
 * fails when the committed copy drifts.
 */
export function pluginManifest (): Record<string, unknown> {
  return {
    id: PLUGIN_ID,
    name: PLUGIN_NAME,
    description: PLUGIN_DESCRIPTION,
    categories: ['agent-orchestration'],
    activation: { onStartup: true },
    contracts: { tools: [...TOOL_NAMES] },
    cliCommands: [{ name: CLI_COMMAND, description: CLI_DESCRIPTION, hasSubcommands: true }],
    uiHints: {
      secret: { label: 'Cluster secret', help: 'shared by every node of the mesh, at least 16 characters', sensitive: true },
      apiToken: { label: 'Local API token', help: 'bearer token of the local model proxy and API', sensitive: true, advanced: true }
    },
    configSchema: configJsonSchema()
  }
}

/**
 * The config schema as JSON Schema (draft 7, what OpenClaw's validator reads). Input shape: every
 * field optional, static defaults shown; dynamic defaults (host name, data directory) are not in
 * the zod schema, so they cannot leak in.
 */
export function configJsonSchema (): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>
  delete schema.$schema
  return schema
}

/** The manifest as it is written to disk */
export function pluginManifestText (): string {
  return JSON.stringify(pluginManifest(), null, 2) + '\n'
}
