import { z } from 'zod'
import { MAX_MODEL_CALLERS } from '../capabilities/constants.js'
import { isPeerId } from '../mesh/peer-address.js'
import { CONFIG_DEFAULTS as D } from './defaults.js'

/**
 * The one configuration schema. Every field is optional (an OpenClaw install validates the
 * plugin's config before the user has filled it in); the static defaults come from
 * src/config/defaults.ts, and the
 * dynamic ones (host name, data directory) are filled in by `resolveConfig`.
 */

const port = z.number().int({ error: 'must be a whole number' }).min(0, { error: 'must be between 0 and 65535' }).max(65535, { error: 'must be between 0 and 65535' })
const positiveInt = z.number().int({ error: 'must be a whole number' }).positive({ error: 'must be greater than 0' })
const name = z.string().min(1, { error: 'must not be empty' }).max(128, { error: 'must be at most 128 characters' })
const id = name.regex(/^[A-Za-z0-9._:@-]+$/, { error: 'may only hold letters, digits and . _ : @ -' })
const nodeIdField = id.refine(v => !v.includes('/'), { error: 'must not contain /' })
/**
 * A base58 peer ID, checked by `peerIdFromString` (see `isPeerId`). The pattern is only what the
 * JSON Schema in openclaw.plugin.json publishes, for the gateway's own check of the plugin config.
 */
const peerIdField = z.string()
  .refine(isPeerId, { error: 'must be a base58 peer ID (12D3KooW...)' })
  .meta({ pattern: '^(12D3Koo|Qm)[1-9A-HJ-NP-Za-km-z]{40,60}$' })
const tagList = z.array(id).max(64, { error: 'must hold at most 64 entries' })

export const peerSchema = z.strictObject({
  nodeId: nodeIdField.optional(),
  url: z.string().min(1, { error: 'must not be empty' }).describe('ws://host:port, wss://host:port or a multiaddr, with or without /p2p/<peerId>'),
  peerId: peerIdField.optional()
})

export const agentSchema = z.strictObject({
  id,
  description: z.string().max(1000).default(''),
  tags: tagList.default([]),
  command: z.array(z.string()).min(1, { error: 'must hold at least the program to run' }).optional()
    .describe('standalone runner: argv with {task}, {context}, {agent}, {session} replaced; no shell')
})

const modelCost = z.strictObject({
  input: z.number().nonnegative().default(0),
  output: z.number().nonnegative().default(0),
  cacheRead: z.number().nonnegative().default(0),
  cacheWrite: z.number().nonnegative().default(0)
})

/** The seed's model extras, shared by `models[]` and `proxyModels[]` */
const modelExtras = {
  description: z.string().max(1000).optional(),
  api: z.string().min(1).optional(),
  reasoning: z.boolean().optional(),
  input: z.array(z.enum(['text', 'image'], { error: 'must be "text" or "image"' })).optional(),
  cost: modelCost.optional(),
  contextWindow: positiveInt.optional(),
  maxTokens: positiveInt.optional()
}

/**
 * The APIs a serving node can speak to its upstream. `openai-completions` is passed through byte
 * for byte; the others are translated from and to OpenAI chat completions (src/standalone/translate/).
 */
export const UPSTREAM_APIS = ['openai-completions', 'anthropic-messages', 'openai-responses', 'google-generative-ai', 'mistral-conversations'] as const
export type UpstreamApi = typeof UPSTREAM_APIS[number]

/** How a base URL must look for each API (its SDK appends the paths) */
const BASE_URL_RULES: Record<UpstreamApi, { test: RegExp, rule: string } | undefined> = {
  'openai-completions': { test: /\/v1\/?$/, rule: 'must end in /v1' },
  'openai-responses': { test: /\/v1\/?$/, rule: 'must end in /v1 for api "openai-responses"' },
  'anthropic-messages': undefined,
  'google-generative-ai': undefined,
  'mistral-conversations': undefined
}

export const upstreamSchema = z.strictObject({
  api: z.enum(UPSTREAM_APIS, { error: `must be one of ${UPSTREAM_APIS.map(a => JSON.stringify(a)).join(', ')}` }).default('openai-completions')
    .describe('the API the upstream speaks; consumers always speak OpenAI chat completions'),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  apiKey: z.string().optional(),
  model: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional().describe('extra HTTP headers sent upstream'),
  allowImageUrls: z.boolean().default(false)
    .describe('translated APIs: fetch image_url URLs (http(s), public addresses only) for the upstream; off: only data: URIs')
}).superRefine((upstream, ctx) => {
  const rule = BASE_URL_RULES[upstream.api]
  if (rule != null && !rule.test.test(upstream.baseUrl)) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: rule.rule })
  if (upstream.api !== 'openai-completions' && (upstream.apiKey == null || upstream.apiKey === '')) {
    ctx.addIssue({ code: 'custom', path: ['apiKey'], message: `is required for api "${upstream.api}"` })
  }
})

export const modelSchema = z.strictObject({
  id,
  provider: z.string().min(1).optional(),
  model: z.string().min(1).optional()
    .describe('with provider: the provider\'s name for the model; default: id'),
  upstream: upstreamSchema.optional(),
  peers: z.array(z.string().min(1)).max(MAX_MODEL_CALLERS, { error: `must hold at most ${MAX_MODEL_CALLERS} entries` }).optional()
    .describe('callers allowed: peer IDs, or node ids pinned by peers[].peerId; absent or [] = all members'),
  ...modelExtras
})

export const proxyModelSchema = z.strictObject({
  id,
  nodeId: nodeIdField.optional(),
  ...modelExtras
})

export const toolProxySchema = z.strictObject({
  enabled: z.boolean().default(false),
  allow: z.array(z.string().min(1)).default([]),
  deny: z.array(z.string().min(1)).default([]),
  maxOutputBytes: positiveInt.default(D.toolProxy.maxOutputBytes),
  peers: z.array(z.string().min(1)).default([])
    .describe('callers allowed: peer IDs, or node ids pinned by peers[].peerId; [] = all members'),
  roots: z.array(z.string().min(1)).default([])
    .describe('directories read/write/edit/ls may touch; [] = none'),
  maxExecTimeout: positiveInt.default(D.toolProxy.maxExecTimeout).describe('seconds; caps the caller\'s exec timeout')
})

/** the most relay slots one hub may offer (each holder costs a connection and its streams) */
export const MAX_RELAY_SLOTS = 4096

export const relaySchema = z.strictObject({
  maxReservations: positiveInt.max(MAX_RELAY_SLOTS, { error: `must be at most ${MAX_RELAY_SLOTS}` }).default(D.relay.maxReservations)
    .describe('listening node: relay slots offered, one per dial-out node that reserves here; a slot is freed when its holder disconnects')
})

export const discoverySchema = z.strictObject({
  mdns: z.boolean().default(false)
    .describe('find members on the local network by mDNS and connect to them directly (they still need the secret and membership); a dial-out node then listens on TCP (tcpPort, default any free port)')
})

export const configSchema = z.strictObject({
  nodeId: nodeIdField.optional().describe('unique node name; defaults to the host name'),
  secret: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  listen: z.boolean().default(false),
  listenHost: z.string().min(1).default(D.listenHost),
  listenPort: port.default(D.listenPort),
  tcpPort: port.optional().describe('listen on TCP at this port: beside WebSockets on a listening node; on a dial-out node for direct connections only (LAN peers, hole punching), no relay; 0 = any free port'),
  holePunchPort: port.min(1, { error: 'must be between 1 and 65535' }).optional()
    .describe('dial-out node: make every outbound TCP dial from this local port and punch direct TCP paths to other NATed members (DCUtR); needs a hub TCP address in peers[] and a NAT that keeps the port'),
  discovery: discoverySchema.default(() => discoverySchema.parse({})),
  peers: z.array(peerSchema).max(256).default([]),
  members: z.array(peerIdField).optional(),
  membership: z.enum(['open', 'certificates'], { error: 'must be "open" or "certificates"' }).default('open')
    .describe('open: the secret (and members, if set) admits a peer; certificates: also a valid certificate signed by an admin'),
  admins: z.array(peerIdField).max(64, { error: 'must hold at most 64 entries' }).optional()
    .describe('peer IDs of the mesh\'s root admins, whose certificates every node accepts; required with membership "certificates"'),
  agents: z.array(agentSchema).max(256).default([]),
  models: z.array(modelSchema).max(256).default([]),
  proxyModels: z.array(proxyModelSchema).max(256).default([]),
  tags: tagList.default([]),
  dataDir: z.string().min(1).optional(),
  proxyHost: z.string().min(1).default(D.proxyHost),
  proxyAllowRemote: z.boolean().default(false).describe('required to bind proxyHost to a non-loopback address'),
  proxyPort: port.default(D.proxyPort),
  metricsPublic: z.boolean().default(D.metricsPublic).describe('serve GET /metrics without the api token, for a Prometheus scraper on the same host; refused with proxyAllowRemote'),
  apiToken: z.string().min(1, { error: 'must not be empty' }).optional(),
  modelIdentityNote: z.boolean().default(true).describe('prefix the system message with [Model: <description>]'),
  modelTimeout: positiveInt.default(D.modelTimeout).describe('ms of upstream silence before a model request is ended'),
  modelConcurrency: positiveInt.default(D.modelConcurrency),
  routing: z.enum(['least-busy', 'closest'], { error: 'routing: must be "least-busy" or "closest"' }).default('least-busy')
    .describe('how a request picks among nodes that can take it: the least busy of the close ones, or always the closest'),
  maxRequestBytes: positiveInt.default(D.maxRequestBytes),
  handoffTimeout: positiveInt.default(D.handoffTimeout),
  handoffConcurrency: positiveInt.default(D.handoffConcurrency),
  maxTaskBytes: positiveInt.default(D.maxTaskBytes),
  maxContextBytes: positiveInt.default(D.maxContextBytes),
  maxHandoffOutputBytes: positiveInt.default(D.maxHandoffOutputBytes),
  toolProxy: toolProxySchema.default(() => toolProxySchema.parse({})),
  relay: relaySchema.default(() => relaySchema.parse({}))
})

export type ConfigInput = z.input<typeof configSchema>
export type ParsedConfig = z.output<typeof configSchema>
export type PeerConfig = z.output<typeof peerSchema>
export type AgentConfig = z.output<typeof agentSchema>
export type ModelConfig = z.output<typeof modelSchema>
export type ProxyModelConfig = z.output<typeof proxyModelSchema>
export type ToolProxyConfig = z.output<typeof toolProxySchema>
export type RelayConfig = z.output<typeof relaySchema>
export type DiscoveryConfig = z.output<typeof discoverySchema>
